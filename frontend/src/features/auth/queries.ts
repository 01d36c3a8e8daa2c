import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectNoContent, unwrap, type Me, type Schemas } from "../../api/client";

export const meQueryKey = ["auth", "me"] as const;

export function useMeQuery() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: () => unwrap(api.GET("/api/auth/me")),
    retry: false,
    staleTime: 5 * 60_000,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentials: Schemas["LoginIn"]) =>
      unwrap(api.POST("/api/auth/login", { body: credentials })),
    onSuccess: (me: Me) => {
      queryClient.setQueryData(meQueryKey, me);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => expectNoContent(api.POST("/api/auth/logout")),
    onSuccess: () => {
      queryClient.clear();
    },
  });
}
