import { useState, type ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import type { Workspace } from "../api/client";
import { useCurrentUser } from "../features/auth/CurrentUser";
import { appsUrl } from "../features/apps/queries";
import { useLogout } from "../features/auth/queries";
import { AppShortcuts } from "../features/shortcuts/AppShortcuts";
import { ShortcutsHelp } from "../features/shortcuts/ShortcutsHelp";
import { workspaceUrl } from "../features/workspace/CurrentWorkspace";
import { ThemeToggle } from "./ThemeToggle";

interface LayoutProps {
  workspace: Workspace | null;
  children: ReactNode;
}

/** App shell: sidebar navigation, top bar with workspace, theme, shortcuts, user and sign-out. */
export function Layout({ workspace, children }: LayoutProps) {
  const [helpOpen, setHelpOpen] = useState(false);
  return (
    <div className="shell">
      <AppShortcuts workspaceId={workspace?.id ?? null} onHelp={() => setHelpOpen(true)} />
      <Sidebar workspace={workspace} />
      <div className="shell-main">
        <TopBar workspace={workspace} onHelp={() => setHelpOpen(true)} />
        <main className="content">{children}</main>
      </div>
      {helpOpen && <ShortcutsHelp onClose={() => setHelpOpen(false)} />}
    </div>
  );
}

function navClass({ isActive }: { isActive: boolean }): string {
  return isActive ? "nav-link active" : "nav-link";
}

const NAV: readonly { page: string; label: string }[] = [
  { page: "home", label: "Home" },
  { page: "scripts", label: "Scripts" },
  { page: "flows", label: "Flows" },
  { page: "runs", label: "Runs" },
  { page: "schedules", label: "Schedules" },
  { page: "variables", label: "Variables" },
  { page: "resources", label: "Resources" },
  { page: "workers", label: "Workers" },
  { page: "access", label: "Access" },
  { page: "settings", label: "Settings" },
];

function Sidebar({ workspace }: { workspace: Workspace | null }) {
  const base = workspace ? workspaceUrl(workspace.id) : null;
  // Operators see the workspace's apps and their own runs, nothing else.
  const nav = workspace?.role === "operator" ? NAV.filter(({ page }) => page === "runs") : NAV;
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Kiln
      </div>
      {base && (
        <nav className="nav" aria-label="Main">
          {nav.map(({ page, label }) => (
            <NavLink key={page} to={`${base}/${page}`} className={navClass}>
              {label}
            </NavLink>
          ))}
          {workspace && (
            <NavLink to={appsUrl(workspace.id)} className={navClass}>
              Apps
            </NavLink>
          )}
        </nav>
      )}
    </aside>
  );
}

function TopBar({ workspace, onHelp }: { workspace: Workspace | null; onHelp: () => void }) {
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
        <ThemeToggle />
        <button
          type="button"
          className="button button-small"
          onClick={onHelp}
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
        >
          Shortcuts <kbd aria-hidden="true">?</kbd>
        </button>
        <span className="topbar-email">{me.email}</span>
        <button type="button" className="button" onClick={signOut} disabled={logout.isPending}>
          Sign out
        </button>
      </div>
    </header>
  );
}
