import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { useRecentJobs } from "./queries";
import { RunsTable } from "./RunsTable";

export function RunsPage() {
  const workspace = useCurrentWorkspace();
  const jobs = useRecentJobs(workspace.id);

  return (
    <section>
      <div className="page-header">
        <h1>Runs</h1>
      </div>
      {jobs.isPending ? (
        <Loading label="Loading runs…" />
      ) : jobs.isError ? (
        <ErrorMessage error={jobs.error} onRetry={() => void jobs.refetch()} />
      ) : jobs.data.length === 0 ? (
        <div className="empty">
          <h2>No runs yet</h2>
          <p className="muted">Jobs appear here as soon as a script is run.</p>
        </div>
      ) : (
        <RunsTable workspaceId={workspace.id} jobs={jobs.data} />
      )}
    </section>
  );
}
