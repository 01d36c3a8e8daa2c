import { workspaceUrl } from "../workspace/CurrentWorkspace";

/** A flow path keeps its slashes in URLs (`f/billing/close_month`); only its segments are escaped. */
function encodePath(flowPath: string): string {
  return flowPath.split("/").map(encodeURIComponent).join("/");
}

/** `/w/<ws>/flows`: the list. */
export function flowsUrl(workspaceId: string): string {
  return `${workspaceUrl(workspaceId)}/flows`;
}

/** `/w/<ws>/flows/p/<path>`: a flow's page (run form, versions). */
export function flowUrl(workspaceId: string, flowPath: string, tab?: "versions"): string {
  const url = `${flowsUrl(workspaceId)}/p/${encodePath(flowPath)}`;
  return tab ? `${url}?tab=${tab}` : url;
}

/** `/w/<ws>/flows/new`: the editor for a flow not deployed yet. */
export function newFlowUrl(workspaceId: string): string {
  return `${flowsUrl(workspaceId)}/new`;
}

/** `/w/<ws>/flows/edit/<path>`, optionally starting from an older version's document. */
export function editFlowUrl(workspaceId: string, flowPath: string, fromVersion?: string): string {
  const url = `${flowsUrl(workspaceId)}/edit/${encodePath(flowPath)}`;
  return fromVersion ? `${url}?version=${encodeURIComponent(fromVersion)}` : url;
}
