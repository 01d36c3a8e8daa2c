import { useId } from "react";
import { asSchema, properties, type Schema } from "../forms/schemaKind";
import { ParamEditor } from "./ParamEditor";
import { withFieldEdit, withFormEdit, withMove, type SchemaEdits } from "./schemaEdits";

interface SchemaPanelProps {
  /** What the code alone gives; null until its signature could be read once. */
  inferred: Schema | null;
  /** `inferred` with the edits applied (what the preview shows and Save sends). */
  schema: Schema | null;
  edits: SchemaEdits;
  onChange: (edits: SchemaEdits) => void;
}

/**
 * How the form looks, beyond what the code says: titles, help, bounds, labels,
 * defaults and the field order. Each change is an edit on top of the inferred
 * schema, so it survives code changes (and is saved with the version).
 */
export function SchemaPanel({ inferred, schema, edits, onChange }: SchemaPanelProps) {
  const titleId = useId();
  const descriptionId = useId();
  if (inferred === null || schema === null) {
    return <p className="muted">The form can be edited once the code's signature has been read.</p>;
  }
  const fields = properties(schema);
  return (
    <div className="schema-panel-body">
      <div className="field">
        <label htmlFor={titleId}>Form title</label>
        <input
          id={titleId}
          type="text"
          value={typeof schema.title === "string" ? schema.title : ""}
          onChange={(e) => onChange(withFormEdit(edits, inferred, "title", e.target.value))}
        />
      </div>
      <div className="field">
        <label htmlFor={descriptionId}>Form description</label>
        <textarea
          id={descriptionId}
          rows={2}
          value={typeof schema.description === "string" ? schema.description : ""}
          onChange={(e) => onChange(withFormEdit(edits, inferred, "description", e.target.value))}
        />
      </div>
      {fields.length === 0 ? (
        <p className="muted">main takes no parameters.</p>
      ) : (
        fields.map((field, i) => (
          <ParamEditor
            key={field.name}
            name={field.name}
            schema={asSchema(field.schema)}
            first={i === 0}
            last={i === fields.length - 1}
            onEdit={(key, value) => onChange(withFieldEdit(edits, inferred, field.name, key, value))}
            onMove={(by) => onChange(withMove(edits, inferred, field.name, by))}
          />
        ))
      )}
    </div>
  );
}
