import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { jobKeys } from "../jobs/queries";

export type App = Schemas["AppOut"];

export const appKeys = {
  all: (workspace: string) => ["w", workspace, "apps"] as const,
  one: (workspace: string, path: string) => ["w", workspace, "apps", "p", path] as const,
};

/** The apps the caller may see and run (operators see nothing else). */
export function useApps(workspace: string) {
  return useQuery({
    queryKey: appKeys.all(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/apps", { params: { path: { workspace } } })),
  });
}

/** One app: summary, description and form; never the code behind it. */
export function useApp(workspace: string, path: string) {
  return useQuery({
    queryKey: appKeys.one(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/apps/p/{path}", { params: { path: { workspace, path } } })),
  });
}

/** Publishes (or unpublishes) a script or flow as an app. */
export function usePublishApp(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (published: boolean) =>
      unwrap(
        api.PUT("/api/w/{workspace}/apps/p/{path}", {
          params: { path: { workspace, path } },
          body: { published },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: appKeys.all(workspace) });
      // The script's (or flow's) own page shows whether it is published.
      void queryClient.invalidateQueries({ queryKey: ["w", workspace, "scripts", "p", path] });
      void queryClient.invalidateQueries({ queryKey: ["w", workspace, "flows"] });
    },
  });
}

/** Runs an app (a script's or a flow's latest version); resolves to the new job's id. */
export function useRunApp(workspace: string, app: Pick<App, "kind" | "path">) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (args: Record<string, unknown>) => {
      const params = { path: { workspace, path: app.path } };
      return unwrap(
        app.kind === "flow"
          ? api.POST("/api/w/{workspace}/jobs/run/f/{path}", { params, body: args })
          : api.POST("/api/w/{workspace}/jobs/run/p/{path}", { params, body: args }),
      );
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: jobKeys.all(workspace) }),
  });
}

/** Where an app lives: a page of its own, outside the workspace's studio. */
export function appUrl(workspace: string, path: string): string {
  return `/apps/${encodeURIComponent(workspace)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

export function appsUrl(workspace: string): string {
  return `/apps/${encodeURIComponent(workspace)}`;
}
