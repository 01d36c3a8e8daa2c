import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { useVariables, type Variable } from "./queries";
import { VariableDialog } from "./VariableDialog";
import { VariablesTable } from "./VariablesTable";
import "./vault.css";

/** Which dialog is open: a new variable, or one being edited. */
type Open = { kind: "new" } | { kind: "edit"; variable: Variable } | null;

/** `/w/:ws/variables`: the variables and secrets you may see, created, edited and deleted in dialogs. */
export function VariablesPage() {
  const workspace = useCurrentWorkspace();
  const variables = useVariables(workspace.id);
  const [open, setOpen] = useState<Open>(null);
  const canCreate = workspace.role !== "operator";

  return (
    <section>
      <div className="page-header">
        <h1>Variables</h1>
        {canCreate && (
          <div className="page-actions">
            <button type="button" className="button button-primary" onClick={() => setOpen({ kind: "new" })}>
              New variable
            </button>
          </div>
        )}
      </div>
      <p className="lead">
        Values that scripts read by path. A secret is encrypted at rest and never listed: Reveal reads it (each read is
        recorded in the audit log). In a job&apos;s arguments or a resource, <code>$var:&lt;path&gt;</code> stands for
        the value when the job starts.
      </p>
      {variables.isPending ? (
        <SkeletonTable label="Loading variables…" columns={5} />
      ) : variables.isError ? (
        <ErrorMessage error={variables.error} onRetry={() => void variables.refetch()} />
      ) : variables.data.length === 0 ? (
        <div className="empty">
          <h2>No variables yet</h2>
          <p className="muted">
            Keep settings and credentials here rather than in your code: a region, an API key, a database password.
          </p>
        </div>
      ) : (
        <VariablesTable
          workspaceId={workspace.id}
          variables={variables.data}
          onEdit={(variable) => setOpen({ kind: "edit", variable })}
        />
      )}
      {open !== null && (
        <VariableDialog
          workspaceId={workspace.id}
          variable={open.kind === "edit" ? open.variable : undefined}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}
