import { ArrayField } from "./ArrayField";
import { describedBy, descriptionOf, FieldError, Hint, RequiredMark } from "./FieldParts";
import { fieldId, useFormContext } from "./formContext";
import { ObjectField } from "./ObjectField";
import { fieldLabel, resolveField, type Schema } from "./schemaKind";
import { WIDGETS } from "./widgets";

export interface FieldProps {
  /** The property's name (the label unless the schema has a `title`). */
  name: string;
  schema: Schema;
  /** Where its value and errors are: `address.city`, `tags.2`. */
  path: string;
  required: boolean;
  value: unknown;
  onChange: (value: unknown) => void;
  /** A row of a list: the label is only for screen readers. */
  row?: boolean;
}

/** One labelled field: its widget by kind, help text and error; arrays and objects nest fields. */
export function Field(props: FieldProps) {
  const { name, schema: raw, path, required, value, onChange, row = false } = props;
  const form = useFormContext();
  const field = resolveField(raw);
  if (field.kind === "object") return <ObjectField {...props} schema={field.schema} />;
  if (field.kind === "array") return <ArrayField {...props} schema={field.schema} />;

  const Widget = WIDGETS[field.kind];
  const id = fieldId(form.idPrefix, path);
  const error = form.errors[path];
  const hint = row ? null : descriptionOf(field.schema);
  const classes = ["field", error ? "setting-invalid" : "", row ? "field-row" : ""].filter(Boolean);
  return (
    <div className={classes.join(" ")}>
      <div className={row ? "visually-hidden" : "field-label"}>
        <label htmlFor={id}>{row ? name : fieldLabel(field.schema, name)}</label>
        <RequiredMark required={required && !row} />
      </div>
      <Widget
        id={id}
        label={row ? name : fieldLabel(field.schema, name)}
        schema={field.schema}
        value={value}
        onChange={onChange}
        onBlur={() => form.touch(path)}
        required={required}
        disabled={form.disabled}
        invalid={error !== undefined}
        describedBy={describedBy(id, hint, error)}
      />
      <Hint id={`${id}-hint`} text={hint} />
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}
