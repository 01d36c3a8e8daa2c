import { Link } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { appUrl, useApps } from "./queries";

/** `/apps/:ws`: every app the caller may run, as cards. */
export function AppsIndexPage() {
  const workspace = useCurrentWorkspace();
  const apps = useApps(workspace.id);

  return (
    <section>
      <div className="page-header">
        <h1>Apps</h1>
      </div>
      {apps.isPending ? (
        <SkeletonTable rows={3} />
      ) : apps.isError ? (
        <ErrorMessage error={apps.error} onRetry={() => void apps.refetch()} />
      ) : apps.data.length === 0 ? (
        <div className="empty-state" data-testid="apps-empty">
          <h2>No apps yet</h2>
          <p className="muted">
            {workspace.role === "operator"
              ? "Nothing has been published for you to run in this workspace yet. Ask a developer to publish a script as an app."
              : "Publish a script as an app from its page (Overview → Publish as app) and it shows up here for operators."}
          </p>
        </div>
      ) : (
        <ul className="app-cards" aria-label="Apps">
          {apps.data.map((app) => (
            <li key={app.path} className="app-card">
              <Link to={appUrl(workspace.id, app.path)} className="app-card-link">
                <span className="app-card-title">{app.summary || app.path}</span>
                <span className="mono muted app-card-path">{app.path}</span>
                {app.description && <span className="app-card-description">{app.description}</span>}
              </Link>
              <span className="tag">{app.kind}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
