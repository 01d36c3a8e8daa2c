import { useId, useState } from "react";
import { resolveField, type Schema } from "../forms/schemaKind";
import type { EditableKey } from "./schemaEdits";

interface ParamEditorProps {
  name: string;
  /** The property as the form shows it: inferred, with the edits applied. */
  schema: Schema;
  onEdit: (key: EditableKey, value: unknown) => void;
  onMove: (by: -1 | 1) => void;
  first: boolean;
  last: boolean;
}

const TEXT_KINDS = new Set(["string", "textarea", "email", "uri", "password"]);

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function numberText(value: unknown): string {
  return typeof value === "number" ? String(value) : "";
}

/** "" clears the keyword; anything else must be a number to count. */
function parseNumber(raw: string): number | null | undefined {
  if (raw.trim() === "") return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

function TextInput({ label, value, onChange, multiline = false }: { label: string; value: unknown; onChange: (v: string) => void; multiline?: boolean }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} rows={2} value={text(value)} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input id={id} type="text" value={text(value)} onChange={(e) => onChange(e.target.value)} />
      )}
    </div>
  );
}

function NumberInput({ label, value, onChange }: { label: string; value: unknown; onChange: (v: number | null) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        value={numberText(value)}
        onChange={(e) => {
          const parsed = parseNumber(e.target.value);
          if (parsed !== undefined) onChange(parsed);
        }}
      />
    </div>
  );
}

function SelectInput({ label, value, options, onChange }: { label: string; value: unknown; options: unknown[]; onChange: (v: unknown) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value === undefined ? "" : JSON.stringify(value)}
        onChange={(e) => onChange(e.target.value === "" ? null : (JSON.parse(e.target.value) as unknown))}
      >
        <option value="">(none)</option>
        {options.map((option) => (
          <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A default typed as JSON: kept as typed, and only an edit once it parses. */
function JsonInput({ label, value, onChange }: { label: string; value: unknown; onChange: (v: unknown) => void }) {
  const id = useId();
  const [typed, setTyped] = useState(() => (value === undefined ? "" : JSON.stringify(value)));
  const [invalid, setInvalid] = useState(false);
  function change(next: string) {
    setTyped(next);
    try {
      onChange(next.trim() === "" ? null : (JSON.parse(next) as unknown));
      setInvalid(false);
    } catch {
      setInvalid(true);
    }
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" className="mono" value={typed} aria-invalid={invalid} onChange={(e) => change(e.target.value)} />
      {invalid && <p className="field-hint">Not valid JSON yet: the default is unchanged.</p>}
    </div>
  );
}

/** The default, in the shape the parameter takes; JSON for lists, objects and anything else. */
function DefaultInput({ kind, schema, onChange }: { kind: string; schema: Schema; onChange: (v: unknown) => void }) {
  const value = schema.default;
  if (kind === "integer" || kind === "number") return <NumberInput label="Default" value={value} onChange={onChange} />;
  if (kind === "boolean") return <SelectInput label="Default" value={value} options={[true, false]} onChange={onChange} />;
  if (kind === "enum" && Array.isArray(schema.enum)) {
    return <SelectInput label="Default" value={value} options={schema.enum} onChange={onChange} />;
  }
  if (TEXT_KINDS.has(kind) || kind === "date" || kind === "datetime") {
    return <TextInput label="Default" value={value} onChange={onChange} />;
  }
  return <JsonInput label="Default (JSON)" value={value} onChange={onChange} />;
}

/** One parameter's editable keywords, and its place in the form. */
export function ParamEditor({ name, schema, onEdit, onMove, first, last }: ParamEditorProps) {
  const { kind, schema: resolved } = resolveField(schema);
  const enumValues = Array.isArray(resolved.enum) ? resolved.enum : null;
  const labels = typeof schema.enumLabels === "object" && schema.enumLabels !== null ? (schema.enumLabels as Record<string, unknown>) : {};
  return (
    <fieldset className="param-editor" aria-label={name}>
      <legend>
        <code>{name}</code> <span className="muted">{kind}</span>
      </legend>
      <div className="param-move">
        <button type="button" className="button button-small" disabled={first} aria-label={`Move ${name} up`} onClick={() => onMove(-1)}>
          ↑
        </button>
        <button type="button" className="button button-small" disabled={last} aria-label={`Move ${name} down`} onClick={() => onMove(1)}>
          ↓
        </button>
      </div>
      <TextInput label="Title" value={schema.title} onChange={(v) => onEdit("title", v)} />
      <TextInput label="Description" value={schema.description} onChange={(v) => onEdit("description", v)} multiline />
      <TextInput label="Placeholder" value={schema.placeholder} onChange={(v) => onEdit("placeholder", v)} />
      {(kind === "integer" || kind === "number") && (
        <div className="param-pair">
          <NumberInput label="Minimum" value={schema.minimum} onChange={(v) => onEdit("minimum", v)} />
          <NumberInput label="Maximum" value={schema.maximum} onChange={(v) => onEdit("maximum", v)} />
        </div>
      )}
      {TEXT_KINDS.has(kind) && (
        <div className="param-pair">
          <NumberInput label="Min length" value={schema.minLength} onChange={(v) => onEdit("minLength", v)} />
          <NumberInput label="Max length" value={schema.maxLength} onChange={(v) => onEdit("maxLength", v)} />
        </div>
      )}
      {enumValues !== null && enumValues.length > 0 && (
        <div className="param-labels">
          <span className="field-label">Labels</span>
          {enumValues.map((value) => (
            <TextInput
              key={String(value)}
              label={`Label for ${String(value)}`}
              value={labels[String(value)]}
              onChange={(v) => {
                const next: Record<string, unknown> = { ...labels, [String(value)]: v };
                if (v === "") delete next[String(value)];
                onEdit("enumLabels", Object.keys(next).length > 0 ? next : null);
              }}
            />
          ))}
        </div>
      )}
      <DefaultInput kind={kind} schema={resolved} onChange={(v) => onEdit("default", v)} />
    </fieldset>
  );
}
