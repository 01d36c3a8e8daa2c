import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, isApiError, unwrap } from "../../api/client";
import { pollIntervalMs } from "./workers";

/** Workers belong to the instance, not to a workspace: their keys are not under ["w", workspace]. */
export const workerKeys = {
  all: () => ["workers"] as const,
  list: (includeGone: boolean) => ["workers", "list", includeGone ? "all" : "live"] as const,
};

/** `GET /api/workers`: refetched every heartbeat while the page is open. */
export function useWorkers(includeGone: boolean) {
  return useQuery({
    queryKey: workerKeys.list(includeGone),
    queryFn: () => unwrap(api.GET("/api/workers", { params: { query: { include_gone: includeGone } } })),
    // Toggling "show stopped" keeps the current rows on screen until the other list comes.
    placeholderData: keepPreviousData,
    refetchInterval: (query) => {
      const { data, error } = query.state;
      // A 4xx (signed out, refused) will not heal by asking again.
      if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
      return pollIntervalMs(data?.heartbeat_seconds);
    },
  });
}
