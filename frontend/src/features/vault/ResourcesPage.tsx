import { useState } from "react";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { UrlTabList, useUrlTab } from "../../components/UrlTabs";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { EditResourceDialog, NewResourceDialog } from "./ResourceDialog";
import { ResourcesTable } from "./ResourcesTable";
import { ResourceTypesPanel } from "./ResourceTypesPanel";
import { useResources, useResourceTypes, type ResourceType } from "./queries";
import "./vault.css";

const TABS = [
  { id: "resources", label: "Resources" },
  { id: "types", label: "Resource types" },
] as const;

/** `/w/:ws/resources`: connections scripts use (a database, an API, a bucket), and their types (`?tab=types`). */
export function ResourcesPage() {
  const workspace = useCurrentWorkspace();
  const [tab, setTab] = useUrlTab(TABS);
  const canCreate = workspace.role !== "operator";

  return (
    <section>
      <div className="page-header">
        <h1>Resources</h1>
      </div>
      <p className="lead">
        A resource is an object of a type&apos;s fields, say a database&apos;s host, user and password, that a script
        takes as an argument: <code>$res:&lt;path&gt;</code> stands for it when the job starts. Its secrets are kept as{" "}
        <code>$var:&lt;path&gt;</code> references to secret variables.
      </p>
      <UrlTabList tabs={TABS} current={tab} onSelect={setTab} label="Resources" idPrefix="resources" />
      <div role="tabpanel" id={`resources-panel-${tab}`} aria-labelledby={`resources-tab-${tab}`} className="access-panel">
        {tab === "resources" ? (
          <ResourcesPanel workspaceId={workspace.id} canCreate={canCreate} />
        ) : (
          <ResourceTypesPanel workspaceId={workspace.id} canCreate={canCreate} />
        )}
      </div>
    </section>
  );
}

type Open = { kind: "new" } | { kind: "edit"; path: string } | null;

function ResourcesPanel({ workspaceId, canCreate }: { workspaceId: string; canCreate: boolean }) {
  const [type, setType] = useState("");
  const [open, setOpen] = useState<Open>(null);
  const types = useResourceTypes(workspaceId);
  const resources = useResources(workspaceId, type === "" ? null : type);
  const typeList: readonly ResourceType[] = types.data ?? [];

  return (
    <>
      <div className="vault-toolbar">
        <div className="field field-inline">
          <label htmlFor="resource-type-filter">Type</label>
          <select id="resource-type-filter" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">All types</option>
            {typeList.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        {canCreate && (
          <button
            type="button"
            className="button button-primary"
            disabled={!types.isSuccess}
            onClick={() => setOpen({ kind: "new" })}
          >
            New resource
          </button>
        )}
      </div>
      {types.isError && <ErrorMessage error={types.error} onRetry={() => void types.refetch()} />}
      {resources.isPending ? (
        <SkeletonTable label="Loading resources…" columns={4} />
      ) : resources.isError ? (
        <ErrorMessage error={resources.error} onRetry={() => void resources.refetch()} />
      ) : resources.data.length === 0 ? (
        <div className="empty">
          <h2>{type === "" ? "No resources yet" : `No ${type} resources`}</h2>
          <p className="muted">
            Create one for each database, API or bucket your scripts connect to; they then pick it by path instead of
            holding credentials.
          </p>
        </div>
      ) : (
        <ResourcesTable
          workspaceId={workspaceId}
          resources={resources.data}
          onEdit={(path) => setOpen({ kind: "edit", path })}
        />
      )}
      {open?.kind === "new" && types.isSuccess && (
        <NewResourceDialog
          workspaceId={workspaceId}
          types={types.data}
          initialType={type}
          onClose={() => setOpen(null)}
        />
      )}
      {open?.kind === "edit" && types.isSuccess && (
        <EditResourceDialog workspaceId={workspaceId} types={types.data} path={open.path} onClose={() => setOpen(null)} />
      )}
    </>
  );
}
