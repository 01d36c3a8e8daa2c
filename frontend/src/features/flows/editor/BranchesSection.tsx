import { addBranch, removeBranch } from "../model/edits";
import type { Branch, BranchAllValue, BranchOneValue, FlowModule } from "../model/types";
import { ExpressionInput } from "./ExpressionInput";
import { CheckboxField, TextField } from "./fields";
import { useApply, useModuleUpdate } from "./useEdit";

interface BranchesSectionProps {
  module: FlowModule;
  suggestions: readonly string[];
}

/** branchone: the first branch whose predicate is true runs (else the default); branchall: every branch runs. */
export function BranchesSection({ module, suggestions }: BranchesSectionProps) {
  const apply = useApply();
  const update = useModuleUpdate(module.id);
  const value = module.value;
  if (value.type !== "branchone" && value.type !== "branchall") return null;
  const one = value.type === "branchone";
  const setBranch = (index: number, field: string, patch: Partial<Branch>) =>
    update(`branch.${index}.${field}`, (m) => {
      const v = m.value as BranchOneValue | BranchAllValue;
      const branches = v.branches.map((b, i) => (i === index ? { ...b, ...patch } : b));
      return { ...m, value: { ...v, branches } } as FlowModule;
    });

  return (
    <section className="flow-panel-section" aria-label="Branches">
      <h3>{one ? "Branches (the first that matches runs)" : "Branches (all run)"}</h3>
      {value.type === "branchall" && (
        <CheckboxField
          label="Run the branches in parallel"
          checked={value.parallel === true}
          onChange={(parallel) => update("parallel", (m) => ({ ...m, value: { ...m.value, parallel } }) as FlowModule)}
        />
      )}
      <ol className="flow-branches">
        {value.branches.map((branch, index) => (
          <li key={index} className="flow-branch">
            <div className="flow-branch-header">
              <strong>Branch {index + 1}</strong>
              <button
                type="button"
                className="button button-small"
                aria-label={`Remove branch ${index + 1}`}
                // A branchall needs a branch; a branchone without any still has its default.
                disabled={!one && value.branches.length <= 1}
                onClick={() => apply((doc) => removeBranch(doc, module.id, index))}
              >
                Remove
              </button>
            </div>
            <TextField
              label={`Branch ${index + 1} summary`}
              value={branch.summary ?? ""}
              onChange={(summary) => setBranch(index, "summary", { summary })}
            />
            {one ? (
              <ExpressionInput
                label={`Branch ${index + 1} predicate`}
                visibleLabel="Predicate"
                placeholder="results.score > 50"
                value={branch.expr ?? ""}
                suggestions={suggestions}
                onChange={(expr) => setBranch(index, "expr", { expr })}
              />
            ) : (
              <CheckboxField
                label="A failure here does not fail the flow"
                checked={branch.skip_failure === true}
                onChange={(skip_failure) => setBranch(index, "skip_failure", { skip_failure })}
              />
            )}
            <p className="muted">{branch.modules.length} step{branch.modules.length === 1 ? "" : "s"}: add them on the canvas.</p>
          </li>
        ))}
      </ol>
      {one && <p className="muted">Otherwise: the default branch ({value.default.length} steps).</p>}
      <button type="button" className="button button-small" onClick={() => apply((doc) => addBranch(doc, module.id))}>
        Add branch
      </button>
    </section>
  );
}
