import { useId, useState, type FormEvent } from "react";
import { Dialog } from "../../components/Dialog";
import { formatJson } from "../../lib/format";
import { parseObject, refusedField } from "./errors";
import { useCreateResourceType, useUpdateResourceType, type ResourceType } from "./queries";
import { FieldMessage, FormFooter } from "./FormParts";

const FIELDS = ["name", "schema", "description"] as const;
type FieldName = (typeof FIELDS)[number];

/** What a new type's schema starts as: an object with a field and a secret. */
const TEMPLATE = {
  type: "object",
  properties: {
    base_url: { type: "string", format: "uri" },
    token: { type: "string", format: "password", description: "Store it as a secret: $var:<path>" },
  },
  required: ["base_url"],
};

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

interface ResourceTypeDialogProps {
  workspaceId: string;
  /** The custom type to edit; absent: a new one. */
  type?: ResourceType;
  onClose: () => void;
}

/** A workspace's own resource type: its name (fixed once created), JSON Schema and description. */
export function ResourceTypeDialog({ workspaceId, type, onClose }: ResourceTypeDialogProps) {
  const id = useId();
  const editing = type !== undefined;
  const create = useCreateResourceType(workspaceId);
  const update = useUpdateResourceType(workspaceId, type?.name ?? "");
  const mutation = editing ? update : create;
  const [name, setName] = useState(type?.name ?? "");
  const [schema, setSchema] = useState(() => formatJson(type?.schema ?? TEMPLATE));
  const [description, setDescription] = useState(type?.description ?? "");
  const [local, setLocal] = useState<Partial<Record<FieldName, string>>>({});

  // A 409 is about the name (taken) when creating.
  const apiField = refusedField<FieldName>(mutation.error, FIELDS, editing ? undefined : "name");
  const errors = { ...local };
  if (apiField !== null && mutation.error) errors[apiField] = mutation.error.message;
  const general = mutation.isError && apiField === null ? mutation.error.message : null;

  function edited(field: FieldName) {
    setLocal(({ [field]: _, ...rest }) => rest);
    if (mutation.isError) mutation.reset();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems: Partial<Record<FieldName, string>> = {};
    if (!editing && !NAME.test(name.trim())) problems.name = "a-z, digits and _, starting with a letter";
    const parsed = parseObject(schema);
    if (!parsed.ok) problems.schema = parsed.message;
    else if (parsed.value.type !== "object") problems.schema = 'A resource type\'s schema has "type": "object"';
    setLocal(problems);
    const [first] = Object.keys(problems);
    if (first !== undefined || !parsed.ok) {
      document.getElementById(`${id}-${first ?? "schema"}`)?.focus();
      return;
    }
    if (editing) {
      update.mutate({ schema: parsed.value, description: description.trim() }, { onSuccess: onClose });
    } else {
      create.mutate({ name: name.trim(), schema: parsed.value, description: description.trim() }, { onSuccess: onClose });
    }
  }

  const describe = (field: FieldName, hint: boolean) =>
    [hint ? `${id}-${field}-hint` : "", errors[field] ? `${id}-${field}-error` : ""].filter(Boolean).join(" ") ||
    undefined;

  return (
    <Dialog title={editing ? `Edit resource type ${type.name}` : "New resource type"} onClose={onClose} className="vault-dialog">
      <form aria-label={editing ? "Edit resource type" : "New resource type"} onSubmit={submit} noValidate>
        {!editing && (
          <div className={errors.name ? "field setting-invalid" : "field"}>
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              className="mono"
              value={name}
              placeholder="weather_api"
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={describe("name", true)}
              onChange={(e) => {
                setName(e.target.value);
                edited("name");
              }}
            />
            <div className="field-hint" id={`${id}-name-hint`}>
              What a script parameter is typed as (<code>api: weather_api</code>); a-z, digits and _
            </div>
            <FieldMessage id={`${id}-name-error`} message={errors.name} />
          </div>
        )}
        <div className={errors.description ? "field setting-invalid" : "field"}>
          <label htmlFor={`${id}-description`}>Description</label>
          <input
            id={`${id}-description`}
            value={description}
            onChange={(e) => {
              setDescription(e.target.value);
              edited("description");
            }}
          />
          <FieldMessage id={`${id}-description-error`} message={errors.description} />
        </div>
        <div className={errors.schema ? "field setting-invalid" : "field"}>
          <label htmlFor={`${id}-schema`}>JSON Schema</label>
          <textarea
            id={`${id}-schema`}
            className="mono"
            rows={Math.min(20, Math.max(8, schema.split("\n").length))}
            spellCheck={false}
            value={schema}
            aria-invalid={errors.schema ? true : undefined}
            aria-describedby={describe("schema", true)}
            onChange={(e) => {
              setSchema(e.target.value);
              edited("schema");
            }}
          />
          <div className="field-hint" id={`${id}-schema-hint`}>
            An object&apos;s <code>properties</code>; <code>&quot;format&quot;: &quot;password&quot;</code> marks a field
            that takes a secret.
          </div>
          <FieldMessage id={`${id}-schema-error`} message={errors.schema} />
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
