import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Script, type ScriptSettings, type WebhookSettings } from "../../api/client";

export const scriptKeys = {
  list: (workspace: string) => ["w", workspace, "scripts"] as const,
  detail: (workspace: string, path: string) => ["w", workspace, "scripts", "p", path] as const,
  version: (workspace: string, hash: string) => ["w", workspace, "scripts", "h", hash] as const,
  webhook: (workspace: string, path: string) => ["w", workspace, "scripts", "webhook", path] as const,
};

/** `fresh`: fetch the list again on mount even when cached (a picker should offer a script saved a moment ago). */
export function useScripts(workspace: string, { fresh = false }: { fresh?: boolean } = {}) {
  return useQuery({
    queryKey: scriptKeys.list(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/scripts", { params: { path: { workspace } } })),
    refetchOnMount: fresh ? "always" : true,
  });
}

export function useScript(workspace: string, path: string) {
  return useQuery({
    queryKey: scriptKeys.detail(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/scripts/p/{path}", { params: { path: { workspace, path } } })),
    enabled: path !== "",
  });
}

/** One version of a script, by content hash (a job's `script_hash`); a version never changes. */
export function useScriptVersion(workspace: string, hash: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: scriptKeys.version(workspace, hash),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/scripts/h/{hash}", { params: { path: { workspace, hash } } })),
    enabled: enabled && hash !== "",
    staleTime: Infinity,
  });
}

/** Replaces how the script's jobs run; the script's cached settings become the saved ones. */
export function useSaveScriptSettings(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: ScriptSettings) =>
      unwrap(
        api.PUT("/api/w/{workspace}/scripts/settings/p/{path}", {
          params: { path: { workspace, path } },
          body: settings,
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData<Script>(scriptKeys.detail(workspace, path), (script) =>
        script === undefined ? script : { ...script, settings: saved },
      );
    },
  });
}

/** How the script takes third-party webhooks: its URLs, signature check and raw request (never the secret). */
export function useScriptWebhook(workspace: string, path: string) {
  return useQuery({
    queryKey: scriptKeys.webhook(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/scripts/webhook/p/{path}", { params: { path: { workspace, path } } })),
  });
}

/** Replaces how the script takes webhooks; the cached webhook becomes the saved one. */
export function useSaveScriptWebhook(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (webhook: WebhookSettings) =>
      unwrap(
        api.PUT("/api/w/{workspace}/scripts/webhook/p/{path}", {
          params: { path: { workspace, path } },
          body: webhook,
        }),
      ),
    onSuccess: (saved) => {
      queryClient.setQueryData(scriptKeys.webhook(workspace, path), saved);
    },
  });
}
