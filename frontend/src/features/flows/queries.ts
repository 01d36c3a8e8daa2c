/** The flows API (docs/flows.md) as TanStack Query hooks. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, expectNoContent, isApiError, toApiError, unwrap, type Schemas } from "../../api/client";
import { CSRF_HEADER, csrfToken } from "../../api/csrf";
import { isRecord } from "../forms/schemaKind";
import { homeKeys } from "../home/queries";
import { jobKeys } from "../jobs/queries";
import type { FlowDocument } from "./model/types";

export type Flow = Schemas["FlowOut"];
export type FlowSummary = Schemas["FlowListOut"];
export type FlowVersion = Schemas["FlowVersionOut"];

// The list key is the one the home page uses (features/home/queries.ts), so both share one cache.
export const flowKeys = {
  all: (workspace: string) => ["w", workspace, "flows"] as const,
  list: (workspace: string) => ["w", workspace, "flows", "list"] as const,
  detail: (workspace: string, path: string) => ["w", workspace, "flows", "p", path] as const,
  version: (workspace: string, hash: string) => ["w", workspace, "flows", "h", hash] as const,
  versions: (workspace: string, path: string) => ["w", workspace, "flows", "versions", path] as const,
};

export function useFlowList(workspace: string) {
  return useQuery({
    queryKey: flowKeys.list(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/flows", { params: { path: { workspace } } })),
  });
}

export function useFlow(workspace: string, path: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: flowKeys.detail(workspace, path),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/flows/p/{path}", { params: { path: { workspace, path } } })),
    enabled: enabled && path !== "",
  });
}

/** One version, by hash: a version never changes, so it is never refetched. */
export function useFlowVersion(workspace: string, hash: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: flowKeys.version(workspace, hash),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/flows/h/{hash}", { params: { path: { workspace, hash } } })),
    enabled: enabled && hash !== "",
    staleTime: Infinity,
  });
}

export function useFlowVersions(workspace: string, path: string) {
  return useQuery({
    queryKey: flowKeys.versions(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/flows/versions/p/{path}", { params: { path: { workspace, path } } })),
    enabled: path !== "",
  });
}

/** A stored version as the editor's document (the API's extra fields left out). */
export function documentOf(flow: Pick<Flow, "summary" | "description" | "schema" | "value">): FlowDocument {
  return {
    summary: flow.summary,
    description: flow.description,
    schema: flow.schema,
    value: flow.value as unknown as FlowDocument["value"],
  };
}

export interface DeployedFlow {
  flow: Flow;
  /** false: this document was already the latest version (200, not 201). */
  created: boolean;
}

/** Saves `doc` at `path` as a new version; the flow's caches take it in. */
export function useDeployFlow(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ path, doc }: { path: string; doc: FlowDocument }): Promise<DeployedFlow> => {
      const body = {
        path,
        summary: doc.summary ?? "",
        description: doc.description ?? "",
        schema: doc.schema ?? null,
        value: doc.value as unknown as Record<string, unknown>,
      };
      let result;
      try {
        result = await api.POST("/api/w/{workspace}/flows", { params: { path: { workspace } }, body });
      } catch (cause) {
        throw new ApiError(0, `Network error: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
      const { data, error, response } = result;
      if (!response.ok || data === undefined) throw toApiError(error, response);
      return { flow: data, created: response.status === 201 };
    },
    onSuccess: ({ flow }) => {
      queryClient.setQueryData(flowKeys.detail(workspace, flow.path), flow);
      queryClient.setQueryData(flowKeys.version(workspace, flow.hash), flow);
      void queryClient.invalidateQueries({ queryKey: flowKeys.list(workspace), exact: true });
      void queryClient.invalidateQueries({ queryKey: flowKeys.versions(workspace, flow.path) });
    },
  });
}

/**
 * Deletes the flow (a 409 when a schedule still runs it); its runs stay. It leaves the
 * list (the home page's too: one cache) and its cached detail is dropped.
 */
export function useDeleteFlow(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(api.DELETE("/api/w/{workspace}/flows/p/{path}", { params: { path: { workspace, path } } })),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: flowKeys.detail(workspace, path) });
      queryClient.removeQueries({ queryKey: flowKeys.versions(workspace, path) });
      void queryClient.invalidateQueries({ queryKey: flowKeys.list(workspace) });
      // A flow published as an app is listed among the home page's apps.
      void queryClient.invalidateQueries({ queryKey: homeKeys.apps(workspace) });
    },
  });
}

/** One problem the server found in a document: `value.modules[2].value.iterator`, "missing field". */
export interface FlowIssue {
  path: string;
  message: string;
}

/** A refused save's problems (400 or 413 with `detail.errors`); [] for any other error. */
export function flowIssuesOf(error: unknown): FlowIssue[] {
  if (!isApiError(error) || !isRecord(error.detail) || !Array.isArray(error.detail.errors)) return [];
  return error.detail.errors.filter(isRecord).map((issue) => ({
    path: typeof issue.path === "string" ? issue.path : "",
    message: typeof issue.message === "string" ? issue.message : String(issue.message),
  }));
}

/** Queues a run of the flow's latest deployed version; resolves to the run's job id. */
export function useRunFlow(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ path, args }: { path: string; args: Record<string, unknown> }) =>
      unwrap(
        api.POST("/api/w/{workspace}/jobs/run/f/{path}", {
          params: { path: { workspace, path } },
          body: args,
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: jobKeys.all(workspace) }),
  });
}

export interface PreviewInput {
  language: string;
  content: string;
  args: Record<string, unknown>;
}

/**
 * `POST /api/w/{ws}/jobs/run/preview`: inline code run as the caller, unsaved. The endpoint is
 * newer than the generated client (src/api/schema.d.ts), so this is a plain fetch; once
 * `npm run gen:api` picks it up it can become an `api.POST` like the others.
 */
export async function runPreview(workspace: string, input: PreviewInput): Promise<{ id: string }> {
  const headers = new Headers({ "Content-Type": "application/json", Accept: "application/json" });
  const token = csrfToken();
  if (token) headers.set(CSRF_HEADER, token);
  const url = `${window.location.origin}/api/w/${encodeURIComponent(workspace)}/jobs/run/preview`;
  let response: Response;
  try {
    response = await globalThis.fetch(
      new Request(url, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(input) }),
    );
  } catch (cause) {
    throw new ApiError(0, `Network error: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(body, response);
  if (!isRecord(body) || typeof body.id !== "string") throw new ApiError(response.status, "The server sent no job id");
  return { id: body.id };
}

export function useRunPreview(workspace: string) {
  return useMutation({ mutationFn: (input: PreviewInput) => runPreview(workspace, input) });
}
