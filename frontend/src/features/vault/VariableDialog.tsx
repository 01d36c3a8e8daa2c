import { useId, useState, type FormEvent } from "react";
import { Dialog } from "../../components/Dialog";
import { useCurrentUser } from "../auth/CurrentUser";
import { personalFolder } from "../home/homeItems";
import { refusedField } from "./errors";
import { useCreateVariable, useUpdateVariable, type Variable, type VariableUpdate } from "./queries";
import { pathProblem } from "./references";
import { FieldMessage, FormFooter } from "./FormParts";

const FIELDS = ["path", "value", "is_secret", "description"] as const;
type FieldName = (typeof FIELDS)[number];

interface VariableDialogProps {
  workspaceId: string;
  /** The variable to edit; absent: a new one. */
  variable?: Variable;
  onClose: () => void;
}

/**
 * A new variable (path, value, secret or not, description), or changes to one. A secret's value
 * is never shown here: its field starts empty, and left empty the value stays as it is.
 */
export function VariableDialog({ workspaceId, variable, onClose }: VariableDialogProps) {
  const id = useId();
  const me = useCurrentUser();
  const create = useCreateVariable(workspaceId);
  const update = useUpdateVariable(workspaceId, variable?.path ?? "");
  const editing = variable !== undefined;
  const mutation = editing ? update : create;
  const wasSecret = variable?.is_secret ?? false;

  const [path, setPath] = useState(variable?.path ?? "");
  const [value, setValue] = useState(variable && !variable.is_secret ? (variable.value ?? "") : "");
  const [secret, setSecret] = useState(wasSecret);
  const [description, setDescription] = useState(variable?.description ?? "");
  const [pathError, setPathError] = useState<string | null>(null);

  const apiField = refusedField<FieldName>(
    mutation.error,
    editing ? FIELDS.filter((f) => f !== "path") : FIELDS,
    editing ? undefined : "path",
  );
  const errors: Partial<Record<FieldName, string>> = {};
  if (pathError !== null) errors.path = pathError;
  if (apiField !== null && mutation.error) errors[apiField] = mutation.error.message;
  const general = mutation.isError && apiField === null ? mutation.error.message : null;

  function edited() {
    if (mutation.isError) mutation.reset();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!editing) {
      const problem = pathProblem(path);
      setPathError(problem);
      if (problem !== null) {
        document.getElementById(`${id}-path`)?.focus();
        return;
      }
      create.mutate(
        { path: path.trim(), value, is_secret: secret, description: description.trim() },
        { onSuccess: onClose },
      );
      return;
    }
    const body: VariableUpdate = { description: description.trim() };
    // A secret's empty field means "unchanged"; a plain value is sent when it changed.
    if (wasSecret ? value !== "" : value !== (variable.value ?? "")) body.value = value;
    if (secret !== wasSecret) body.is_secret = secret;
    update.mutate(body, { onSuccess: onClose });
  }

  const describe = (name: FieldName, hint?: boolean) =>
    [hint ? `${id}-${name}-hint` : "", errors[name] ? `${id}-${name}-error` : ""].filter(Boolean).join(" ") ||
    undefined;

  return (
    <Dialog title={editing ? `Edit ${variable.path}` : "New variable"} onClose={onClose} className="vault-dialog">
      <form aria-label={editing ? "Edit variable" : "New variable"} onSubmit={submit} noValidate>
        {!editing && (
          <div className={errors.path ? "field setting-invalid" : "field"}>
            <label htmlFor={`${id}-path`}>Path</label>
            <input
              id={`${id}-path`}
              className="mono"
              value={path}
              placeholder={`${personalFolder(me.email)}/name or f/folder/name`}
              aria-invalid={errors.path ? true : undefined}
              aria-describedby={describe("path", true)}
              onChange={(e) => {
                setPath(e.target.value);
                setPathError(null);
                edited();
              }}
            />
            <div className="field-hint" id={`${id}-path-hint`}>
              <code>u/&lt;you&gt;/…</code> is yours; <code>f/&lt;folder&gt;/…</code> is shared with the folder
            </div>
            <FieldMessage id={`${id}-path-error`} message={errors.path} />
          </div>
        )}
        <div className={errors.value ? "field setting-invalid" : "field"}>
          <label htmlFor={`${id}-value`}>Value</label>
          <textarea
            id={`${id}-value`}
            className="mono"
            rows={4}
            spellCheck={false}
            autoComplete="off"
            value={value}
            placeholder={editing && wasSecret ? "unchanged" : undefined}
            aria-invalid={errors.value ? true : undefined}
            aria-describedby={describe("value", editing && wasSecret)}
            onChange={(e) => {
              setValue(e.target.value);
              edited();
            }}
          />
          {editing && wasSecret && (
            <div className="field-hint" id={`${id}-value-hint`}>
              Left empty, the secret keeps its value; type a new one to replace it.
            </div>
          )}
          <FieldMessage id={`${id}-value-error`} message={errors.value} />
        </div>
        <div className="field">
          <label className="checkbox vault-checkbox">
            <input
              type="checkbox"
              checked={secret}
              // A secret stays one: turning it plain would show its value in every list.
              disabled={wasSecret}
              aria-describedby={`${id}-secret-hint`}
              onChange={(e) => {
                setSecret(e.target.checked);
                edited();
              }}
            />
            Secret
          </label>
          <div className="field-hint" id={`${id}-secret-hint`}>
            {wasSecret
              ? "A secret stays a secret: to make it plain, delete it and create a plain variable."
              : "Encrypted at rest, never listed; reading it is audited."}
          </div>
          <FieldMessage id={`${id}-is_secret-error`} message={errors.is_secret} />
        </div>
        <div className={errors.description ? "field setting-invalid" : "field"}>
          <label htmlFor={`${id}-description`}>Description</label>
          <input
            id={`${id}-description`}
            value={description}
            aria-describedby={describe("description")}
            onChange={(e) => {
              setDescription(e.target.value);
              edited();
            }}
          />
          <FieldMessage id={`${id}-description-error`} message={errors.description} />
        </div>
        <FormFooter
          message={general}
          pending={mutation.isPending}
          submitLabel={editing ? "Save" : "Create"}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
