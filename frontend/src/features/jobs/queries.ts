import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const RECENT_JOBS_LIMIT = 50;

export const jobKeys = {
  recent: (workspace: string) => ["w", workspace, "jobs", { limit: RECENT_JOBS_LIMIT }] as const,
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
