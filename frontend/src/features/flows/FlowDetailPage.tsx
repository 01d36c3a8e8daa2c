import { Link, useNavigate, useParams } from "react-router";
import { ConfirmDeleteButton } from "../../components/ConfirmDelete";
import { ErrorMessage } from "../../components/ErrorMessage";
import { RelativeTime } from "../../components/RelativeTime";
import { SkeletonLines } from "../../components/Skeleton";
import { UrlTabList, useUrlTab } from "../../components/UrlTabs";
import { canEdit } from "../editor/permissions";
import { jobUrl } from "../jobs/links";
import { ArgsForm } from "../scripts/ArgsForm";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { FlowVersions } from "./editor/FlowVersions";
import { editFlowUrl, flowsUrl } from "./links";
import { useDeleteFlow, useFlow, useRunFlow, type Flow } from "./queries";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "versions", label: "Versions" },
] as const;

/** The run form, generated from the flow's input schema; a run opens its page. */
function RunFlow({ workspaceId, flow }: { workspaceId: string; flow: Flow }) {
  const run = useRunFlow(workspaceId);
  const navigate = useNavigate();
  return (
    <ArgsForm
      label="Run flow"
      submitLabel="Run"
      schema={flow.schema}
      pending={run.isPending}
      error={run.error}
      onEdit={() => {
        if (run.isError) run.reset();
      }}
      onSubmit={(args) =>
        run.mutate({ path: flow.path, args }, { onSuccess: ({ id }) => void navigate(jobUrl(workspaceId, id)) })
      }
    />
  );
}

function StepCount({ flow }: { flow: Flow }) {
  const modules = Array.isArray(flow.value.modules) ? flow.value.modules.length : 0;
  return (
    <>
      {modules} top-level step{modules === 1 ? "" : "s"}
    </>
  );
}

/** `w/:ws/flows/p/<path>`: what the flow is, its run form, and its versions. */
export function FlowDetailPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const flow = useFlow(workspace.id, path);
  const remove = useDeleteFlow(workspace.id, path);
  // In the URL, so a reload or a shared link keeps the tab.
  const [tab, setTab] = useUrlTab(TABS);
  const editable = canEdit(workspace, flow.data);

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={flowsUrl(workspace.id)}>Flows</Link>
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-header">
        <h1 className="mono">{path}</h1>
        {editable && (
          <div className="page-actions">
            <Link className="button button-primary" to={editFlowUrl(workspace.id, path)}>
              Edit
            </Link>
            <ConfirmDeleteButton path={path} remove={remove} listUrl={flowsUrl(workspace.id)} />
          </div>
        )}
      </div>

      {flow.isPending ? (
        <SkeletonLines lines={6} label="Loading flow…" />
      ) : flow.isError ? (
        <ErrorMessage error={flow.error} onRetry={() => void flow.refetch()} />
      ) : (
        <>
          {flow.data.summary && <p className="lead">{flow.data.summary}</p>}
          {flow.data.description && <p data-testid="flow-description">{flow.data.description}</p>}
          <dl className="meta">
            <div>
              <dt>Version</dt>
              <dd>
                <code title={flow.data.hash}>{flow.data.hash.slice(0, 8)}</code>
              </dd>
            </div>
            <div>
              <dt>Steps</dt>
              <dd>
                <StepCount flow={flow.data} />
              </dd>
            </div>
            <div>
              <dt>Deployed</dt>
              <dd>
                <RelativeTime iso={flow.data.created_at} /> by {flow.data.created_by}
              </dd>
            </div>
            <div>
              <dt>Your access</dt>
              <dd>
                <span className="tag">{flow.data.access}</span>
              </dd>
            </div>
          </dl>

          <UrlTabList tabs={TABS} current={tab} onSelect={setTab} label="Flow" idPrefix="flow" />

          {tab === "overview" ? (
            <div role="tabpanel" id="flow-panel-overview" aria-labelledby="flow-tab-overview">
              <h2>Run</h2>
              <RunFlow key={`${path}@${flow.data.hash}`} workspaceId={workspace.id} flow={flow.data} />
            </div>
          ) : (
            <div role="tabpanel" id="flow-panel-versions" aria-labelledby="flow-tab-versions">
              <FlowVersions key={path} workspaceId={workspace.id} path={flow.data.path} canEdit={editable} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
