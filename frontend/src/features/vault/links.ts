import { workspaceUrl } from "../workspace/CurrentWorkspace";

/** `/w/<ws>/variables`: the workspace's variables and secrets. */
export function variablesUrl(workspaceId: string): string {
  return `${workspaceUrl(workspaceId)}/variables`;
}

/** `/w/<ws>/resources`: the workspace's resources (`?tab=types`: their types). */
export function resourcesUrl(workspaceId: string): string {
  return `${workspaceUrl(workspaceId)}/resources`;
}
