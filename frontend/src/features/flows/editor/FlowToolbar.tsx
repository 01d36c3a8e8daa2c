import { useId, useState } from "react";
import { Segmented } from "../../../components/Segmented";
import { useFlowEditor } from "../model/store";
import { downloadDoc, type ExportFormat } from "./exportDoc";
import { useApply } from "./useEdit";

export type EditorView = "graph" | "yaml";

const VIEWS = [
  ["graph", "Graph"],
  ["yaml", "YAML"],
] as const;

interface FlowToolbarProps {
  isNew: boolean;
  view: EditorView;
  onView: (view: EditorView) => void;
  onImport: () => void;
  onVersions: () => void;
  onTestRun: () => void;
  onDeploy: () => void;
  deploying: boolean;
}

function ExportMenu() {
  const [open, setOpen] = useState(false);
  const doc = useFlowEditor((s) => s.doc);
  const path = useFlowEditor((s) => s.path);
  const download = (format: ExportFormat) => {
    downloadDoc(doc, path, format);
    setOpen(false);
  };
  return (
    <span className="flow-export">
      <button type="button" className="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Export
      </button>
      {open && (
        <span className="flow-export-menu" role="group" aria-label="Export as">
          <button type="button" className="button button-small" onClick={() => download("yaml")}>
            YAML
          </button>
          <button type="button" className="button button-small" onClick={() => download("json")}>
            JSON
          </button>
        </span>
      )}
    </span>
  );
}

/** Path and summary (what the version is deployed as), history, views, and the actions. */
export function FlowToolbar(props: FlowToolbarProps) {
  const { isNew, view, onView, onImport, onVersions, onTestRun, onDeploy, deploying } = props;
  const id = useId();
  const path = useFlowEditor((s) => s.path);
  const summary = useFlowEditor((s) => s.doc.summary ?? "");
  const canUndo = useFlowEditor((s) => s.past.length > 0);
  const canRedo = useFlowEditor((s) => s.future.length > 0);
  const undo = useFlowEditor((s) => s.undo);
  const redo = useFlowEditor((s) => s.redo);
  const setPath = useFlowEditor((s) => s.setPath);
  const apply = useApply();

  return (
    <div className="flow-toolbar" role="toolbar" aria-label="Flow editor">
      <div className="flow-toolbar-fields">
        <div className="field">
          <label htmlFor={`${id}-path`}>Path</label>
          <input
            id={`${id}-path`}
            type="text"
            className="mono"
            value={path}
            // A deployed flow keeps its path: another path would be another flow.
            readOnly={!isNew}
            placeholder="f/folder/my_flow"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setPath(e.target.value)}
          />
        </div>
        <div className="field flow-toolbar-summary">
          <label htmlFor={`${id}-summary`}>Flow summary</label>
          <input
            id={`${id}-summary`}
            type="text"
            value={summary}
            placeholder="What the flow does, in a line"
            onChange={(e) => apply((doc) => ({ ...doc, summary: e.target.value }), "flow.summary")}
          />
        </div>
      </div>
      <div className="flow-toolbar-actions">
        <button type="button" className="button" disabled={!canUndo} onClick={undo} title="Ctrl/⌘ + Z">
          Undo
        </button>
        <button type="button" className="button" disabled={!canRedo} onClick={redo} title="Ctrl/⌘ + Shift + Z">
          Redo
        </button>
        <Segmented options={VIEWS} value={view} onChange={onView} label="View" />
        <button type="button" className="button" onClick={onImport}>
          Import
        </button>
        <ExportMenu />
        <button type="button" className="button" disabled={isNew} onClick={onVersions}>
          Versions
        </button>
        <button type="button" className="button" onClick={onTestRun}>
          Test run
        </button>
        <button type="button" className="button button-primary" disabled={deploying} onClick={onDeploy} title="Ctrl/⌘ + S">
          Deploy
        </button>
      </div>
    </div>
  );
}
