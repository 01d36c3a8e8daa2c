import { Link } from "react-router";
import { DeletedNotice } from "../../components/ConfirmDelete";
import { ErrorMessage } from "../../components/ErrorMessage";
import { RelativeTime } from "../../components/RelativeTime";
import { SkeletonTable } from "../../components/Skeleton";
import { shortHash } from "../../lib/format";
import { writesScripts } from "../editor/permissions";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { flowUrl, newFlowUrl } from "./links";
import { useFlowList, type FlowSummary } from "./queries";

function FlowsTable({ workspaceId, flows }: { workspaceId: string; flows: FlowSummary[] }) {
  return (
    <table className="table" data-testid="flows-table">
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Version</th>
          <th scope="col">Versions</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {flows.map((flow) => (
          <tr key={flow.path}>
            <td>
              <Link className="mono" to={flowUrl(workspaceId, flow.path)}>
                {flow.path}
              </Link>
              {flow.summary && <div className="cell-sub">{flow.summary}</div>}
            </td>
            <td>
              <code title={flow.hash}>{shortHash(flow.hash)}</code>
            </td>
            <td>{flow.versions}</td>
            <td className="nowrap">
              <RelativeTime iso={flow.created_at} /> <span className="muted">by {flow.created_by}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EmptyFlows({ workspaceId, canCreate }: { workspaceId: string; canCreate: boolean }) {
  return (
    <div className="empty">
      <h2>No flows yet</h2>
      <p className="muted">
        A flow chains steps (inline code, saved scripts, loops, branches, approvals) into one run.
      </p>
      {canCreate && (
        <p>
          <Link className="button button-primary" to={newFlowUrl(workspaceId)}>
            New flow
          </Link>
        </p>
      )}
    </div>
  );
}

/** `w/:ws/flows`: the flows you may see, newest first. */
export function FlowsPage() {
  const workspace = useCurrentWorkspace();
  const flows = useFlowList(workspace.id);
  const canCreate = writesScripts(workspace);
  return (
    <section>
      <div className="page-header">
        <h1>Flows</h1>
        {canCreate && flows.data !== undefined && flows.data.length > 0 && (
          <div className="page-actions">
            <Link className="button button-primary" to={newFlowUrl(workspace.id)}>
              New flow
            </Link>
          </div>
        )}
      </div>
      <DeletedNotice />
      {flows.isPending ? (
        <SkeletonTable label="Loading flows…" />
      ) : flows.isError ? (
        <ErrorMessage error={flows.error} onRetry={() => void flows.refetch()} />
      ) : flows.data.length === 0 ? (
        <EmptyFlows workspaceId={workspace.id} canCreate={canCreate} />
      ) : (
        <FlowsTable workspaceId={workspace.id} flows={flows.data} />
      )}
    </section>
  );
}
