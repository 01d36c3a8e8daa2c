import { workspaceUrl } from "../workspace/CurrentWorkspace";

/** `/w/<ws>/runs/<job id>`: the page of one job. */
export function jobUrl(workspaceId: string, jobId: string): string {
  return `${workspaceUrl(workspaceId)}/runs/${encodeURIComponent(jobId)}`;
}
