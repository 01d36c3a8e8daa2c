import type { FlowModule, ForLoopValue, InputTransform, WhileLoopValue } from "../model/types";
import { ExpressionInput } from "./ExpressionInput";
import { CheckboxField, NumberField } from "./fields";
import { useModuleUpdate } from "./useEdit";

/** A static iterator reads as its JSON (a valid expression giving the same list). */
function iteratorText(iterator: InputTransform | undefined): string {
  if (iterator === undefined) return "";
  return iterator.type === "javascript" ? iterator.expr : (JSON.stringify(iterator.value) ?? "");
}

function parallelismOf(value: ForLoopValue["parallelism"]): number | undefined {
  if (typeof value === "number") return value;
  return value?.type === "static" && typeof value.value === "number" ? value.value : undefined;
}

interface LoopSectionProps {
  module: FlowModule;
  suggestions: readonly string[];
}

/** A for loop's iterator and parallelism, a while loop's failure handling. */
export function LoopSection({ module, suggestions }: LoopSectionProps) {
  const update = useModuleUpdate(module.id);
  const value = module.value;
  if (value.type !== "forloopflow" && value.type !== "whileloopflow") return null;
  const setValue = (field: string, patch: Partial<ForLoopValue> | Partial<WhileLoopValue>) =>
    update(field, (m) => ({ ...m, value: { ...m.value, ...patch } }) as FlowModule);

  return (
    <section className="flow-panel-section" aria-label="Loop">
      <h3>{value.type === "forloopflow" ? "For each" : "While"}</h3>
      {value.type === "forloopflow" ? (
        <>
          <ExpressionInput
            label="Iterator expression"
            visibleLabel="Iterator expression (a list)"
            placeholder="results.fetch"
            value={iteratorText(value.iterator)}
            suggestions={suggestions}
            onChange={(expr) => setValue("iterator", { iterator: { type: "javascript", expr } })}
          />
          <p className="muted field-hint">
            Steps inside see <code>flow_input.iter.value</code> and <code>flow_input.iter.index</code>.
          </p>
          <CheckboxField label="Parallel" checked={value.parallel === true} onChange={(parallel) => setValue("parallel", { parallel })} />
          {value.parallel === true && (
            <NumberField
              label="Parallelism"
              min={1}
              value={parallelismOf(value.parallelism)}
              onChange={(n) =>
                update("parallelism", (m) => {
                  const { parallelism: _old, ...rest } = m.value as ForLoopValue;
                  return { ...m, value: n === undefined ? rest : { ...rest, parallelism: n } } as FlowModule;
                })
              }
            />
          )}
        </>
      ) : (
        <p className="muted">
          The loop runs its steps again until one of them has a <strong>Stop after if</strong> that is true (see its
          options), at most 10 000 times. Steps see the iteration number as <code>flow_input.iter.value</code>.
        </p>
      )}
      <CheckboxField
        label="Skip failures (a failed iteration does not fail the loop)"
        checked={value.skip_failures === true}
        onChange={(skip_failures) => setValue("skip_failures", { skip_failures })}
      />
    </section>
  );
}
