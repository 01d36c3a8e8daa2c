import { useState } from "react";
import { Dialog } from "../../../components/Dialog";
import { DraftBanner } from "../../editor/DraftBanner";
import { useUnsavedGuard } from "../../editor/useUnsavedGuard";
import { useShortcut } from "../../shortcuts/useShortcut";
import { useFlowEditor, useFlowEditorStore } from "../model/store";
import { CanvasPane } from "./CanvasPane";
import { selectionForPath } from "./errorPaths";
import { flowDraftKey } from "./flowDraft";
import { FlowToolbar, type EditorView } from "./FlowToolbar";
import { FlowVersions } from "./FlowVersions";
import { ImportDialog } from "./ImportDialog";
import { IssuesList } from "./IssuesList";
import { SidePanel } from "./SidePanel";
import { TestRunDialog, TestRunDrawer } from "./TestRun";
import { hasUnsavedWork } from "./unsaved";
import { useApply } from "./useEdit";
import { useDeploy } from "./useDeploy";
import { useFlowDraft } from "./useFlowDraft";
import { YamlView } from "./YamlView";
import "../../editor/editor.css";
import "./flowEditor.css";

interface FlowEditorProps {
  workspaceId: string;
  isNew: boolean;
  /** Offer a draft left from an earlier visit (not when an old version was opened on purpose). */
  offerDraft: boolean;
  /** The status on opening (a first deploy lands here), and the test run it started. */
  deployedMessage?: string;
  initialTestRun?: string | null;
}

type Open = "import" | "versions" | "test" | null;

/** The flow editor: toolbar, graph or YAML, the selection's panel, drafts, deploy and test runs. */
export function FlowEditor({ workspaceId, isNew, offerDraft, deployedMessage, initialTestRun }: FlowEditorProps) {
  const store = useFlowEditorStore();
  const dirty = useFlowEditor(hasUnsavedWork);
  const baseHash = useFlowEditor((s) => s.baseHash);
  const path = useFlowEditor((s) => s.path);
  const select = useFlowEditor((s) => s.select);
  const apply = useApply();
  const [view, setView] = useState<EditorView>("graph");
  const [open, setOpen] = useState<Open>(null);
  const [testRun, setTestRun] = useState<string | null>(initialTestRun ?? null);
  // The key is fixed when the editor opens: a new flow's draft stays "new" until its first deploy.
  const [draftKey] = useState(() => flowDraftKey(workspaceId, isNew ? null : store.getState().path));
  const draft = useFlowDraft({ draftKey, offer: offerDraft });
  const guard = useUnsavedGuard(dirty);
  const deployer = useDeploy({
    workspaceId,
    isNew,
    bypass: guard.bypass,
    onDeployed: draft.saved,
    initialMessage: deployedMessage,
  });
  const { status, issues } = deployer;

  useShortcut("Mod+z", () => store.getState().undo(), { description: "Undo", group: "Flow editor" });
  useShortcut("Mod+Shift+z", () => store.getState().redo(), { description: "Redo", group: "Flow editor" });
  useShortcut("Mod+s", () => void deployer.deploy(), { description: "Deploy the flow", group: "Flow editor" });

  return (
    <div className="flow-editor">
      <FlowToolbar
        isNew={isNew}
        view={view}
        onView={setView}
        onImport={() => setOpen("import")}
        onVersions={() => setOpen("versions")}
        onTestRun={() => setOpen("test")}
        onDeploy={() => void deployer.deploy()}
        deploying={deployer.pending}
      />
      {draft.offer && (
        <DraftBanner
          draft={draft.offer}
          baseHash={baseHash}
          since="the flow has been deployed since"
          onRestore={draft.restore}
          onDiscard={draft.discard}
        />
      )}
      <div className="editor-status" role="status" aria-live="polite">
        {status.kind === "error" && issues.length === 0 ? (
          <span className="form-error-inline" data-testid="deploy-error">
            {status.message}
          </span>
        ) : status.kind === "done" || status.kind === "busy" ? (
          <span className={status.kind === "done" ? "form-ok" : "muted"} data-testid="deploy-status">
            {status.message}
          </span>
        ) : null}
        {dirty && <span className="muted editor-dirty">Unsaved changes</span>}
        <span className="muted form-shortcut">Ctrl/⌘ + S deploys · Ctrl/⌘ + Z undoes</span>
      </div>
      <IssuesList
        issues={issues}
        onPick={(issue) => {
          const target = selectionForPath(store.getState().doc, issue.path);
          if (target !== null) select(target);
          setView("graph");
        }}
      />
      <div className="flow-editor-body">
        <div className="flow-editor-main">
          {view === "graph" ? <CanvasPane workspaceId={workspaceId} /> : <YamlView />}
        </div>
        <SidePanel workspaceId={workspaceId} />
      </div>
      {testRun !== null && <TestRunDrawer key={testRun} workspaceId={workspaceId} jobId={testRun} onClose={() => setTestRun(null)} />}

      {open === "import" && (
        <ImportDialog
          onClose={() => setOpen(null)}
          onImport={(doc) => {
            apply(() => doc);
            select(null);
            setOpen(null);
          }}
        />
      )}
      {open === "versions" && (
        <Dialog title="Versions" onClose={() => setOpen(null)} className="flow-versions-dialog">
          <FlowVersions workspaceId={workspaceId} path={path} canEdit onOpen={() => setOpen(null)} />
        </Dialog>
      )}
      {open === "test" && (
        <TestRunDialog
          workspaceId={workspaceId}
          deploy={(options) => deployer.deploy(options)}
          onClose={() => setOpen(null)}
          onStarted={(id) => {
            setOpen(null);
            setTestRun(id);
          }}
        />
      )}
      {guard.dialog}
    </div>
  );
}
