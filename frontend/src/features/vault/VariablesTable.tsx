import { RowActions } from "./RowActions";
import { CopyButton } from "../../components/CopyButton";
import { RelativeTime } from "../../components/RelativeTime";
import { useDeleteVariable, type Variable } from "./queries";
import { varRef } from "./references";
import { SecretValue } from "./SecretValue";

interface VariablesTableProps {
  workspaceId: string;
  variables: readonly Variable[];
  onEdit: (variable: Variable) => void;
}

export function VariablesTable({ workspaceId, variables, onEdit }: VariablesTableProps) {
  return (
    <table className="table" data-testid="variables-table">
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Value</th>
          <th scope="col">Description</th>
          <th scope="col">Updated</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {variables.map((variable) => (
          <VariableRow key={variable.path} workspaceId={workspaceId} variable={variable} onEdit={onEdit} />
        ))}
      </tbody>
    </table>
  );
}

/** Whether the caller may change or delete it (`access` is view, write or owner). */
export function canWrite(access: string): boolean {
  return access === "write" || access === "owner";
}

function VariableRow({ workspaceId, variable, onEdit }: { workspaceId: string; variable: Variable; onEdit: (v: Variable) => void }) {
  const remove = useDeleteVariable(workspaceId, variable.path);
  const reference = varRef(variable.path);

  function deleteVariable() {
    const what = variable.is_secret ? "secret" : "variable";
    if (!window.confirm(`Delete ${what} ${variable.path}? Scripts and resources that use ${reference} will fail.`)) return;
    remove.mutate();
  }

  return (
    <tr data-variable={variable.path}>
      <td>
        <span className="mono">{variable.path}</span>{" "}
        {variable.is_secret && <span className="tag tag-secret">secret</span>}
        <div className="vault-ref">
          <code className="cell-sub">{reference}</code>
          <CopyButton text={reference} label={`Copy ${reference}`} />
        </div>
      </td>
      <td className="vault-value-cell">
        {variable.is_secret ? (
          <SecretValue workspaceId={workspaceId} path={variable.path} />
        ) : (
          <code className="vault-value">{variable.value}</code>
        )}
      </td>
      <td>{variable.description || <span className="muted">—</span>}</td>
      <td className="nowrap">
        <RelativeTime iso={variable.updated_at} />
        <div className="cell-sub">{variable.updated_by}</div>
      </td>
      <RowActions
        name={variable.path}
        canEdit={canWrite(variable.access)}
        onEdit={() => onEdit(variable)}
        onDelete={deleteVariable}
        deleting={remove.isPending}
        error={remove.isError ? remove.error : null}
      />
    </tr>
  );
}
