import { useId, useState } from "react";
import { SchemaForm } from "../../forms/SchemaForm";
import { initialValues, type FormValue } from "../../forms/schemaForm";
import type { Schema } from "../../forms/schemaKind";
import { useFlowEditor } from "../model/store";
import { CheckboxField, TextField } from "./fields";
import {
  addInput,
  formatDefault,
  INPUT_TYPES,
  inputRows,
  parseDefault,
  removeInput,
  renameInput,
  setInputDefault,
  setInputDescription,
  setInputRequired,
  setInputType,
  type InputRow,
  type InputType,
} from "./flowSchema";
import { useApply } from "./useEdit";

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

type SchemaEdit = (schema: Schema | undefined) => Schema;
/** `field` names the undo step typing in one field makes; none for one-off actions (add, remove, rename). */
type EditSchema = (edit: SchemaEdit, field?: string) => void;

/** The default as text, checked against the type; only a value that fits reaches the schema. */
function DefaultField({ row, onChange }: { row: InputRow; onChange: (value: unknown) => void }) {
  const id = useId();
  const shown = formatDefault(row.default);
  const [text, setText] = useState({ from: shown, value: shown });
  // Read again only when the default changed elsewhere (undo, YAML): not while "1." is being typed.
  if (text.from !== shown) setText({ from: shown, value: shown });
  const parsed = parseDefault(row.type, text.value);
  const error = "error" in parsed ? parsed.error : null;
  const set = (value: string) => {
    const next = parseDefault(row.type, value);
    setText({ from: "value" in next ? formatDefault(next.value) : shown, value });
    if ("value" in next) onChange(next.value);
  };
  if (row.type === "boolean") {
    return (
      <div className="field">
        <label htmlFor={id}>Default</label>
        <select id={id} value={shown} onChange={(e) => set(e.target.value)}>
          <option value="">(none)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      </div>
    );
  }
  return (
    <div className={error ? "field setting-invalid" : "field"}>
      <label htmlFor={id}>Default</label>
      <input
        id={id}
        type={row.type === "date" ? "date" : "text"}
        className={row.type === "array" || row.type === "object" ? "mono" : undefined}
        value={text.value}
        onChange={(e) => set(e.target.value)}
      />
      {error && <div className="field-error">{error}</div>}
    </div>
  );
}

function InputEditor({ row, taken, edit }: { row: InputRow; taken: string[]; edit: EditSchema }) {
  const id = useId();
  const [name, setName] = useState({ for: row.name, text: row.name });
  if (name.for !== row.name) setName({ for: row.name, text: row.name });
  const nameError =
    name.text === row.name
      ? null
      : !NAME_PATTERN.test(name.text)
        ? "Letters, digits and _, not starting with a digit"
        : taken.includes(name.text)
          ? "Another input has this name"
          : null;
  const commitName = () => {
    if (nameError === null && name.text !== row.name) edit((s) => renameInput(s, row.name, name.text));
  };
  const field = (f: string) => `${row.name}.${f}`;
  return (
    <fieldset className="flow-input-row" aria-label={`Input ${row.name}`}>
      <div className="flow-option-row">
        {/* A form, so Enter renames as leaving the field does. */}
        <form
          onSubmit={(event) => {
            event.preventDefault();
            commitName();
          }}
        >
          <TextField
            label="Name"
            mono
            value={name.text}
            error={nameError}
            onChange={(text) => setName({ for: row.name, text })}
            onBlur={commitName}
          />
        </form>
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select
            id={`${id}-type`}
            value={row.type}
            onChange={(e) => edit((s) => setInputType(s, row.name, e.target.value as InputType), field("type"))}
          >
            {INPUT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
      </div>
      <DefaultField key={row.type} row={row} onChange={(v) => edit((s) => setInputDefault(s, row.name, v), field("default"))} />
      <TextField
        label="Description"
        value={row.description}
        onChange={(d) => edit((s) => setInputDescription(s, row.name, d), field("description"))}
      />
      <div className="flow-option-row">
        <CheckboxField
          label="Required"
          checked={row.required}
          onChange={(r) => edit((s) => setInputRequired(s, row.name, r), field("required"))}
        />
        <button
          type="button"
          className="button button-small"
          aria-label={`Remove input ${row.name}`}
          onClick={() => edit((s) => removeInput(s, row.name))}
        >
          Remove
        </button>
      </div>
    </fieldset>
  );
}

/** The run form as the inputs make it; its values are only a preview. */
function FormPreview({ schema }: { schema: Schema | undefined }) {
  const [value, setValue] = useState<FormValue>(() => initialValues(schema));
  return <SchemaForm schema={schema ?? {}} value={value} onChange={setValue} idPrefix="flow-input-preview" />;
}

/** The flow's inputs (`doc.schema`): what its run form asks for, and what `flow_input.<name>` holds. */
export function InputsPanel() {
  const schema = useFlowEditor((s) => s.doc.schema);
  const apply = useApply();
  const rows = inputRows(schema);
  const edit: EditSchema = (e, field) =>
    apply((doc) => ({ ...doc, schema: e(doc.schema) }), field === undefined ? undefined : `schema.${field}`);

  return (
    <div className="flow-inputs-panel" data-testid="inputs-panel">
      <div className="flow-panel-header">
        <h2>Flow inputs</h2>
        <button type="button" className="button button-small" onClick={() => edit((s) => addInput(s))}>
          Add input
        </button>
      </div>
      {rows.length === 0 && <p className="muted">No inputs: the flow runs without a form.</p>}
      {rows.map((row, index) => (
        // By place, not name: a rename must not remount the row under the user's next click.
        <InputEditor key={index} row={row} taken={rows.map((r) => r.name)} edit={edit} />
      ))}
      <section className="flow-panel-section" aria-label="Form preview">
        <h3>Form preview</h3>
        <FormPreview key={JSON.stringify(schema ?? {})} schema={schema} />
      </section>
    </div>
  );
}
