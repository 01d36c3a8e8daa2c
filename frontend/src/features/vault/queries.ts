import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectNoContent, unwrap, type Schemas } from "../../api/client";

export type Variable = Schemas["VariableOut"];
export type VariableInput = Schemas["VariableIn"];
export type VariableUpdate = Schemas["VariableUpdateIn"];
export type VariableValue = Schemas["VariableValueOut"];
export type ResourceSummary = Schemas["ResourceListOut"];
export type Resource = Schemas["ResourceOut"];
export type ResourceInput = Schemas["ResourceIn"];
export type ResourceUpdate = Schemas["ResourceUpdateIn"];
export type ResourceType = Schemas["ResourceTypeOut"];
export type ResourceTypeInput = Schemas["ResourceTypeIn"];

export const vaultKeys = {
  variables: (workspace: string) => ["w", workspace, "variables"] as const,
  resources: (workspace: string) => ["w", workspace, "resources"] as const,
  /** `type` null: every type. Under `resources`, so a change to any resource refreshes every list. */
  resourceList: (workspace: string, type: string | null) => ["w", workspace, "resources", "list", type] as const,
  resource: (workspace: string, path: string) => ["w", workspace, "resources", "p", path] as const,
  types: (workspace: string) => ["w", workspace, "resource-types"] as const,
};

// --- variables ----------------------------------------------------------------------------

/** The variables the caller may see; a secret's `value` is null (operators get a 403). */
export function useVariables(workspace: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: vaultKeys.variables(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/variables", { params: { path: { workspace } } })),
    enabled,
  });
}

function useAfterVariableChange(workspace: string) {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: vaultKeys.variables(workspace) });
}

export function useCreateVariable(workspace: string) {
  const after = useAfterVariableChange(workspace);
  return useMutation({
    mutationFn: (body: VariableInput) =>
      unwrap(api.POST("/api/w/{workspace}/variables", { params: { path: { workspace } }, body })),
    onSuccess: after,
  });
}

/** Omitted keys stay as they are (a secret's value is only sent when retyped). */
export function useUpdateVariable(workspace: string, path: string) {
  const after = useAfterVariableChange(workspace);
  return useMutation({
    mutationFn: (body: VariableUpdate) =>
      unwrap(api.PUT("/api/w/{workspace}/variables/p/{path}", { params: { path: { workspace, path } }, body })),
    onSuccess: after,
  });
}

export function useDeleteVariable(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(
        api.DELETE("/api/w/{workspace}/variables/p/{path}", { params: { path: { workspace, path } } }),
      ),
    onSuccess: () => {
      queryClient.setQueryData<Variable[]>(vaultKeys.variables(workspace), (list) =>
        list?.filter((variable) => variable.path !== path),
      );
      void queryClient.invalidateQueries({ queryKey: vaultKeys.variables(workspace) });
    },
  });
}

/**
 * Reads a variable's value, decrypting a secret (the server audits each read). A mutation, not
 * a query: it runs only when the user asks, is never refetched (focus, reconnect) nor cached,
 * and `reset()` forgets the value.
 */
export function useRevealVariable(workspace: string, path: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(api.GET("/api/w/{workspace}/variables/value/p/{path}", { params: { path: { workspace, path } } })),
    // Hidden (reset) or unmounted, the value leaves the mutation cache at once.
    gcTime: 0,
  });
}

// --- resources ----------------------------------------------------------------------------

/** The resources the caller may use (no values), of one type or all; operators may list them too. */
export function useResources(workspace: string, type: string | null = null) {
  return useQuery({
    queryKey: vaultKeys.resourceList(workspace, type),
    queryFn: () =>
      unwrap(
        api.GET("/api/w/{workspace}/resources", {
          params: { path: { workspace }, query: type === null ? {} : { resource_type: type } },
        }),
      ),
  });
}

/** One resource with its value as stored (`$var:` references unresolved). */
export function useResource(workspace: string, path: string) {
  return useQuery({
    queryKey: vaultKeys.resource(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/resources/p/{path}", { params: { path: { workspace, path } } })),
  });
}

function useAfterResourceChange(workspace: string) {
  const queryClient = useQueryClient();
  return (saved: Resource) => {
    queryClient.setQueryData(vaultKeys.resource(workspace, saved.path), saved);
    void queryClient.invalidateQueries({ queryKey: vaultKeys.resources(workspace) });
  };
}

export function useCreateResource(workspace: string) {
  const after = useAfterResourceChange(workspace);
  return useMutation({
    mutationFn: (body: ResourceInput) =>
      unwrap(api.POST("/api/w/{workspace}/resources", { params: { path: { workspace } }, body })),
    onSuccess: after,
  });
}

export function useUpdateResource(workspace: string, path: string) {
  const after = useAfterResourceChange(workspace);
  return useMutation({
    mutationFn: (body: ResourceUpdate) =>
      unwrap(api.PUT("/api/w/{workspace}/resources/p/{path}", { params: { path: { workspace, path } }, body })),
    onSuccess: after,
  });
}

export function useDeleteResource(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(
        api.DELETE("/api/w/{workspace}/resources/p/{path}", { params: { path: { workspace, path } } }),
      ),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: vaultKeys.resource(workspace, path) });
      void queryClient.invalidateQueries({ queryKey: vaultKeys.resources(workspace) });
    },
  });
}

// --- resource types -----------------------------------------------------------------------

/** Built-in types first, then the workspace's own. */
export function useResourceTypes(workspace: string) {
  return useQuery({
    queryKey: vaultKeys.types(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/resources/types", { params: { path: { workspace } } })),
    staleTime: 60_000,
  });
}

function useAfterTypeChange(workspace: string) {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: vaultKeys.types(workspace) });
}

export function useCreateResourceType(workspace: string) {
  const after = useAfterTypeChange(workspace);
  return useMutation({
    mutationFn: (body: ResourceTypeInput) =>
      unwrap(api.POST("/api/w/{workspace}/resources/types", { params: { path: { workspace } }, body })),
    onSuccess: after,
  });
}

export function useUpdateResourceType(workspace: string, name: string) {
  const after = useAfterTypeChange(workspace);
  return useMutation({
    mutationFn: (body: Omit<ResourceTypeInput, "name">) =>
      unwrap(
        api.PUT("/api/w/{workspace}/resources/types/{name}", { params: { path: { workspace, name } }, body }),
      ),
    onSuccess: after,
  });
}

/** 409 while a resource uses it; 403 for a built-in. */
export function useDeleteResourceType(workspace: string, name: string) {
  const after = useAfterTypeChange(workspace);
  return useMutation({
    mutationFn: () =>
      expectNoContent(
        api.DELETE("/api/w/{workspace}/resources/types/{name}", { params: { path: { workspace, name } } }),
      ),
    onSuccess: after,
  });
}
