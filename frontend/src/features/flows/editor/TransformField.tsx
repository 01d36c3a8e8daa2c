import { useMemo, useState } from "react";
import { Segmented } from "../../../components/Segmented";
import { SchemaForm } from "../../forms/SchemaForm";
import { fromArgs, toArgs, type FormValue } from "../../forms/schemaForm";
import type { Schema } from "../../forms/schemaKind";
import type { InputTransform } from "../model/types";
import { ExpressionInput } from "./ExpressionInput";
import { modeOf, switchMode, type TransformMode } from "./transforms";

const MODES = [
  ["static", "Static"],
  ["javascript", "Expression"],
] as const;

interface TransformFieldProps {
  name: string;
  /** The parameter's JSON Schema; none (an input the code does not declare): a JSON value. */
  schema: Schema | undefined;
  required: boolean;
  transform: InputTransform | undefined;
  suggestions: readonly string[];
  /** What a switch to Expression starts from when there is no value yet. */
  defaultExpr: string;
  onChange: (transform: InputTransform) => void;
  /** An input the code does not take (any more): said so, and removable. */
  onRemove?: () => void;
}

/**
 * The static form holds its own value while typing: the form value of a JSON field is text,
 * and writing each keystroke's parse back through the document would rewrite what is being
 * typed. The document's value is read again only when it changes from elsewhere (undo, YAML).
 */
function StaticValue({ name, schema, required, value, onChange }: {
  name: string;
  schema: Schema | undefined;
  required: boolean;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  const wrapper = useMemo(
    () => ({ type: "object", properties: { [name]: schema ?? {} }, required: required ? [name] : [] }),
    [name, schema, required],
  );
  // The schema is part of the key: when the parameters arrive, a JSON text becomes a typed widget.
  const shape = JSON.stringify(schema ?? null);
  const key = `${JSON.stringify(value) ?? ""}|${shape}`;
  const [local, setLocal] = useState<{ key: string; form: FormValue }>(() => ({
    key,
    form: fromArgs(wrapper, value === undefined ? {} : { [name]: value }),
  }));
  if (local.key !== key) setLocal({ key, form: fromArgs(wrapper, value === undefined ? {} : { [name]: value }) });
  return (
    <SchemaForm
      schema={wrapper}
      value={local.form}
      onChange={(form) => {
        const next = toArgs(wrapper, form)[name];
        setLocal({ key: `${JSON.stringify(next) ?? ""}|${shape}`, form });
        onChange(next);
      }}
    />
  );
}

/** One step input: Static (the generated widget) or Expression (JavaScript over flow_input and results). */
export function TransformField(props: TransformFieldProps) {
  const { name, schema, required, transform, suggestions, defaultExpr, onChange, onRemove } = props;
  const mode = modeOf(transform);
  const setMode = (next: TransformMode) => {
    if (next !== mode) onChange(switchMode(transform, next, defaultExpr));
  };
  return (
    <fieldset className="flow-transform" role="group" aria-label={name}>
      <legend>
        <span className="mono">{name}</span>
        {required && <span className="field-required"> *</span>}
        {onRemove && <span className="muted"> (not a parameter of the code)</span>}
      </legend>
      {/* Not a named group of its own: the fieldset is the group named by the input. */}
      <Segmented options={MODES} value={mode} onChange={setMode} className="flow-transform-mode" />
      {onRemove && (
        <button type="button" className="button-link flow-transform-remove" aria-label={`Remove input ${name}`} onClick={onRemove}>
          Remove
        </button>
      )}
      {transform?.type === "javascript" ? (
        <ExpressionInput
          label={`${name} expression`}
          value={transform.expr}
          suggestions={suggestions}
          onChange={(expr) => onChange({ type: "javascript", expr })}
        />
      ) : (
        <StaticValue
          name={name}
          schema={schema}
          required={required}
          value={transform?.value}
          onChange={(value) => onChange({ type: "static", value })}
        />
      )}
    </fieldset>
  );
}
