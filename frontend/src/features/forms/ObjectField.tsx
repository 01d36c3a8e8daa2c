import { Field, type FieldProps } from "./Field";
import { describedBy, descriptionOf, FieldError, Hint, RequiredMark } from "./FieldParts";
import { fieldId, useFormContext } from "./formContext";
import { joinPath, withKey } from "./schemaForm";
import { fieldLabel, isRecord, properties } from "./schemaKind";

/** An object with `properties`: a fieldset of its fields. Emptied entirely, it is omitted (unless required). */
export function ObjectField({ name, schema, path, required, value, onChange, row = false }: FieldProps) {
  const form = useFormContext();
  const id = fieldId(form.idPrefix, path);
  const error = form.errors[path];
  const hint = descriptionOf(schema);
  const record = isRecord(value) ? value : undefined;
  return (
    <fieldset className="field-group" id={id} aria-describedby={describedBy(id, hint, error)}>
      <legend>
        {row ? name : fieldLabel(schema, name)}
        <RequiredMark required={required && !row} />
      </legend>
      <Hint id={`${id}-hint`} text={hint} />
      <FieldError id={`${id}-error`} message={error} />
      {properties(schema).map((property) => (
        <Field
          key={property.name}
          name={property.name}
          schema={property.schema}
          path={joinPath(path, property.name)}
          required={property.required}
          value={record?.[property.name]}
          onChange={(next) => {
            const updated = withKey(record, property.name, next);
            onChange(Object.keys(updated).length === 0 ? undefined : updated);
          }}
        />
      ))}
    </fieldset>
  );
}
