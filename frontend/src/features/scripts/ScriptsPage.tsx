import { Link } from "react-router";
import { DeletedNotice } from "../../components/ConfirmDelete";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { newScriptUrl } from "../editor/links";
import { writesScripts } from "../editor/permissions";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { EmptyScripts } from "./EmptyScripts";
import { useScripts } from "./queries";
import { ScriptsTable } from "./ScriptsTable";

export function ScriptsPage() {
  const workspace = useCurrentWorkspace();
  const scripts = useScripts(workspace.id);

  return (
    <section>
      <div className="page-header">
        <h1>Scripts</h1>
        {writesScripts(workspace) && scripts.data !== undefined && scripts.data.length > 0 && (
          <div className="page-actions">
            <Link className="button button-primary" to={newScriptUrl(workspace.id)}>
              New script
            </Link>
          </div>
        )}
      </div>
      <DeletedNotice />
      {scripts.isPending ? (
        <SkeletonTable label="Loading scripts…" />
      ) : scripts.isError ? (
        <ErrorMessage error={scripts.error} onRetry={() => void scripts.refetch()} />
      ) : scripts.data.length === 0 ? (
        <EmptyScripts workspaceId={workspace.id} canCreate={writesScripts(workspace)} />
      ) : (
        <ScriptsTable workspaceId={workspace.id} scripts={scripts.data} />
      )}
    </section>
  );
}
