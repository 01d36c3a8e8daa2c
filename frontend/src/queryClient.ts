import { hashKey, QueryCache, QueryClient } from "@tanstack/react-query";
import { isApiError } from "./api/client";
import { meQueryKey } from "./features/auth/queries";

function isClientError(error: unknown): boolean {
  return isApiError(error) && error.status >= 400 && error.status < 500;
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A 401 from any query means the session ended: re-check /me, whose
      // 401 makes RequireAuth send the user to /login.
      onError(error, query) {
        if (isApiError(error, 401) && query.queryHash !== hashKey(meQueryKey)) {
          void client.invalidateQueries({ queryKey: meQueryKey });
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failures, error) => !isClientError(error) && failures < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
  return client;
}
