import { useEffect, useId, useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import { isApiError } from "../../api/client";
import { formatJson } from "../../lib/format";
import { fieldId } from "../forms/formContext";
import { SchemaForm } from "../forms/SchemaForm";
import { fromArgs, hasField, initialValues, toArgs } from "../forms/schemaForm";
import { isFormSchema, isRecord } from "../forms/schemaKind";
import { useSchemaForm } from "../forms/useSchemaForm";

type Parsed = { ok: true; args: Record<string, unknown> } | { ok: false; message: string };

export function parseArgs(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (error) {
    return { ok: false, message: `Invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "The arguments must be a JSON object, e.g. {\"name\": \"world\"}" };
  }
  return { ok: true, args: value as Record<string, unknown> };
}

/** The argument the API's 400 names (`detail.field`: `count`, `address.city`), if any. */
function refusedField(error: Error | null): string | null {
  if (!isApiError(error, 400) || !isRecord(error.detail)) return null;
  return typeof error.detail.field === "string" && error.detail.field !== "" ? error.detail.field : null;
}

interface ArgsFormProps {
  /** The script's JSON Schema; without one (or one listing no properties), arguments are typed as JSON. */
  schema?: unknown;
  /** The arguments to start from (a job's); by default the schema's defaults. */
  initialArgs?: Record<string, unknown>;
  submitLabel: string;
  /** The accessible name of the form. */
  label: string;
  pending: boolean;
  /** The API's refusal of the last submit, if any. */
  error: Error | null;
  /** Called with the arguments; invalid ones never get here. */
  onSubmit: (args: Record<string, unknown>) => void;
  /** The user edited the arguments: a shown API error no longer applies. */
  onEdit?: () => void;
  /** More controls between the error and the submit button. */
  children?: ReactNode;
  /** Next to the submit button (e.g. a Cancel button). */
  actions?: ReactNode;
}

/**
 * A script's arguments: a form generated from its schema, or the raw JSON
 * (the "JSON" toggle, and the only way for a script without a schema).
 * Checked locally before they are sent; Ctrl/Cmd+Enter submits.
 */
export function ArgsForm(props: ArgsFormProps) {
  const { schema, initialArgs, submitLabel, label, pending, error, onSubmit, onEdit, children, actions } = props;
  const id = useId();
  const formable = isFormSchema(schema);
  const [mode, setMode] = useState<"form" | "json">(formable ? "form" : "json");
  const form = useSchemaForm(schema, () => (initialArgs ? fromArgs(schema, initialArgs) : initialValues(schema)));
  const [text, setText] = useState(() => formatJson(initialArgs ?? toArgs(schema, form.value)));
  const [invalid, setInvalid] = useState<string | null>(null);

  const field = mode === "form" ? refusedField(error) : null;
  const apiField = field !== null && hasField(schema, field) ? field : null;
  const errors = apiField !== null && error ? { ...form.shown, [apiField]: error.message } : form.shown;
  const message = invalid ?? (apiField === null ? (error?.message ?? null) : null);

  // The API refused a field: take the user there.
  useEffect(() => {
    if (apiField !== null) document.getElementById(fieldId(id, apiField))?.focus();
  }, [apiField, id]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (mode === "form") {
      if (!form.trySubmit()) {
        const [first] = Object.keys(form.errors);
        if (first !== undefined) document.getElementById(fieldId(id, first))?.focus();
        return;
      }
      onSubmit(toArgs(schema, form.value));
      return;
    }
    const parsed = parseArgs(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    onSubmit(parsed.args);
  }

  function toggleMode() {
    if (mode === "form") {
      setText(formatJson(toArgs(schema, form.value)));
      setMode("json");
      return;
    }
    const parsed = parseArgs(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    form.setValue(fromArgs(schema, parsed.args));
    setInvalid(null);
    setMode("form");
  }

  function submitOnCtrlEnter(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !pending) {
      event.preventDefault();
      event.currentTarget.requestSubmit();
    }
  }

  return (
    <form className="run-form" onSubmit={submit} onKeyDown={submitOnCtrlEnter} aria-label={label} noValidate>
      {formable && (
        <div className="args-toolbar">
          <button type="button" className="button button-small" aria-pressed={mode === "json"} onClick={toggleMode}>
            JSON
          </button>
        </div>
      )}
      {mode === "form" ? (
        <SchemaForm
          schema={schema}
          idPrefix={id}
          value={form.value}
          errors={errors}
          onTouched={form.touch}
          onChange={(value) => {
            form.setValue(value);
            onEdit?.();
          }}
        />
      ) : (
        <div className="field">
          <label htmlFor={id}>Arguments (JSON)</label>
          <textarea
            id={id}
            className="mono"
            rows={Math.min(12, Math.max(3, text.split("\n").length))}
            spellCheck={false}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setInvalid(null);
              onEdit?.();
            }}
          />
        </div>
      )}
      {message !== null && (
        <p className="form-error" role="alert">
          {message}
        </p>
      )}
      {children}
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={pending}>
          {submitLabel}
        </button>
        {actions}
        <span className="muted form-shortcut">Ctrl/⌘ + Enter</span>
      </div>
    </form>
  );
}
