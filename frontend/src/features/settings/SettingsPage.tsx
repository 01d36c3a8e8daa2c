import { Link } from "react-router";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import { ApiTokensSection } from "./ApiTokensSection";
import { WorkspaceSection } from "./WorkspaceSection";

/** `/w/:ws/settings`: your API tokens, who has access, and the workspace's defaults. */
export function SettingsPage() {
  const workspace = useCurrentWorkspace();
  return (
    <section className="settings-page">
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <ApiTokensSection />
      <section className="settings-section" aria-labelledby="access-title">
        <h2 id="access-title" className="subheading">
          Members, groups and folders
        </h2>
        <p className="muted settings-help">Who belongs to {workspace.name}, their roles, groups and folder grants.</p>
        <p>
          <Link to={`${workspaceUrl(workspace.id)}/access`}>Manage access</Link>
        </p>
      </section>
      <WorkspaceSection workspace={workspace} />
    </section>
  );
}
