import { RowActions } from "./RowActions";
import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { formatJson } from "../../lib/format";
import { useDeleteResourceType, useResourceTypes, type ResourceType } from "./queries";
import { ResourceTypeDialog } from "./ResourceTypeDialog";

type Open = { kind: "new" } | { kind: "edit"; type: ResourceType } | null;

/** The Resource types tab: built-in types (read-only) and the workspace's own, with their schemas. */
export function ResourceTypesPanel({ workspaceId, canCreate }: { workspaceId: string; canCreate: boolean }) {
  const types = useResourceTypes(workspaceId);
  const [open, setOpen] = useState<Open>(null);

  return (
    <>
      <div className="vault-toolbar">
        <p className="muted vault-toolbar-text">
          A type is a JSON Schema of an object. A script parameter typed with its name (<code>db: postgresql</code>)
          picks among the resources of that type.
        </p>
        {canCreate && (
          <button type="button" className="button button-primary" onClick={() => setOpen({ kind: "new" })}>
            New resource type
          </button>
        )}
      </div>
      {types.isPending ? (
        <SkeletonTable label="Loading resource types…" columns={3} />
      ) : types.isError ? (
        <ErrorMessage error={types.error} onRetry={() => void types.refetch()} />
      ) : (
        <table className="table" data-testid="resource-types-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description and schema</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {types.data.map((type) => (
              <TypeRow
                key={type.name}
                workspaceId={workspaceId}
                type={type}
                canEdit={canCreate && !type.builtin}
                onEdit={() => setOpen({ kind: "edit", type })}
              />
            ))}
          </tbody>
        </table>
      )}
      {open !== null && (
        <ResourceTypeDialog
          workspaceId={workspaceId}
          type={open.kind === "edit" ? open.type : undefined}
          onClose={() => setOpen(null)}
        />
      )}
    </>
  );
}

function TypeRow({ workspaceId, type, canEdit, onEdit }: { workspaceId: string; type: ResourceType; canEdit: boolean; onEdit: () => void }) {
  const remove = useDeleteResourceType(workspaceId, type.name);

  function deleteType() {
    if (!window.confirm(`Delete resource type ${type.name}? Only a type no resource uses can be deleted.`)) return;
    remove.mutate();
  }

  return (
    <tr data-resource-type={type.name}>
      <td className="nowrap">
        <span className="mono">{type.name}</span>{" "}
        <span className={type.builtin ? "tag" : "tag tag-on"}>{type.builtin ? "built-in" : "custom"}</span>
      </td>
      <td>
        {type.description || <span className="muted">—</span>}
        <details className="vault-schema">
          <summary>Schema</summary>
          <pre className="code code-wrap">{formatJson(type.schema)}</pre>
        </details>
      </td>
      <RowActions
        name={type.name}
        canEdit={canEdit}
        onEdit={onEdit}
        onDelete={deleteType}
        deleting={remove.isPending}
        error={remove.isError ? remove.error : null}
      />
    </tr>
  );
}
