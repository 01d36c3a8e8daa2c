import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const workspaceKeys = {
  settings: (workspace: string) => ["w", workspace, "settings"] as const,
};

/** The workspace's default network and job limits (its maximums and the platform defaults). */
export function useWorkspaceSettings(workspace: string) {
  return useQuery({
    queryKey: workspaceKeys.settings(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/settings", { params: { path: { workspace } } })),
    staleTime: 60_000,
  });
}
