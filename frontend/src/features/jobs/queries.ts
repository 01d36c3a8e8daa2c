import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, isApiError, isTerminalStatus, unwrap } from "../../api/client";

export const RECENT_JOBS_LIMIT = 50;

/** How often a job page refetches while the job is queued or running. */
export const JOB_POLL_INTERVAL_MS = 1_000;
/** The same while its logs stream (the stream says when the job ends): only the timings change. */
export const JOB_POLL_WHILE_STREAMING_MS = 5_000;

export const jobKeys = {
  all: (workspace: string) => ["w", workspace, "jobs"] as const,
  recent: (workspace: string) => ["w", workspace, "jobs", { limit: RECENT_JOBS_LIMIT }] as const,
  detail: (workspace: string, id: string) => ["w", workspace, "jobs", "id", id] as const,
};

export function useRecentJobs(workspace: string) {
  return useQuery({
    queryKey: jobKeys.recent(workspace),
    queryFn: () =>
      unwrap(
        api.GET("/api/w/{workspace}/jobs", {
          params: { path: { workspace }, query: { limit: RECENT_JOBS_LIMIT } },
        }),
      ),
    // Runs change under our feet; poll while the page is open.
    refetchInterval: 5_000,
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
