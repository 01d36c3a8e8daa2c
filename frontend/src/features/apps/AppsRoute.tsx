import { Link, NavLink, Outlet, useNavigate, useParams } from "react-router";
import { ThemeToggle } from "../../components/ThemeToggle";
import { useCurrentUser } from "../auth/CurrentUser";
import { useLogout } from "../auth/queries";
import { CurrentWorkspaceContext, workspaceUrl } from "../workspace/CurrentWorkspace";
import { appsUrl } from "./queries";
import "./apps.css";

/**
 * `/apps/:ws/*`: the operators' side of a workspace. A clean page (no studio sidebar):
 * the workspace's apps and the caller's own runs, nothing else.
 */
export function AppsRoute() {
  const { ws = "" } = useParams();
  const me = useCurrentUser();
  const workspace = me.workspaces.find((w) => w.id === ws);

  return (
    <div className="apps-shell">
      <AppsTopBar workspaceId={ws} workspaceName={workspace?.name ?? ws} />
      <main className="apps-content">
        {workspace === undefined ? (
          <div className="panel">
            <h1>Workspace not found</h1>
            <p className="muted">
              You are not a member of a workspace called <code>{ws}</code>.
            </p>
          </div>
        ) : (
          <CurrentWorkspaceContext.Provider value={workspace}>
            <Outlet />
          </CurrentWorkspaceContext.Provider>
        )}
      </main>
    </div>
  );
}

function AppsTopBar({ workspaceId, workspaceName }: { workspaceId: string; workspaceName: string }) {
  const me = useCurrentUser();
  const logout = useLogout();
  const navigate = useNavigate();
  const role = me.workspaces.find((w) => w.id === workspaceId)?.role;
  return (
    <header className="apps-topbar">
      <Link to={appsUrl(workspaceId)} className="brand apps-brand">
        <span className="brand-mark" aria-hidden="true" />
        Kiln <span className="muted apps-workspace">{workspaceName}</span>
      </Link>
      <nav className="apps-nav" aria-label="Apps">
        <NavLink to={appsUrl(workspaceId)} end className={({ isActive }) => (isActive ? "nav-link active" : "nav-link")}>
          Apps
        </NavLink>
        <NavLink to={`${workspaceUrl(workspaceId)}/runs`} className="nav-link">
          {role === "operator" ? "My runs" : "Runs"}
        </NavLink>
        {role !== undefined && role !== "operator" && (
          <NavLink to={`${workspaceUrl(workspaceId)}/home`} className="nav-link">
            Studio
          </NavLink>
        )}
      </nav>
      <div className="topbar-user">
        <ThemeToggle />
        <span className="topbar-email">{me.email}</span>
        <button
          type="button"
          className="button"
          disabled={logout.isPending}
          onClick={() => logout.mutate(undefined, { onSuccess: () => void navigate("/login", { replace: true }) })}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}
