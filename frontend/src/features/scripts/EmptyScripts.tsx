import { Link } from "react-router";
import { newScriptUrl } from "../editor/links";

/** Shown when a workspace has no scripts: the editor, or how to create one with curl. */
export function EmptyScripts({ workspaceId, canCreate }: { workspaceId: string; canCreate: boolean }) {
  const body = String.raw`{"path":"u/you/hello","language":"python3","content":"def main(name: str):\n    return f\"hi {name}\""}`;
  const command =
    `curl -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ` +
    `-d '${body}' ${window.location.origin}/api/w/${workspaceId}/scripts`;
  return (
    <div className="empty">
      <h2>No scripts yet</h2>
      {canCreate && (
        <p>
          <Link className="button button-primary" to={newScriptUrl(workspaceId)}>
            New script
          </Link>
        </p>
      )}
      <p className="muted">{canCreate ? "Or create one through the API" : "Scripts are created through the API"}, for example:</p>
      <pre className="code code-wrap" data-testid="create-script-hint">
        <code>{command}</code>
      </pre>
    </div>
  );
}
