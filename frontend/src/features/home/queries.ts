import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

/** One entry of `GET /api/w/{ws}/apps` (not in the generated schema yet). */
export interface AppSummary {
  path: string;
  summary: string;
  description?: string;
  kind?: string;
}

export const homeKeys = {
  flows: (workspace: string) => ["w", workspace, "flows", "list"] as const,
  apps: (workspace: string) => ["w", workspace, "apps", "list"] as const,
};

export function useFlows(workspace: string) {
  return useQuery({
    queryKey: homeKeys.flows(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/flows", { params: { path: { workspace } } })),
  });
}

function isAppSummary(value: unknown): value is AppSummary {
  return typeof value === "object" && value !== null && typeof (value as { path?: unknown }).path === "string";
}

/**
 * The workspace's apps, or none when the server does not list apps (yet) or
 * the request fails: apps are an extra on the home page, never a reason to break it.
 */
async function fetchApps(workspace: string): Promise<AppSummary[]> {
  try {
    const url = `${window.location.origin}/api/w/${encodeURIComponent(workspace)}/apps`;
    const response = await globalThis.fetch(new Request(url, { credentials: "same-origin" }));
    if (!response.ok) return [];
    const body: unknown = await response.json();
    return Array.isArray(body) ? body.filter(isAppSummary) : [];
  } catch {
    return [];
  }
}

export function useApps(workspace: string) {
  return useQuery({ queryKey: homeKeys.apps(workspace), queryFn: () => fetchApps(workspace), staleTime: 30_000 });
}
