import { useId, useState, type ReactNode } from "react";
import { Dialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonLines } from "../../components/Skeleton";
import { useCurrentUser } from "../auth/CurrentUser";
import { personalFolder } from "../home/homeItems";
import { refusedField } from "./errors";
import { useCreateResource, useResource, useUpdateResource, type ResourceInput, type ResourceType } from "./queries";
import { pathProblem } from "./references";
import { ResourceValueForm } from "./ResourceValueForm";
import { FieldMessage } from "./FormParts";

const HEADER_FIELDS = ["path", "resource_type", "description"] as const;
type HeaderField = (typeof HEADER_FIELDS)[number];

interface NewResourceDialogProps {
  workspaceId: string;
  types: readonly ResourceType[];
  /** Preselected (the page's type filter); "" to pick one. */
  initialType: string;
  onClose: () => void;
}

export function NewResourceDialog({ workspaceId, types, initialType, onClose }: NewResourceDialogProps) {
  const create = useCreateResource(workspaceId);
  return (
    <Dialog title="New resource" onClose={onClose} className="vault-dialog">
      <ResourceEditor
        types={types}
        initial={{ path: "", type: initialType, description: "", value: null }}
        editing={false}
        pending={create.isPending}
        error={create.error}
        onEdit={() => {
          if (create.isError) create.reset();
        }}
        onSubmit={(body) => create.mutate(body, { onSuccess: onClose })}
        onCancel={onClose}
      />
    </Dialog>
  );
}

interface EditResourceDialogProps {
  workspaceId: string;
  types: readonly ResourceType[];
  path: string;
  onClose: () => void;
}

/** Loads the resource's stored value (its `$var:` references as they are), then edits it. */
export function EditResourceDialog({ workspaceId, types, path, onClose }: EditResourceDialogProps) {
  const resource = useResource(workspaceId, path);
  const update = useUpdateResource(workspaceId, path);
  return (
    <Dialog title={`Edit ${path}`} onClose={onClose} className="vault-dialog">
      {resource.isPending ? (
        <SkeletonLines lines={6} label="Loading the resource…" />
      ) : resource.isError ? (
        <ErrorMessage error={resource.error} onRetry={() => void resource.refetch()} />
      ) : (
        <ResourceEditor
          types={types}
          initial={{
            path,
            type: resource.data.resource_type,
            description: resource.data.description,
            value: resource.data.value,
          }}
          editing
          pending={update.isPending}
          error={update.error}
          onEdit={() => {
            if (update.isError) update.reset();
          }}
          onSubmit={({ resource_type, value, description }) =>
            update.mutate({ resource_type, value, description }, { onSuccess: onClose })
          }
          onCancel={onClose}
        />
      )}
    </Dialog>
  );
}

interface ResourceEditorProps {
  types: readonly ResourceType[];
  initial: { path: string; type: string; description: string; value: Record<string, unknown> | null };
  editing: boolean;
  pending: boolean;
  error: Error | null;
  onEdit: () => void;
  onSubmit: (body: ResourceInput) => void;
  onCancel: () => void;
}

/** Path, type and description; then the value, as a form generated from the type's schema (or JSON). */
function ResourceEditor({ types, initial, editing, pending, error, onEdit, onSubmit, onCancel }: ResourceEditorProps) {
  const id = useId();
  const me = useCurrentUser();
  const [path, setPath] = useState(initial.path);
  const [type, setType] = useState(initial.type);
  const [description, setDescription] = useState(initial.description);
  const [local, setLocal] = useState<Partial<Record<HeaderField, string>>>({});
  const chosen = types.find((t) => t.name === type) ?? null;

  const apiField = refusedField<HeaderField>(
    error,
    editing ? HEADER_FIELDS.filter((f) => f !== "path") : HEADER_FIELDS,
    editing ? undefined : "path",
  );
  const errors = { ...local };
  if (apiField !== null && error) errors[apiField] = error.message;

  /** Path and type are filled in; otherwise says so at them. */
  function check(): boolean {
    const problems: Partial<Record<HeaderField, string>> = {};
    const problem = editing ? null : pathProblem(path);
    if (problem !== null) problems.path = problem;
    if (type === "") problems.resource_type = "Choose a type";
    setLocal(problems);
    const [first] = Object.keys(problems);
    if (first !== undefined) document.getElementById(`${id}-${first}`)?.focus();
    return first === undefined;
  }

  function edit(field: HeaderField, change: () => void) {
    change();
    setLocal(({ [field]: _, ...rest }) => rest);
    onEdit();
  }

  const describe = (field: HeaderField, hint: boolean) =>
    [hint ? `${id}-${field}-hint` : "", errors[field] ? `${id}-${field}-error` : ""].filter(Boolean).join(" ") ||
    undefined;

  const header: ReactNode = (
    <>
      <div className={errors.resource_type ? "field setting-invalid" : "field"}>
        <label htmlFor={`${id}-resource_type`}>Type</label>
        <select
          id={`${id}-resource_type`}
          value={type}
          aria-invalid={errors.resource_type ? true : undefined}
          aria-describedby={describe("resource_type", chosen !== null && chosen.description !== "")}
          onChange={(e) => edit("resource_type", () => setType(e.target.value))}
        >
          <option value="">Choose a type…</option>
          {types.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
          {/* Its type may have gone from the list: keep it. */}
          {type !== "" && chosen === null && <option value={type}>{type}</option>}
        </select>
        {chosen !== null && chosen.description !== "" && (
          <div className="field-hint" id={`${id}-resource_type-hint`}>
            {chosen.description}
          </div>
        )}
        <FieldMessage id={`${id}-resource_type-error`} message={errors.resource_type} />
      </div>
      {!editing && (
        <div className={errors.path ? "field setting-invalid" : "field"}>
          <label htmlFor={`${id}-path`}>Path</label>
          <input
            id={`${id}-path`}
            className="mono"
            value={path}
            placeholder={`${personalFolder(me.email)}/name or f/folder/name`}
            aria-invalid={errors.path ? true : undefined}
            aria-describedby={describe("path", false)}
            onChange={(e) => edit("path", () => setPath(e.target.value))}
          />
          <FieldMessage id={`${id}-path-error`} message={errors.path} />
        </div>
      )}
      <div className={errors.description ? "field setting-invalid" : "field"}>
        <label htmlFor={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          value={description}
          aria-describedby={describe("description", false)}
          onChange={(e) => edit("description", () => setDescription(e.target.value))}
        />
        <FieldMessage id={`${id}-description-error`} message={errors.description} />
      </div>
    </>
  );

  return (
    <ResourceValueForm
      // Another type, another schema: its form starts over.
      key={type}
      label={editing ? "Edit resource" : "New resource"}
      typeName={type}
      schema={chosen?.schema ?? (type === "" ? null : {})}
      start={type === initial.type ? initial.value : null}
      header={header}
      check={check}
      error={apiField === null ? error : null}
      pending={pending}
      submitLabel={editing ? "Save" : "Create"}
      onEdit={onEdit}
      onSubmit={(value) => onSubmit({ path: path.trim(), resource_type: type, value, description: description.trim() })}
      onCancel={onCancel}
    />
  );
}
