import { lazy, Suspense, useMemo } from "react";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { Loading } from "../../../components/Loading";
import { shortHash } from "../../../lib/format";
import { editFlowUrl } from "../links";
import { toYaml } from "../model/yamlText";
import { documentOf, useFlowVersion, useFlowVersions, type Flow } from "../queries";
import { VersionsTable } from "../../editor/VersionsTable";
import "../../editor/editor.css";

// The diff brings the `diff` package: only a Versions view downloads it.
const VersionDiff = lazy(() => import("../../editor/VersionDiff").then((m) => ({ default: m.VersionDiff })));

function asYaml(flow: Flow): string {
  return toYaml(documentOf(flow));
}

/** The two picked versions' documents as YAML, line by line. */
function Comparison({ workspaceId, from, to }: { workspaceId: string; from: string; to: string }) {
  const older = useFlowVersion(workspaceId, from);
  const newer = useFlowVersion(workspaceId, to);
  const texts = useMemo(
    () => (older.data && newer.data ? { from: asYaml(older.data), to: asYaml(newer.data) } : null),
    [older.data, newer.data],
  );
  const failed = older.error ?? newer.error;
  if (failed) return <ErrorMessage error={failed} />;
  if (texts === null) return <Loading label="Loading versions…" />;
  return (
    <>
      <h3>
        <code>{shortHash(from)}</code> → <code>{shortHash(to)}</code>
      </h3>
      <Suspense fallback={<Loading label="Loading the diff…" />}>
        <VersionDiff from={texts.from} to={texts.to} />
      </Suspense>
    </>
  );
}

interface FlowVersionsProps {
  workspaceId: string;
  path: string;
  /** Offer "Open in editor" (write access, and a role that writes). */
  canEdit: boolean;
  /** Called before following "Open in editor" (the editor's dialog closes). */
  onOpen?: () => void;
}

/** Every deployed version of a flow, newest first; pick two to see the YAML diff. */
export function FlowVersions({ workspaceId, path, canEdit, onOpen }: FlowVersionsProps) {
  const versions = useFlowVersions(workspaceId, path);
  if (versions.isPending) return <Loading label="Loading versions…" />;
  if (versions.isError) return <ErrorMessage error={versions.error} onRetry={() => void versions.refetch()} />;

  return (
    <div className="versions" data-testid="flow-versions">
      <VersionsTable
        versions={versions.data}
        compare={(from, to) => <Comparison workspaceId={workspaceId} from={from} to={to} />}
        name="flow-version"
        savedLabel="Deployed"
        openUrl={canEdit ? (hash, latest) => editFlowUrl(workspaceId, path, latest ? undefined : hash) : null}
        onOpen={onOpen}
      />
    </div>
  );
}
