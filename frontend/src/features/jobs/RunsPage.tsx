import { useMemo } from "react";
import { useSearchParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { filtersFromSearch, filtersToSearch, hasFilters, type RunFilters } from "./filters";
import { useJobs } from "./queries";
import { RunsFilters } from "./RunsFilters";
import { RunsTable } from "./RunsTable";

/** `/w/:ws/runs`: the workspace's jobs, newest first, filtered by the URL's query string. */
export function RunsPage() {
  const workspace = useCurrentWorkspace();
  const [search, setSearch] = useSearchParams();
  const key = search.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(key)), [key]);
  const jobs = useJobs(workspace.id, filters);
  const items = useMemo(() => jobs.data?.pages.flatMap((page) => page.items) ?? [], [jobs.data]);

  function onChange(next: RunFilters) {
    setSearch(filtersToSearch(next), { replace: true });
  }

  return (
    <section>
      <div className="page-header">
        <h1>Runs</h1>
      </div>
      <RunsFilters filters={filters} onChange={onChange} />
      {jobs.isPending ? (
        <SkeletonTable rows={8} columns={6} label="Loading runs…" />
      ) : jobs.isError && jobs.data === undefined ? (
        <ErrorMessage error={jobs.error} onRetry={() => void jobs.refetch()} />
      ) : items.length === 0 ? (
        hasFilters(filters) ? (
          <div className="empty">
            <h2>No matching runs</h2>
            <p className="muted">No job matches these filters.</p>
          </div>
        ) : (
          <div className="empty">
            <h2>No runs yet</h2>
            <p className="muted">Jobs appear here as soon as a script is run.</p>
          </div>
        )
      ) : (
        <>
          {jobs.isError && <ErrorMessage error={jobs.error} onRetry={() => void jobs.refetch()} />}
          <RunsTable workspaceId={workspace.id} jobs={items} />
          <div className="list-footer">
            <span className="muted" data-testid="runs-count">
              {items.length} run{items.length === 1 ? "" : "s"}
              {jobs.hasNextPage ? " shown" : ""}
            </span>
            {jobs.hasNextPage && (
              <button
                type="button"
                className="button"
                onClick={() => void jobs.fetchNextPage()}
                disabled={jobs.isFetchingNextPage}
              >
                {jobs.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
