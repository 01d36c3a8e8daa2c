import { useMemo } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { RunsTable } from "../jobs/RunsTable";
import { useScheduleRuns } from "./queries";

interface ScheduleRunsProps {
  workspaceId: string;
  path: string;
}

/** The schedule's jobs, newest first, with the tick each ran for; "Load more" follows next_cursor. */
export function ScheduleRuns({ workspaceId, path }: ScheduleRunsProps) {
  const runs = useScheduleRuns(workspaceId, path);
  const items = useMemo(() => runs.data?.pages.flatMap((page) => page.items) ?? [], [runs.data]);

  if (runs.isPending) return <Loading label="Loading runs…" />;
  if (runs.isError && runs.data === undefined) {
    return <ErrorMessage error={runs.error} onRetry={() => void runs.refetch()} />;
  }
  if (items.length === 0) {
    return (
      <p className="muted" data-testid="schedule-runs-empty">
        No runs yet: they show here from the first tick on.
      </p>
    );
  }
  return (
    <>
      {runs.isError && <ErrorMessage error={runs.error} onRetry={() => void runs.refetch()} />}
      <RunsTable workspaceId={workspaceId} jobs={items} showTick />
      <div className="list-footer">
        <span className="muted" data-testid="schedule-runs-count">
          {items.length} run{items.length === 1 ? "" : "s"}
          {runs.hasNextPage ? " shown" : ""}
        </span>
        {runs.hasNextPage && (
          <button
            type="button"
            className="button"
            onClick={() => void runs.fetchNextPage()}
            disabled={runs.isFetchingNextPage}
          >
            {runs.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </>
  );
}
