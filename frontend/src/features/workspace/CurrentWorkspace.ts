import { createContext, useContext } from "react";
import type { Workspace } from "../../api/client";

export const CurrentWorkspaceContext = createContext<Workspace | null>(null);

/** The workspace named in the URL; only usable below <WorkspaceRoute>. */
export function useCurrentWorkspace(): Workspace {
  const workspace = useContext(CurrentWorkspaceContext);
  if (workspace === null) throw new Error("useCurrentWorkspace() used outside <WorkspaceRoute>");
  return workspace;
}

/** URL prefix of every page of a workspace. */
export function workspaceUrl(workspaceId: string): string {
  return `/w/${encodeURIComponent(workspaceId)}`;
}
