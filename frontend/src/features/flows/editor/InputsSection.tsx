import { properties, resolveField, type Schema } from "../../forms/schemaKind";
import type { FlowModule, InputTransform, InputTransforms } from "../model/types";
import { TransformField } from "./TransformField";
import { useModuleUpdate } from "./useEdit";

interface InputsSectionProps {
  module: FlowModule;
  /** The parameters: the code's inferred schema, or the script's or subflow's; null while unknown. */
  schema: Schema | null;
  suggestions: readonly string[];
  /** The flow's input names: an input of the same name starts as `flow_input.<name>`. */
  flowInputs: readonly string[];
}

function transformsOf(module: FlowModule): InputTransforms {
  const value = module.value as { input_transforms?: InputTransforms };
  return value.input_transforms ?? {};
}

/** One Static/Expression field per parameter, then any input the code no longer declares. */
export function InputsSection({ module, schema, suggestions, flowInputs }: InputsSectionProps) {
  const update = useModuleUpdate(module.id);
  const transforms = transformsOf(module);
  const params = schema === null ? [] : properties(resolveField(schema).schema);
  const declared = new Set(params.map((p) => p.name));
  const extra = Object.keys(transforms).filter((name) => !declared.has(name));

  const setTransforms = (field: string, next: (all: InputTransforms) => InputTransforms) =>
    update(field, (m) => ({
      ...m,
      value: { ...m.value, input_transforms: next((m.value as { input_transforms?: InputTransforms }).input_transforms ?? {}) },
    }) as FlowModule);
  const set = (name: string) => (transform: InputTransform) =>
    setTransforms(`input.${name}`, (all) => ({ ...all, [name]: transform }));
  const remove = (name: string) => () =>
    setTransforms(`input.${name}.remove`, ({ [name]: _gone, ...rest }) => rest);
  const fallback = (name: string) => (flowInputs.includes(name) ? `flow_input.${name}` : "");

  return (
    <section className="flow-panel-section" aria-label="Inputs">
      <h3>Inputs</h3>
      {schema === null && extra.length === 0 && <p className="muted">Reading the parameters…</p>}
      {schema !== null && params.length === 0 && extra.length === 0 && <p className="muted">No parameters.</p>}
      {/* One list, so an input keeps its field (and focus) when the parameters arrive. */}
      {[
        ...params,
        ...extra.map((name) => ({ name, schema: undefined, required: false })),
      ].map((param) => (
        <TransformField
          key={param.name}
          name={param.name}
          schema={param.schema}
          required={param.required}
          transform={transforms[param.name]}
          suggestions={suggestions}
          defaultExpr={fallback(param.name)}
          onChange={set(param.name)}
          onRemove={param.schema === undefined && schema !== null ? remove(param.name) : undefined}
        />
      ))}
    </section>
  );
}
