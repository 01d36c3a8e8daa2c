import { workspaceUrl } from "../workspace/CurrentWorkspace";

function encodePath(scriptPath: string): string {
  return scriptPath.split("/").map(encodeURIComponent).join("/");
}

/** `/w/<ws>/scripts/new`: the editor for a script not saved yet. */
export function newScriptUrl(workspaceId: string): string {
  return `${workspaceUrl(workspaceId)}/scripts/new`;
}

/** `/w/<ws>/scripts/edit/<path>`, optionally starting from an older version's code. */
export function editScriptUrl(workspaceId: string, scriptPath: string, fromVersion?: string): string {
  const url = `${workspaceUrl(workspaceId)}/scripts/edit/${encodePath(scriptPath)}`;
  return fromVersion ? `${url}?version=${encodeURIComponent(fromVersion)}` : url;
}

/** The script page's Versions tab. */
export function versionsUrl(workspaceId: string, scriptPath: string): string {
  return `${workspaceUrl(workspaceId)}/scripts/p/${encodePath(scriptPath)}?tab=versions`;
}

/** A version's name in the UI: the first 8 characters of its content hash. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}
