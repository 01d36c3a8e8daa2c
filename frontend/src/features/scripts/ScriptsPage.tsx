import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
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
      </div>
      {scripts.isPending ? (
        <Loading label="Loading scripts…" />
      ) : scripts.isError ? (
        <ErrorMessage error={scripts.error} onRetry={() => void scripts.refetch()} />
      ) : scripts.data.length === 0 ? (
        <EmptyScripts workspaceId={workspace.id} />
      ) : (
        <ScriptsTable workspaceId={workspace.id} scripts={scripts.data} />
      )}
    </section>
  );
}
