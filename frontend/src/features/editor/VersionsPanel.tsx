import { lazy, Suspense } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { useScriptVersion, useScriptVersions } from "../scripts/queries";
import { editScriptUrl, shortHash } from "./links";
import { VersionsTable } from "./VersionsTable";
import "./editor.css";

// The diff brings the `diff` package: only pages that show one download it.
const VersionDiff = lazy(() => import("./VersionDiff").then((module) => ({ default: module.VersionDiff })));

interface VersionsPanelProps {
  workspaceId: string;
  path: string;
  /** Offer "Open in editor" (write access, and a role that writes scripts). */
  canEdit: boolean;
}

/** The diff of the two picked versions, once both are loaded. */
function Comparison({ workspaceId, from, to }: { workspaceId: string; from: string; to: string }) {
  const older = useScriptVersion(workspaceId, from);
  const newer = useScriptVersion(workspaceId, to);
  const failed = older.error ?? newer.error;
  if (failed) return <ErrorMessage error={failed} />;
  if (older.data === undefined || newer.data === undefined) return <Loading label="Loading versions…" />;
  return (
    <>
      <h3>
        <code>{shortHash(from)}</code> → <code>{shortHash(to)}</code>
      </h3>
      {older.data.language !== newer.data.language && (
        <p className="muted">
          Language: {older.data.language} → {newer.data.language}
        </p>
      )}
      <Suspense fallback={<Loading label="Loading the diff…" />}>
        <VersionDiff from={older.data.content} to={newer.data.content} />
      </Suspense>
    </>
  );
}

/** Every saved version of a script, newest first; pick two to see what changed. */
export function VersionsPanel({ workspaceId, path, canEdit }: VersionsPanelProps) {
  const versions = useScriptVersions(workspaceId, path);

  if (versions.isPending) return <Loading label="Loading versions…" />;
  if (versions.isError) return <ErrorMessage error={versions.error} onRetry={() => void versions.refetch()} />;

  return (
    <div className="versions">
      <VersionsTable
        versions={versions.data}
        compare={(from, to) => <Comparison workspaceId={workspaceId} from={from} to={to} />}
        name="version"
        savedLabel="Saved"
        openUrl={canEdit ? (hash, latest) => editScriptUrl(workspaceId, path, latest ? undefined : hash) : null}
      />
    </div>
  );
}
