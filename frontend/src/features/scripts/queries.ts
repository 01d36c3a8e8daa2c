import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  api,
  ApiError,
  expectNoContent,
  toApiError,
  unwrap,
  type Schemas,
  type Script,
  type ScriptSettings,
  type WebhookSettings,
} from "../../api/client";
import { homeKeys } from "../home/queries";

export const scriptKeys = {
  list: (workspace: string) => ["w", workspace, "scripts"] as const,
  detail: (workspace: string, path: string) => ["w", workspace, "scripts", "p", path] as const,
  version: (workspace: string, hash: string) => ["w", workspace, "scripts", "h", hash] as const,
  webhook: (workspace: string, path: string) => ["w", workspace, "scripts", "webhook", path] as const,
  versions: (workspace: string, path: string) => ["w", workspace, "scripts", "versions", path] as const,
  infer: (workspace: string, language: string, content: string) =>
    ["w", workspace, "scripts", "infer", language, content] as const,
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

/** A script's versions, newest first. */
export function useScriptVersions(workspace: string, path: string) {
  return useQuery({
    queryKey: scriptKeys.versions(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/scripts/versions/p/{path}", { params: { path: { workspace, path } } })),
    enabled: path !== "",
  });
}

/**
 * The schema the server reads from `content`, without saving. The same code
 * always gives the same schema, so an answer never goes stale; a 400 (the
 * code's syntax or signature) is an answer too, not worth retrying.
 */
export function inferSchemaQuery(workspace: string, language: string, content: string) {
  return queryOptions({
    queryKey: scriptKeys.infer(workspace, language, content),
    queryFn: ({ signal }) =>
      unwrap(
        api.POST("/api/w/{workspace}/scripts/infer_schema", {
          params: { path: { workspace } },
          body: { language, content },
          signal,
        }),
      ),
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
  });
}

/** As the user types: the previous answer stays shown while the next one loads. */
export function useInferSchema(workspace: string, language: string, content: string) {
  return useQuery({ ...inferSchemaQuery(workspace, language, content), placeholderData: keepPreviousData });
}

export type ScriptInput = Schemas["ScriptIn"];

export interface SavedScript {
  script: Script;
  /** false: this code was already a version (the server answered 200, not 201). */
  created: boolean;
}

/** Saves a version; the script's caches (detail, list, versions) take it in. */
export function useSaveScript(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: ScriptInput): Promise<SavedScript> => {
      let result;
      try {
        result = await api.POST("/api/w/{workspace}/scripts", { params: { path: { workspace } }, body: input });
      } catch (cause) {
        throw new ApiError(0, `Network error: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      const { data, error, response } = result;
      if (!response.ok || data === undefined) throw toApiError(error, response);
      return { script: data, created: response.status === 201 };
    },
    onSuccess: ({ script }) => {
      queryClient.setQueryData(scriptKeys.detail(workspace, script.path), script);
      queryClient.setQueryData(scriptKeys.version(workspace, script.hash), script);
      void queryClient.invalidateQueries({ queryKey: scriptKeys.list(workspace), exact: true });
      void queryClient.invalidateQueries({ queryKey: scriptKeys.versions(workspace, script.path) });
    },
  });
}

/**
 * Deletes the script (a 409 when a schedule still runs it); its jobs stay. It leaves the
 * lists (the home page shares the list's cache) and its cached detail is dropped.
 */
export function useDeleteScript(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(api.DELETE("/api/w/{workspace}/scripts/p/{path}", { params: { path: { workspace, path } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: scriptKeys.detail(workspace, path) });
      queryClient.removeQueries({ queryKey: scriptKeys.versions(workspace, path) });
      void queryClient.invalidateQueries({ queryKey: scriptKeys.list(workspace), exact: true });
      // A script published as an app is listed among the home page's apps.
      void queryClient.invalidateQueries({ queryKey: homeKeys.apps(workspace) });
    },
  });
}
