import { workspaceUrl } from "../workspace/CurrentWorkspace";

/** `/w/<ws>/scripts/p/u/ada/greet`: the script path keeps its slashes. */
export function scriptUrl(workspaceId: string, scriptPath: string): string {
  const encoded = scriptPath.split("/").map(encodeURIComponent).join("/");
  return `${workspaceUrl(workspaceId)}/scripts/p/${encoded}`;
}
