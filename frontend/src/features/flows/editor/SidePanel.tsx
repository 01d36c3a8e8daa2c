import { useId } from "react";
import { allModuleIds, findModule, setFailureModule } from "../model/edits";
import type { FlowDocument, FlowModule } from "../model/types";
import { useFlowEditor } from "../model/store";
import { pastePosition } from "./paste";
import { FLOW_INPUT_ID } from "./errorPaths";
import { InputsPanel } from "./InputsPanel";
import { StepPanel } from "./StepPanel";
import { useApply } from "./useEdit";

/** Nothing (or a node that is not a step) selected: the flow's description, and how to start. */
function FlowPanel() {
  const id = useId();
  const description = useFlowEditor((s) => s.doc.description ?? "");
  const doc = useFlowEditor((s) => s.doc);
  const canPaste = useFlowEditor((s) => s.clipboard !== null);
  const paste = useFlowEditor((s) => s.paste);
  const select = useFlowEditor((s) => s.select);
  const apply = useApply();
  return (
    <div className="flow-flow-panel">
      <h2>Flow</h2>
      <div className="field">
        <label htmlFor={id}>Description</label>
        <textarea
          id={id}
          rows={3}
          value={description}
          onChange={(e) => apply((d) => ({ ...d, description: e.target.value }), "flow.description")}
        />
      </div>
      <p className="muted">
        Select a step to set it up, or the inputs node for the flow&apos;s inputs. Add steps with the + buttons on the
        canvas.
      </p>
      <div className="form-actions">
        <button type="button" className="button button-small" onClick={() => select(FLOW_INPUT_ID)}>
          Edit inputs
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={!canPaste}
          onClick={() => paste(pastePosition(doc, null))}
        >
          Paste at the end
        </button>
        {!doc.value.failure_module && (
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              const handler = failureHandler(doc);
              apply((d) => setFailureModule(d, handler), "flow.failure");
              select(handler.id);
            }}
          >
            Add a failure handler
          </button>
        )}
      </div>
    </div>
  );
}

/** A Python step that runs when the flow fails, with the error (step_id, name, message) as input. */
function failureHandler(doc: FlowDocument): FlowModule {
  const taken = new Set(allModuleIds(doc));
  const id = ["failure", "on_failure", "failure_handler"].find((name) => !taken.has(name)) ?? `failure_${taken.size}`;
  return {
    id,
    summary: "When the flow fails",
    value: {
      type: "rawscript",
      language: "python3",
      content: 'def main(error: dict):\n    print(f"flow failed at {error.get(\'step_id\')}: {error.get(\'message\')}")\n    return {"alerted": True}\n',
      input_transforms: { error: { type: "javascript", expr: "error" } },
    },
  };
}

/** The right-hand panel: the selected step, the flow's inputs, or the flow itself. */
export function SidePanel({ workspaceId }: { workspaceId: string }) {
  const selected = useFlowEditor((s) => s.selected);
  const isStep = useFlowEditor((s) => s.selected !== null && findModule(s.doc, s.selected) !== null);
  return (
    <aside className="flow-side" aria-label="Selection">
      {selected === FLOW_INPUT_ID ? (
        <InputsPanel />
      ) : isStep && selected !== null ? (
        <StepPanel key={selected} workspaceId={workspaceId} id={selected} />
      ) : (
        <FlowPanel />
      )}
    </aside>
  );
}
