import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { isApiError } from "../../api/client";
import { Segmented } from "../../components/Segmented";
import { formatJson } from "../../lib/format";
import { fieldId } from "../forms/formContext";
import { SchemaForm } from "../forms/SchemaForm";
import { fromArgs, hasField, initialValues, toArgs } from "../forms/schemaForm";
import { isFormSchema, isRecord, type Schema } from "../forms/schemaKind";
import { useSchemaForm } from "../forms/useSchemaForm";
import { parseObject } from "./errors";
import { FormFooter } from "./FormParts";

type Mode = "form" | "json";
const MODES = [
  ["form", "Form"],
  ["json", "JSON"],
] as const;

/** The value's field a 400 is about (`detail.path`, e.g. ["port"] → "port"), if any. */
function refusedValueField(error: Error | null): string | null {
  if (!isApiError(error, 400) || !isRecord(error.detail) || error.detail.field !== "value") return null;
  const path = error.detail.path;
  return Array.isArray(path) && path.length > 0 ? path.join(".") : null;
}

interface ResourceValueFormProps {
  /** The form's accessible name. */
  label: string;
  typeName: string;
  /** The type's JSON Schema; null while no type is chosen. */
  schema: Schema | null;
  /** The stored value to edit; null: the schema's defaults. */
  start: Record<string, unknown> | null;
  /** The fields above the value (type, path, description). */
  header: ReactNode;
  /** Checks the header's fields (saying what is wrong there); false stops the submit. */
  check: () => boolean;
  /** The API's refusal that the header does not show. */
  error: Error | null;
  pending: boolean;
  submitLabel: string;
  onEdit: () => void;
  onSubmit: (value: Record<string, unknown>) => void;
  onCancel: () => void;
}

/**
 * A resource's value: the generated form of its type's schema (REUSING the run forms: a
 * `format: password` field types a secret or picks a secret variable, `$var:<path>`), or its
 * raw JSON. The two switch back and forth without losing what was typed.
 */
export function ResourceValueForm(props: ResourceValueFormProps) {
  const { label, typeName, schema, start, header, check, error, pending, submitLabel, onEdit, onSubmit, onCancel } = props;
  const id = useId();
  const formable = isFormSchema(schema);
  const [mode, setMode] = useState<Mode>(formable ? "form" : "json");
  const form = useSchemaForm(schema ?? {}, () => (start ? fromArgs(schema, start) : initialValues(schema)));
  const [text, setText] = useState(() => formatJson(start ?? (formable ? toArgs(schema, form.value) : {})));
  const [invalid, setInvalid] = useState<string | null>(null);

  const refused = mode === "form" ? refusedValueField(error) : null;
  const apiField = refused !== null && hasField(schema, refused) ? refused : null;
  const errors = apiField !== null && error ? { ...form.shown, [apiField]: error.message } : form.shown;
  const message = invalid ?? (apiField === null ? (error?.message ?? null) : null);
  const valueId = `${id}-value`;

  // The API refused one of the value's fields: take the user there.
  useEffect(() => {
    if (apiField !== null) document.getElementById(fieldId(valueId, apiField))?.focus();
  }, [apiField, valueId]);

  function switchMode(next: Mode) {
    if (next === mode) return;
    if (next === "json") {
      setText(formatJson(toArgs(schema, form.value)));
      setInvalid(null);
      setMode("json");
      return;
    }
    const parsed = parseObject(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    form.setValue(fromArgs(schema, parsed.value));
    setInvalid(null);
    setMode("form");
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const headerOk = check();
    if (schema === null) return;
    let value: Record<string, unknown>;
    if (mode === "form") {
      if (!form.trySubmit()) {
        const [first] = Object.keys(form.errors);
        if (headerOk && first !== undefined) document.getElementById(fieldId(valueId, first))?.focus();
        return;
      }
      value = toArgs(schema, form.value);
    } else {
      const parsed = parseObject(text);
      if (!parsed.ok) {
        setInvalid(parsed.message);
        return;
      }
      value = parsed.value;
    }
    if (headerOk) onSubmit(value);
  }

  return (
    <form className="resource-form" aria-label={label} onSubmit={submit} noValidate>
      {header}
      <div className="resource-value-header">
        <h3 className="subheading">Value</h3>
        {formable && <Segmented options={MODES} value={mode} onChange={switchMode} label="Edit the value as" />}
      </div>
      {schema === null ? (
        <p className="muted">Choose a type to fill in its fields.</p>
      ) : mode === "form" ? (
        <SchemaForm
          schema={schema}
          idPrefix={valueId}
          value={form.value}
          errors={errors}
          onTouched={form.touch}
          onChange={(value) => {
            form.setValue(value);
            onEdit();
          }}
        />
      ) : (
        <div className="field">
          <label htmlFor={`${id}-json`}>Value (JSON)</label>
          <textarea
            id={`${id}-json`}
            className="mono"
            rows={Math.min(16, Math.max(4, text.split("\n").length))}
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setInvalid(null);
              onEdit();
            }}
          />
          <div className="field-hint">
            An object of the {typeName} type&apos;s fields; put <code>$var:&lt;path&gt;</code> of a secret where a
            password goes.
          </div>
        </div>
      )}
      <FormFooter message={message} pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
