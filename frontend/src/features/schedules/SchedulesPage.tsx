import { Link } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { schedulesUrl } from "./links";
import { useSchedules } from "./queries";
import { SchedulesTable } from "./SchedulesTable";

/** `/w/:ws/schedules`: the schedules you may see, each with its next run and an on/off switch. */
export function SchedulesPage() {
  const workspace = useCurrentWorkspace();
  const schedules = useSchedules(workspace.id);
  // Operators run and view; admins and developers create schedules.
  const canCreate = workspace.role !== "operator";

  return (
    <section>
      <div className="page-header">
        <h1>Schedules</h1>
        {canCreate && (
          <div className="page-actions">
            <Link className="button button-primary" to={`${schedulesUrl(workspace.id)}/new`}>
              New schedule
            </Link>
          </div>
        )}
      </div>
      <p className="lead">
        A schedule runs a script on a cron expression, in a time zone, with fixed arguments: each tick exactly once.
      </p>
      {schedules.isPending ? (
        <SkeletonTable label="Loading schedules…" />
      ) : schedules.isError ? (
        <ErrorMessage error={schedules.error} onRetry={() => void schedules.refetch()} />
      ) : schedules.data.length === 0 ? (
        <div className="empty">
          <h2>No schedules yet</h2>
          <p className="muted">
            {canCreate
              ? "Create one to run a script every night, every hour, or every few seconds."
              : "Admins and developers create schedules."}
          </p>
        </div>
      ) : (
        <SchedulesTable workspaceId={workspace.id} schedules={schedules.data} />
      )}
    </section>
  );
}
