import { useContext, useId, useMemo } from "react";
import type { Workspace } from "../../api/client";
import { CurrentWorkspaceContext } from "../workspace/CurrentWorkspace";
import { Field } from "./Field";
import { FormContext } from "./formContext";
import { withKey, type FormErrors, type FormValue } from "./schemaForm";
import { properties, resolveField } from "./schemaKind";

export interface SchemaFormProps {
  /** The script's arguments as a JSON Schema object (`ScriptOut.schema`). */
  schema: unknown;
  value: FormValue;
  onChange: (value: FormValue) => void;
  /** The messages to show, by field path (`address.city`); which ones is the caller's choice (see useSchemaForm). */
  errors?: FormErrors;
  /** Prefix of the inputs' ids (`<prefix>-<path>`); unique per form by default. */
  idPrefix?: string;
  disabled?: boolean;
  /** The user left the field at `path`. */
  onTouched?: (path: string) => void;
  /** Whose resources and secrets the pickers list; by default the current workspace (none outside one). */
  workspace?: Workspace | null;
}

const NO_ERRORS: FormErrors = {};

/** One labelled field per property of the schema, in its order; the value is controlled. */
export function SchemaForm({
  schema,
  value,
  onChange,
  errors = NO_ERRORS,
  idPrefix,
  disabled = false,
  onTouched,
  workspace: workspaceProp,
}: SchemaFormProps) {
  const generated = useId();
  const prefix = idPrefix ?? `args${generated}`;
  const current = useContext(CurrentWorkspaceContext);
  const workspace = workspaceProp === undefined ? current : workspaceProp;
  const context = useMemo(
    () => ({ idPrefix: prefix, errors, disabled, touch: onTouched ?? (() => undefined), workspace }),
    [prefix, errors, disabled, onTouched, workspace],
  );
  const fields = properties(resolveField(schema).schema);
  if (fields.length === 0) return <p className="muted">This script takes no arguments.</p>;
  return (
    <FormContext.Provider value={context}>
      <div className="schema-form">
        {fields.map((field) => (
          <Field
            key={field.name}
            name={field.name}
            schema={field.schema}
            path={field.name}
            required={field.required}
            value={value[field.name]}
            onChange={(next) => onChange(withKey(value, field.name, next))}
          />
        ))}
      </div>
    </FormContext.Provider>
  );
}
