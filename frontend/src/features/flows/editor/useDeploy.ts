import { useRef, useState } from "react";
import { useNavigate } from "react-router";
import { shortHash } from "../../../lib/format";
import { editFlowUrl } from "../links";
import { useFlowEditorStore } from "../model/store";
import { flowIssuesOf, useDeployFlow, type Flow, type FlowIssue } from "../queries";

export type DeployStatus =
  | { kind: "idle" }
  | { kind: "busy"; message: string }
  | { kind: "done"; message: string }
  | { kind: "error"; message: string };

export interface Deployed {
  flow: Flow;
  message: string;
  /** The test run started right after, if one was asked for. */
  testRun: string | null;
}

/** What a first deploy hands to the edit page it opens. */
export interface DeployedState {
  deployed: string;
  testRun: string | null;
}

interface DeployOptions {
  workspaceId: string;
  isNew: boolean;
  /** Navigates without the unsaved-changes prompt (the changes were just deployed). */
  bypass: (go: () => void) => void;
  /** The draft is obsolete once deployed. */
  onDeployed: () => void;
  initialMessage?: string;
}

/** Deploy: the editor's document saved at its path as a new version (Mod+S, the Deploy button). */
export function useDeploy({ workspaceId, isNew, bypass, onDeployed, initialMessage }: DeployOptions) {
  const store = useFlowEditorStore();
  const navigate = useNavigate();
  const mutation = useDeployFlow(workspaceId);
  const [status, setStatus] = useState<DeployStatus>(
    initialMessage ? { kind: "done", message: initialMessage } : { kind: "idle" },
  );
  const [issues, setIssues] = useState<FlowIssue[]>([]);
  // Ctrl+S held down repeats: one deploy at a time.
  const busy = useRef(false);

  /**
   * The deployed flow and what the status says, or null (refused: the status and issues say
   * why). A new flow then opens its edit page, with `after` (a test run's id) in the state.
   */
  async function deploy({ after }: { after?: (flow: Flow) => Promise<string | null> } = {}): Promise<Deployed | null> {
    if (busy.current) return null;
    const { doc, path: rawPath, baseHash } = store.getState();
    const path = rawPath.trim();
    if (path === "") {
      setStatus({ kind: "error", message: "A path is required, e.g. u/you/my_flow or f/folder/my_flow" });
      return null;
    }
    busy.current = true;
    setStatus({ kind: "busy", message: "Deploying…" });
    try {
      const { flow, created } = await mutation.mutateAsync({ path, doc });
      store.getState().markDeployed(doc, flow.hash);
      onDeployed();
      setIssues([]);
      const message = created
        ? `Deployed version ${shortHash(flow.hash)}`
        : flow.hash === baseHash
          ? "No changes"
          : `Deployed: version ${shortHash(flow.hash)} is the latest again`;
      setStatus({ kind: "done", message });
      const testRun = after ? await after(flow) : null;
      // A new flow lives at its path from now on: edit it there (the draft key follows).
      if (isNew) {
        const to = editFlowUrl(workspaceId, flow.path);
        bypass(() => void navigate(to, { replace: true, state: { deployed: message, testRun } }));
      }
      return { flow, message, testRun };
    } catch (error) {
      setIssues(flowIssuesOf(error));
      setStatus({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      return null;
    } finally {
      busy.current = false;
    }
  }

  return { deploy, status, issues, pending: mutation.isPending, setStatus };
}
