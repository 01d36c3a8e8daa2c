import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const scriptKeys = {
  list: (workspace: string) => ["w", workspace, "scripts"] as const,
  detail: (workspace: string, path: string) => ["w", workspace, "scripts", "p", path] as const,
};

export function useScripts(workspace: string) {
  return useQuery({
    queryKey: scriptKeys.list(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/scripts", { params: { path: { workspace } } })),
  });
}

export function useScript(workspace: string, path: string) {
  return useQuery({
    queryKey: scriptKeys.detail(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/scripts/p/{path}", { params: { path: { workspace, path } } })),
    enabled: path !== "",
  });
}
