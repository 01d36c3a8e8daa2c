import { RowActions } from "./RowActions";
import { CopyButton } from "../../components/CopyButton";
import { RelativeTime } from "../../components/RelativeTime";
import { useDeleteResource, type ResourceSummary } from "./queries";
import { resRef } from "./references";
import { canWrite } from "./VariablesTable";

interface ResourcesTableProps {
  workspaceId: string;
  resources: readonly ResourceSummary[];
  onEdit: (path: string) => void;
}

export function ResourcesTable({ workspaceId, resources, onEdit }: ResourcesTableProps) {
  return (
    <table className="table" data-testid="resources-table">
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
          <th scope="col">Updated</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {resources.map((resource) => (
          <ResourceRow key={resource.path} workspaceId={workspaceId} resource={resource} onEdit={onEdit} />
        ))}
      </tbody>
    </table>
  );
}

function ResourceRow({ workspaceId, resource, onEdit }: { workspaceId: string; resource: ResourceSummary; onEdit: (path: string) => void }) {
  const remove = useDeleteResource(workspaceId, resource.path);
  const reference = resRef(resource.path);

  function deleteResource() {
    if (!window.confirm(`Delete resource ${resource.path}? Scripts and schedules that use ${reference} will fail.`)) return;
    remove.mutate();
  }

  return (
    <tr data-resource={resource.path}>
      <td>
        <span className="mono">{resource.path}</span>
        <div className="vault-ref">
          <code className="cell-sub">{reference}</code>
          <CopyButton text={reference} label={`Copy ${reference}`} />
        </div>
      </td>
      <td>
        <span className="tag">{resource.resource_type}</span>
      </td>
      <td>{resource.description || <span className="muted">—</span>}</td>
      <td className="nowrap">
        <RelativeTime iso={resource.updated_at} />
        <div className="cell-sub">created by {resource.created_by}</div>
      </td>
      <RowActions
        name={resource.path}
        canEdit={canWrite(resource.access)}
        onEdit={() => onEdit(resource.path)}
        onDelete={deleteResource}
        deleting={remove.isPending}
        error={remove.isError ? remove.error : null}
      />
    </tr>
  );
}
