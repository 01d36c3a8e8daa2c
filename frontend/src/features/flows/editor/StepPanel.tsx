import { useMemo, useState } from "react";
import { dependentsOf, findModule, removeModule } from "../model/edits";
import { useFlowEditor } from "../model/store";
import type { FlowModule, RawScriptValue, ScriptValue, SubflowValue } from "../model/types";
import { BranchesSection } from "./BranchesSection";
import { CodeStep } from "./CodeStep";
import { DeleteStepDialog } from "./DeleteStepDialog";
import { TextField } from "./fields";
import { LoopSection } from "./LoopSection";
import { OptionsSection } from "./OptionsSection";
import { PathStep } from "./PathStep";
import { StepIdField } from "./StepIdField";
import { expressionSuggestions, flowInputNames } from "./suggestions";
import { useApply, useModuleUpdate } from "./useEdit";

const KIND_LABELS: Record<string, string> = {
  rawscript: "Inline script",
  script: "Script",
  flow: "Subflow",
  forloopflow: "For loop",
  whileloopflow: "While loop",
  branchone: "Branch (first match)",
  branchall: "Branch (all)",
  identity: "Pass-through",
};

function isCode(module: FlowModule): module is FlowModule & { value: RawScriptValue } {
  return module.value.type === "rawscript";
}

function isPathStep(module: FlowModule): module is FlowModule & { value: ScriptValue | SubflowValue } {
  return module.value.type === "script" || module.value.type === "flow";
}

/** What the selected step does and how it is set up; every change is one undoable store edit. */
export function StepPanel({ workspaceId, id }: { workspaceId: string; id: string }) {
  const doc = useFlowEditor((s) => s.doc);
  const testResults = useFlowEditor((s) => s.testResults);
  const select = useFlowEditor((s) => s.select);
  const copy = useFlowEditor((s) => s.copy);
  const paste = useFlowEditor((s) => s.paste);
  const canPaste = useFlowEditor((s) => s.clipboard !== null);
  const apply = useApply();
  const update = useModuleUpdate(id);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const found = findModule(doc, id);
  const suggestions = useMemo(() => expressionSuggestions(doc, id, testResults), [doc, id, testResults]);
  const flowInputs = useMemo(() => flowInputNames(doc), [doc]);
  if (found === null) return <p className="muted">This step is no longer in the flow.</p>;
  const { module } = found;
  const props = { workspaceId, suggestions, flowInputs };

  return (
    <div className="flow-step-panel" data-testid="step-panel">
      <div className="flow-panel-header">
        <h2>
          {KIND_LABELS[module.value.type] ?? module.value.type}
          {module.suspend !== undefined && " · approval"}
        </h2>
        <div className="flow-panel-actions">
          <button type="button" className="button button-small" onClick={() => copy(id)}>
            Copy
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={!canPaste}
            title="Paste the copied step after this one"
            onClick={() => paste({ list: found.position.list, index: found.position.index + 1 })}
          >
            Paste
          </button>
          <button type="button" className="button button-small button-danger" onClick={() => setConfirmDelete(true)}>
            Delete step
          </button>
        </div>
      </div>
      <StepIdField id={id} />
      <TextField
        label="Summary"
        value={module.summary ?? ""}
        placeholder="What the step does"
        onChange={(summary) => update("summary", (m) => ({ ...m, summary }))}
      />
      {isCode(module) && <CodeStep key={id} module={module} {...props} />}
      {isPathStep(module) && <PathStep key={id} module={module} {...props} />}
      <LoopSection module={module} suggestions={suggestions} />
      <BranchesSection module={module} suggestions={suggestions} />
      <OptionsSection module={module} suggestions={suggestions} />
      {confirmDelete && (
        <DeleteStepDialog
          id={id}
          dependents={dependentsOf(doc, id)}
          onClose={() => setConfirmDelete(false)}
          onConfirm={() => {
            setConfirmDelete(false);
            apply((d) => removeModule(d, id));
            select(null);
          }}
        />
      )}
    </div>
  );
}
