import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import type { Workspace } from "../api/client";
import { useCurrentUser } from "../features/auth/CurrentUser";
import { useLogout } from "../features/auth/queries";
import { workspaceUrl } from "../features/workspace/CurrentWorkspace";

interface LayoutProps {
  workspace: Workspace | null;
  children: ReactNode;
}

/** App shell: sidebar navigation, top bar with workspace, user and sign-out. */
export function Layout({ workspace, children }: LayoutProps) {
  return (
    <div className="shell">
      <Sidebar workspace={workspace} />
      <div className="shell-main">
        <TopBar workspace={workspace} />
        <main className="content">{children}</main>
      </div>
    </div>
  );
}

function navClass({ isActive }: { isActive: boolean }): string {
  return isActive ? "nav-link active" : "nav-link";
}

function Sidebar({ workspace }: { workspace: Workspace | null }) {
  const base = workspace ? workspaceUrl(workspace.id) : null;
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Kiln
      </div>
      {base && (
        <nav className="nav" aria-label="Main">
          <NavLink to={`${base}/scripts`} className={navClass}>
            Scripts
          </NavLink>
          <NavLink to={`${base}/runs`} className={navClass}>
            Runs
          </NavLink>
          <NavLink to={`${base}/schedules`} className={navClass}>
            Schedules
          </NavLink>
          <NavLink to={`${base}/access`} className={navClass}>
            Access
          </NavLink>
        </nav>
      )}
    </aside>
  );
}

function TopBar({ workspace }: { workspace: Workspace | null }) {
  const me = useCurrentUser();
  const logout = useLogout();
  const navigate = useNavigate();

  function signOut() {
    logout.mutate(undefined, { onSuccess: () => void navigate("/login", { replace: true }) });
  }

  return (
    <header className="topbar">
      <div className="topbar-workspace" title="Current workspace">
        {workspace?.name ?? "No workspace"}
      </div>
      <div className="topbar-user">
        {logout.isError && (
          <span className="topbar-error" role="alert">
            {logout.error.message}
          </span>
        )}
        <span className="topbar-email">{me.email}</span>
        <button type="button" className="button" onClick={signOut} disabled={logout.isPending}>
          Sign out
        </button>
      </div>
    </header>
  );
}
