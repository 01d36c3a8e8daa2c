import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap, type Workspace, type WorkspaceSettings } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonLines } from "../../components/Skeleton";
import { formatLimit, LIMIT_NAMES, LIMITS } from "../../lib/limits";
import { useWorkspaceSettings, workspaceKeys } from "../workspace/queries";

type Network = WorkspaceSettings["settings"]["default_network"];

/** Replaces the workspace's settings (admins only); the cached ones become the saved ones. */
function useSaveWorkspaceSettings(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WorkspaceSettings["settings"]) =>
      unwrap(api.PUT("/api/w/{workspace}/settings", { params: { path: { workspace } }, body })),
    onSuccess: (saved) => queryClient.setQueryData(workspaceKeys.settings(workspace), saved),
  });
}

/** The workspace's default network (admins change it) and the limits no job may exceed. */
export function WorkspaceSection({ workspace }: { workspace: Workspace }) {
  const settings = useWorkspaceSettings(workspace.id);
  const save = useSaveWorkspaceSettings(workspace.id);
  const [network, setNetwork] = useState<Network | null>(null);
  const isAdmin = workspace.role === "admin";

  return (
    <section className="settings-section" aria-labelledby="workspace-settings-title">
      <h2 id="workspace-settings-title" className="subheading">
        Workspace: {workspace.name}
      </h2>
      {settings.isPending ? (
        <SkeletonLines lines={3} label="Loading workspace settings…" />
      ) : settings.isError ? (
        <ErrorMessage error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <>
          <form
            className="inline-form"
            aria-label="Default network"
            onSubmit={(event) => {
              event.preventDefault();
              if (network === null) return;
              // Only the network changes; the stored maximum limits are sent back as they are.
              save.mutate({ ...settings.data.settings, default_network: network }, { onSuccess: () => setNetwork(null) });
            }}
          >
            <div className="field field-inline">
              <label htmlFor="workspace-network">Default network for jobs</label>
              <select
                id="workspace-network"
                value={network ?? settings.data.settings.default_network}
                disabled={!isAdmin}
                onChange={(e) => setNetwork(e.target.value as Network)}
              >
                <option value="internet">Internet</option>
                <option value="none">None (no network)</option>
              </select>
            </div>
            {isAdmin && (
              <button type="submit" className="button" disabled={network === null || save.isPending}>
                {save.isPending ? "Saving…" : "Save"}
              </button>
            )}
            {save.isSuccess && network === null && (
              <span className="form-ok" role="status">
                Saved.
              </span>
            )}
            {!isAdmin && <span className="muted">Admins change workspace settings.</span>}
            {save.isError && (
              <div className="inline-form-error">
                <ErrorMessage error={save.error} />
              </div>
            )}
          </form>
          <h3 className="subheading">Maximum job limits</h3>
          <dl className="meta meta-grid">
            {LIMIT_NAMES.map((name) => {
              const value = settings.data.effective_max_limits[name];
              return (
                <div key={name}>
                  <dt>{LIMITS[name].label}</dt>
                  <dd>{value === undefined ? "—" : formatLimit(name, value)}</dd>
                </div>
              );
            })}
          </dl>
        </>
      )}
    </section>
  );
}
