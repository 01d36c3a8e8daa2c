import { SchemaForm } from "../forms/SchemaForm";
import type { FormErrors, FormValue } from "../forms/schemaForm";
import type { Schema } from "../forms/schemaKind";

interface FormPreviewProps {
  /** The edited schema; null until the code's signature was read once. */
  schema: Schema | null;
  value: FormValue;
  errors: FormErrors;
  onChange: (value: FormValue) => void;
  onTouched: (path: string) => void;
}

/** The form a user of the script will get, live; its values are what "Save & run" runs with. */
export function FormPreview({ schema, value, errors, onChange, onTouched }: FormPreviewProps) {
  if (schema === null) return <p className="muted">Reading main's signature…</p>;
  const title = typeof schema.title === "string" ? schema.title : "";
  const description = typeof schema.description === "string" ? schema.description : "";
  return (
    // Never submitted: Enter in a field must not run the script (Ctrl/Cmd+Enter, the editor's shortcut, does).
    <form aria-label="Preview" onSubmit={(e) => e.preventDefault()} noValidate>
      {title !== "" && <h3 className="preview-title">{title}</h3>}
      {description !== "" && <p className="muted">{description}</p>}
      <SchemaForm schema={schema} value={value} errors={errors} onChange={onChange} onTouched={onTouched} idPrefix="preview" />
    </form>
  );
}
