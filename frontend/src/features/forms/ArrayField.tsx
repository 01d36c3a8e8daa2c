import { useEffect, useRef, useState } from "react";
import { Field, type FieldProps } from "./Field";
import { describedBy, descriptionOf, FieldError, Hint, RequiredMark } from "./FieldParts";
import { fieldId, useFormContext } from "./formContext";
import { initialValues, joinPath } from "./schemaForm";
import { fieldLabel, itemsSchema, resolveField, type Schema } from "./schemaKind";

/** What a new row starts as: the items' default, `false` for a switch, the defaults of an object. */
function newItem(items: Schema): unknown {
  const field = resolveField(items);
  if ("default" in field.schema) return field.schema.default ?? undefined;
  if (field.kind === "boolean") return false;
  if (field.kind === "object") return initialValues(field.schema);
  return undefined;
}

/** An `array`: a list of rows, each drawn with the `items` schema, added and removed one at a time. */
export function ArrayField({ name, schema, path, required, value, onChange }: FieldProps) {
  const form = useFormContext();
  const id = fieldId(form.idPrefix, path);
  const error = form.errors[path];
  const hint = descriptionOf(schema);
  const label = fieldLabel(schema, name);
  const items = itemsSchema(schema);
  const rows = Array.isArray(value) ? value : [];

  // Stable keys, so removing a row does not hand its neighbour's state (a chosen file) to another.
  const keys = useRef<number[]>([]);
  const nextKey = useRef(0);
  while (keys.current.length < rows.length) keys.current.push(nextKey.current++);
  keys.current.length = rows.length;

  const addButton = useRef<HTMLButtonElement>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null) return;
    document.getElementById(fieldId(form.idPrefix, joinPath(path, focusRow)))?.focus();
    setFocusRow(null);
  }, [focusRow, form.idPrefix, path]);

  function remove(index: number) {
    keys.current.splice(index, 1);
    onChange(rows.filter((_, i) => i !== index));
    addButton.current?.focus();
  }

  return (
    <fieldset className="field-group" id={id} aria-describedby={describedBy(id, hint, error)}>
      <legend>
        {label}
        <RequiredMark required={required} />
      </legend>
      <Hint id={`${id}-hint`} text={hint} />
      <FieldError id={`${id}-error`} message={error} />
      {rows.length === 0 && <p className="muted array-empty">Empty list.</p>}
      <ol className="array-rows">
        {rows.map((item, index) => (
          <li className="array-row" key={keys.current[index]}>
            <Field
              name={`${label} ${index + 1}`}
              schema={items}
              path={joinPath(path, index)}
              required
              row
              value={item}
              onChange={(next) => onChange(rows.map((old, i) => (i === index ? next : old)))}
            />
            <button
              type="button"
              className="button button-small"
              aria-label={`Remove ${label} ${index + 1}`}
              disabled={form.disabled}
              onClick={() => remove(index)}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button
        ref={addButton}
        type="button"
        className="button button-small"
        aria-label={`Add item to ${label}`}
        disabled={form.disabled}
        onClick={() => {
          onChange([...rows, newItem(items)]);
          setFocusRow(rows.length);
        }}
      >
        Add item
      </button>
    </fieldset>
  );
}
