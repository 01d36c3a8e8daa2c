/** Shown when a workspace has no scripts: how to create one with curl. */
export function EmptyScripts({ workspaceId }: { workspaceId: string }) {
  const body = String.raw`{"path":"u/you/hello","language":"python3","content":"def main(name: str):\n    return f\"hi {name}\""}`;
  const command =
    `curl -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ` +
    `-d '${body}' ${window.location.origin}/api/w/${workspaceId}/scripts`;
  return (
    <div className="empty">
      <h2>No scripts yet</h2>
      <p className="muted">Create your first script through the API, for example:</p>
      <pre className="code code-wrap" data-testid="create-script-hint">
        <code>{command}</code>
      </pre>
    </div>
  );
}
