import { Link, useParams } from "react-router";
import { ConfirmDeleteButton } from "../../components/ConfirmDelete";
import { ErrorMessage } from "../../components/ErrorMessage";
import { LazyMarkdown } from "../../components/LazyMarkdown";
import { SkeletonLines } from "../../components/Skeleton";
import { RelativeTime } from "../../components/RelativeTime";
import { UrlTabList, useUrlTab } from "../../components/UrlTabs";
import { editScriptUrl } from "../editor/links";
import { PublishApp } from "../apps/PublishApp";
import { canEdit } from "../editor/permissions";
import { VersionsPanel } from "../editor/VersionsPanel";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import { useDeleteScript, useScript } from "./queries";
import { RunSection } from "./RunSection";
import { ScriptArgsTable } from "./ScriptArgsTable";
import { ScriptSettingsPanel } from "./ScriptSettingsPanel";
import { WebhookPanel } from "./WebhookPanel";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "settings", label: "Settings" },
  { id: "webhook", label: "Webhook" },
  { id: "versions", label: "Versions" },
] as const;

export function ScriptDetailPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const script = useScript(workspace.id, path);
  const remove = useDeleteScript(workspace.id, path);
  // The tab is in the URL (?tab=settings) so that it survives a reload and can be linked to.
  const [tab, setTab] = useUrlTab(TABS);

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`${workspaceUrl(workspace.id)}/scripts`}>Scripts</Link>
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-header">
        <h1 className="mono">{path}</h1>
        {canEdit(workspace, script.data) && (
          <div className="page-actions">
            <Link className="button button-primary" to={editScriptUrl(workspace.id, path)}>
              Edit
            </Link>
            <ConfirmDeleteButton path={path} remove={remove} listUrl={`${workspaceUrl(workspace.id)}/scripts`} />
          </div>
        )}
      </div>

      {script.isPending ? (
        <SkeletonLines lines={6} label="Loading script…" />
      ) : script.isError ? (
        <ErrorMessage error={script.error} onRetry={() => void script.refetch()} />
      ) : (
        <>
          {script.data.summary && <p className="lead">{script.data.summary}</p>}
          {script.data.description && (
            <div className="script-description">
              <LazyMarkdown>{script.data.description}</LazyMarkdown>
            </div>
          )}
          <dl className="meta">
            <div>
              <dt>Language</dt>
              <dd>
                <span className="tag">{script.data.language}</span>
              </dd>
            </div>
            <div>
              <dt>Hash</dt>
              <dd>
                <code>{script.data.hash}</code>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>
                <RelativeTime iso={script.data.created_at} /> by {script.data.created_by}
              </dd>
            </div>
            {script.data.access && (
              <div>
                <dt>Your access</dt>
                <dd>
                  <span className="tag" data-testid="script-access">
                    {script.data.access}
                  </span>
                </dd>
              </div>
            )}
          </dl>
          <PublishApp
            workspaceId={workspace.id}
            path={script.data.path}
            published={script.data.app}
            canEdit={canEdit(workspace, script.data)}
          />

          <UrlTabList tabs={TABS} current={tab} onSelect={setTab} label="Script" idPrefix="script" />

          {tab === "overview" ? (
            <div role="tabpanel" id="script-panel-overview" aria-labelledby="script-tab-overview">
              <h2>Arguments</h2>
              <ScriptArgsTable schema={script.data.schema} />

              <h2>Run</h2>
              <RunSection
                key={path}
                workspaceId={workspace.id}
                scriptPath={script.data.path}
                schema={script.data.schema}
              />

              <h2>Source</h2>
              <pre className="code" data-testid="script-source">
                <code>{script.data.content}</code>
              </pre>
            </div>
          ) : tab === "settings" ? (
            <div role="tabpanel" id="script-panel-settings" aria-labelledby="script-tab-settings">
              <ScriptSettingsPanel key={path} script={script.data} />
            </div>
          ) : tab === "webhook" ? (
            <div role="tabpanel" id="script-panel-webhook" aria-labelledby="script-tab-webhook">
              <WebhookPanel key={path} script={script.data} />
            </div>
          ) : (
            <div role="tabpanel" id="script-panel-versions" aria-labelledby="script-tab-versions">
              <VersionsPanel
                key={path}
                workspaceId={workspace.id}
                path={script.data.path}
                canEdit={canEdit(workspace, script.data)}
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}
