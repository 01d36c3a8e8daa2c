import { workspaceUrl } from "../workspace/CurrentWorkspace";

/** `/w/<ws>/schedules`: the workspace's schedules. */
export function schedulesUrl(workspaceId: string): string {
  return `${workspaceUrl(workspaceId)}/schedules`;
}

/** `/w/<ws>/schedules/p/u/ada/nightly`: the schedule path keeps its slashes. */
export function scheduleUrl(workspaceId: string, path: string): string {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return `${schedulesUrl(workspaceId)}/p/${encoded}`;
}
