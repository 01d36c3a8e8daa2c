import type { Script, Workspace } from "../../api/client";

/** Operators run scripts but never write them; the API refuses their saves. */
export function writesScripts(workspace: Workspace): boolean {
  return workspace.role !== "operator";
}

/** Saving needs write access to the path too (as WebhookPanel decides it). */
export function canEdit(workspace: Workspace, script: Pick<Script, "access"> | undefined): boolean {
  return writesScripts(workspace) && (script?.access === "write" || script?.access === "owner");
}
