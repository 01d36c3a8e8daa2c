import { Link, useParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { RelativeTime } from "../../components/RelativeTime";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import { useScript } from "./queries";
import { RunSection } from "./RunSection";
import { ScriptArgsTable } from "./ScriptArgsTable";

export function ScriptDetailPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const script = useScript(workspace.id, path);

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`${workspaceUrl(workspace.id)}/scripts`}>Scripts</Link>
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-header">
        <h1 className="mono">{path}</h1>
      </div>

      {script.isPending ? (
        <Loading label="Loading script…" />
      ) : script.isError ? (
        <ErrorMessage error={script.error} onRetry={() => void script.refetch()} />
      ) : (
        <>
          {script.data.summary && <p className="lead">{script.data.summary}</p>}
          <dl className="meta">
            <div>
              <dt>Language</dt>
              <dd>
                <span className="tag">{script.data.language}</span>
              </dd>
            </div>
            <div>
              <dt>Hash</dt>
              <dd>
                <code>{script.data.hash}</code>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <RelativeTime iso={script.data.created_at} /> by {script.data.created_by}
              </dd>
            </div>
          </dl>

          <h2>Arguments</h2>
          <ScriptArgsTable schema={script.data.schema} />

          <h2>Run</h2>
          <RunSection key={path} workspaceId={workspace.id} scriptPath={script.data.path} schema={script.data.schema} />

          <h2>Source</h2>
          <pre className="code" data-testid="script-source">
            <code>{script.data.content}</code>
          </pre>
        </>
      )}
    </section>
  );
}
