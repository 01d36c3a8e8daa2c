import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api, expectNoContent, unwrap, type Grant, type MemberRole } from "../../api/client";
import { meQueryKey } from "../auth/queries";

export const accessKeys = {
  members: (workspace: string) => ["w", workspace, "members"] as const,
  groups: (workspace: string) => ["w", workspace, "groups"] as const,
  folders: (workspace: string) => ["w", workspace, "folders"] as const,
};

/**
 * A member change shows in the group list too (`all`, a removed member's groups), and
 * may be your own role, which the whole app reads from /api/auth/me.
 */
function afterMemberChange(queryClient: QueryClient, workspace: string): void {
  void queryClient.invalidateQueries({ queryKey: accessKeys.members(workspace) });
  void queryClient.invalidateQueries({ queryKey: accessKeys.groups(workspace) });
  void queryClient.invalidateQueries({ queryKey: meQueryKey });
}

/** A group change shows in the members' `groups` column too. */
function afterGroupChange(queryClient: QueryClient, workspace: string): void {
  void queryClient.invalidateQueries({ queryKey: accessKeys.groups(workspace) });
  void queryClient.invalidateQueries({ queryKey: accessKeys.members(workspace) });
}

// --- members ----------------------------------------------------------------------------

export function useMembers(workspace: string) {
  return useQuery({
    queryKey: accessKeys.members(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/members", { params: { path: { workspace } } })),
  });
}

export interface AddMemberInput {
  email: string;
  role: MemberRole;
}

export function useAddMember(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AddMemberInput) =>
      unwrap(api.POST("/api/w/{workspace}/members", { params: { path: { workspace } }, body })),
    onSuccess: () => afterMemberChange(queryClient, workspace),
  });
}

export function useSetMemberRole(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ email, role }: AddMemberInput) =>
      unwrap(
        api.PUT("/api/w/{workspace}/members/{email}", {
          params: { path: { workspace, email } },
          body: { role },
        }),
      ),
    onSuccess: () => afterMemberChange(queryClient, workspace),
  });
}

export function useRemoveMember(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (email: string) =>
      expectNoContent(api.DELETE("/api/w/{workspace}/members/{email}", { params: { path: { workspace, email } } })),
    onSuccess: () => afterMemberChange(queryClient, workspace),
  });
}

// --- groups -----------------------------------------------------------------------------

export function useGroups(workspace: string) {
  return useQuery({
    queryKey: accessKeys.groups(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/groups", { params: { path: { workspace } } })),
  });
}

export interface CreateGroupInput {
  name: string;
  summary: string;
  members: string[];
}

export function useCreateGroup(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateGroupInput) =>
      unwrap(api.POST("/api/w/{workspace}/groups", { params: { path: { workspace } }, body })),
    onSuccess: () => afterGroupChange(queryClient, workspace),
  });
}

/** Replaces a group's members with `members` (the whole new list). */
export function useSetGroupMembers(workspace: string, name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (members: string[]) =>
      unwrap(
        api.PUT("/api/w/{workspace}/groups/{name}/members", {
          params: { path: { workspace, name } },
          body: { members },
        }),
      ),
    onSuccess: () => afterGroupChange(queryClient, workspace),
  });
}

export function useDeleteGroup(workspace: string, name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(api.DELETE("/api/w/{workspace}/groups/{name}", { params: { path: { workspace, name } } })),
    // A deleted group's folder grants go with it.
    onSuccess: () => {
      afterGroupChange(queryClient, workspace);
      void queryClient.invalidateQueries({ queryKey: accessKeys.folders(workspace) });
    },
  });
}

// --- folders ----------------------------------------------------------------------------

/** The folders you can see, each with your access (and its grants when you own it). */
export function useFolders(workspace: string) {
  return useQuery({
    queryKey: accessKeys.folders(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/folders", { params: { path: { workspace } } })),
  });
}

export interface CreateFolderInput {
  name: string;
  summary: string;
}

export function useCreateFolder(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateFolderInput) =>
      unwrap(api.POST("/api/w/{workspace}/folders", { params: { path: { workspace } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accessKeys.folders(workspace) }),
  });
}

/** Replaces who may use a folder with `grants` (the whole new list). */
export function useSetFolderGrants(workspace: string, name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (grants: Grant[]) =>
      unwrap(
        api.PUT("/api/w/{workspace}/folders/{name}/grants", {
          params: { path: { workspace, name } },
          body: { grants },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accessKeys.folders(workspace) }),
  });
}

/** Deletes an empty folder (a 409 says what is still in it). */
export function useDeleteFolder(workspace: string, name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(api.DELETE("/api/w/{workspace}/folders/{name}", { params: { path: { workspace, name } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: accessKeys.folders(workspace) }),
  });
}
