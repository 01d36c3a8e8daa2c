import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectNoContent, unwrap, type Schemas } from "../../api/client";

export type ApiToken = Schemas["TokenOut"];
export type ApiTokenInput = Schemas["TokenIn"];
export type WebhookToken = Schemas["WebhookTokenOut"];
export type WebhookTokenInput = Schemas["WebhookTokenIn"];

export const tokenKeys = {
  personal: () => ["tokens"] as const,
  webhook: (workspace: string) => ["w", workspace, "webhook_tokens"] as const,
};

/** The signed-in user's personal API tokens, newest first, revoked ones included. */
export function usePersonalTokens() {
  return useQuery({
    queryKey: tokenKeys.personal(),
    queryFn: () => unwrap(api.GET("/api/tokens")),
  });
}

/** The answer carries the secret, which is never sent again: the caller must show it now. */
export function useCreatePersonalToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiTokenInput) => unwrap(api.POST("/api/tokens", { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: tokenKeys.personal() }),
  });
}

export function useRevokePersonalToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: number) =>
      expectNoContent(api.DELETE("/api/tokens/{token_id}", { params: { path: { token_id: tokenId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: tokenKeys.personal() }),
  });
}

/** The workspace's webhook tokens on paths you may see (admins and developers; operators get a 403). */
export function useWebhookTokens(workspace: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: tokenKeys.webhook(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/webhook_tokens", { params: { path: { workspace } } })),
    enabled,
  });
}

/** A token that can only run `body.path`, as its creator; the answer carries the secret, once. */
export function useCreateWebhookToken(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookTokenInput) =>
      unwrap(api.POST("/api/w/{workspace}/webhook_tokens", { params: { path: { workspace } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: tokenKeys.webhook(workspace) }),
  });
}

export function useRevokeWebhookToken(workspace: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: number) =>
      expectNoContent(
        api.DELETE("/api/w/{workspace}/webhook_tokens/{token_id}", {
          params: { path: { workspace, token_id: tokenId } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: tokenKeys.webhook(workspace) }),
  });
}
