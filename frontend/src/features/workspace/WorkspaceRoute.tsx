import { Link, Navigate, Outlet, useLocation, useParams } from "react-router";
import { appsUrl } from "../apps/queries";
import { Layout } from "../../components/Layout";
import { useCurrentUser } from "../auth/CurrentUser";
import { CurrentWorkspaceContext, workspaceUrl } from "./CurrentWorkspace";

/** Operators see the workspace's apps and their own runs, nothing else of the studio. */
const OPERATOR_PAGES = /^\/w\/[^/]+\/runs(\/|$)/;

/** `/w/:ws/*`: resolves the workspace from the URL and wraps pages in the app shell. */
export function WorkspaceRoute() {
  const { ws = "" } = useParams();
  const me = useCurrentUser();
  const { pathname } = useLocation();
  const workspace = me.workspaces.find((w) => w.id === ws);
  const fallback = me.workspaces[0];

  if (workspace === undefined) {
    return (
      <Layout workspace={fallback ?? null}>
        <div className="panel">
          <h1>Workspace not found</h1>
          <p className="muted">
            You are not a member of a workspace called <code>{ws}</code>.
          </p>
          {fallback && (
            <p>
              <Link to={`${workspaceUrl(fallback.id)}/scripts`}>Go to {fallback.name}</Link>
            </p>
          )}
        </div>
      </Layout>
    );
  }

  if (workspace.role === "operator" && !OPERATOR_PAGES.test(pathname)) {
    return <Navigate to={appsUrl(workspace.id)} replace />;
  }

  return (
    <CurrentWorkspaceContext.Provider value={workspace}>
      <Layout workspace={workspace}>
        <Outlet />
      </Layout>
    </CurrentWorkspaceContext.Provider>
  );
}
