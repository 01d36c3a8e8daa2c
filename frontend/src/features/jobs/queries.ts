import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, isApiError, isTerminalStatus, unwrap, type JobPage } from "../../api/client";
import { filtersToQuery, filtersToSearch, type JobListQuery, type RunFilters } from "./filters";

/** Jobs per page of the Runs list. */
export const JOBS_PAGE_SIZE = 50;
/** How often the Runs list refetches (every page loaded so far). */
export const JOBS_POLL_INTERVAL_MS = 5_000;

/** How often a job page refetches while the job is queued or running. */
export const JOB_POLL_INTERVAL_MS = 1_000;
/** The same while its logs stream (the stream says when the job ends): only the timings change. */
export const JOB_POLL_WHILE_STREAMING_MS = 5_000;

export const jobKeys = {
  all: (workspace: string) => ["w", workspace, "jobs"] as const,
  list: (workspace: string, filters: RunFilters) =>
    ["w", workspace, "jobs", "list", filtersToSearch(filters).toString()] as const,
  detail: (workspace: string, id: string) => ["w", workspace, "jobs", "id", id] as const,
};

/**
 * Where the next page starts: the API's cursor, and the first page's query, so
 * that a "last hour" resolved when the list was first fetched stays the same
 * instant on every later page.
 */
interface PageParam {
  cursor: string | null;
  query: JobListQuery | null;
}

type LoadedPage = JobPage & { query: JobListQuery };

/** The jobs matching `filters`, newest first, a page at a time (`fetchNextPage` follows next_cursor). */
export function useJobs(workspace: string, filters: RunFilters) {
  return useInfiniteQuery({
    queryKey: jobKeys.list(workspace, filters),
    initialPageParam: { cursor: null, query: null } as PageParam,
    queryFn: async ({ pageParam }): Promise<LoadedPage> => {
      const query = pageParam.query ?? filtersToQuery(filters);
      const page = await unwrap(
        api.GET("/api/w/{workspace}/jobs", {
          params: {
            path: { workspace },
            query: { ...query, limit: JOBS_PAGE_SIZE, ...(pageParam.cursor ? { cursor: pageParam.cursor } : {}) },
          },
        }),
      );
      return { ...page, query };
    },
    getNextPageParam: (last): PageParam | undefined =>
      last.next_cursor ? { cursor: last.next_cursor, query: last.query } : undefined,
    // Runs change under our feet; poll while the page is open.
    refetchInterval: JOBS_POLL_INTERVAL_MS,
  });
}

/** One job; refetched every `pollMs` until it reaches a terminal status. */
export function useJob(workspace: string, id: string, pollMs: number = JOB_POLL_INTERVAL_MS) {
  return useQuery({
    queryKey: jobKeys.detail(workspace, id),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/jobs/{job_id}", { params: { path: { workspace, job_id: id } } })),
    refetchInterval: (query) => {
      const { data, error } = query.state;
      // A 4xx (job gone, access lost) will not heal by asking again.
      if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
      return data !== undefined && !isTerminalStatus(data.status) ? pollMs : false;
    },
  });
}

/** A job's log from byte offset `from` on (the fallback when there is no websocket). */
export function fetchJobLogs(workspace: string, id: string, from: number) {
  return unwrap(
    api.GET("/api/w/{workspace}/jobs/{job_id}/logs", {
      params: { path: { workspace, job_id: id }, query: { from } },
    }),
  );
}

export interface RunScriptInput {
  path: string;
  args: Record<string, unknown>;
}

/** Queues a run of a script's latest version; resolves to the new job's id. */
export function useRunScript(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ path, args }: RunScriptInput) =>
      unwrap(
        api.POST("/api/w/{workspace}/jobs/run/p/{path}", {
          params: { path: { workspace, path } },
          body: args,
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.all(workspace) });
    },
  });
}

export interface RerunInput {
  /** Edited arguments; omitted: the job's own. */
  args?: Record<string, unknown>;
  /** Run the script's latest version instead of the job's. */
  latest?: boolean;
}

/** Runs a job's script again (same version and arguments unless told); resolves to the new job's id. */
export function useRerunJob(workspace: string, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ args, latest = false }: RerunInput = {}) =>
      unwrap(
        api.POST("/api/w/{workspace}/jobs/{job_id}/rerun", {
          params: { path: { workspace, job_id: id } },
          body: args === undefined ? { latest } : { args, latest },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.all(workspace) });
    },
  });
}

/** Cancels a job: a queued one ends at once, a running one within about a second. */
export function useCancelJob(workspace: string, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/w/{workspace}/jobs/{job_id}/cancel", { params: { path: { workspace, job_id: id } } })),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.detail(workspace, id) });
    },
  });
}
