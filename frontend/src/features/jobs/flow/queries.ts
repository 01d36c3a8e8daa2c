import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import { jobKeys } from "../queries";
import { decideStep, fetchApprovalInfo, type Decision } from "./approval";

export const flowKeys = {
  list: (workspace: string) => ["w", workspace, "flows"] as const,
  /** Not under jobKeys.detail: refetching the run must not mint new signed URLs each time. */
  approval: (workspace: string, jobId: string, step: string) =>
    ["w", workspace, "jobs", "approval", jobId, step] as const,
};

/** The flows the caller may see, newest first (a schedule's flow picker); fetched only when `enabled`. */
export function useFlows(workspace: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: flowKeys.list(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/flows", { params: { path: { workspace } } })),
    enabled,
    refetchOnMount: "always",
  });
}

/** What approving a suspended step asks for (its resume form), once per step. */
export function useApprovalInfo(workspace: string, jobId: string, step: string, approver: string) {
  return useQuery({
    queryKey: flowKeys.approval(workspace, jobId, step),
    queryFn: () => fetchApprovalInfo(workspace, jobId, step, approver),
    staleTime: Infinity,
  });
}

export interface DecideInput {
  step: string;
  decision: Decision;
}

/** Approves or rejects a suspended step as `approver` (fresh signed URLs each time); refetches the run. */
export function useDecideStep(workspace: string, jobId: string, approver: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ step, decision }: DecideInput) => decideStep(workspace, jobId, step, approver, decision),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.detail(workspace, jobId) });
    },
  });
}

/** A new run of the same flow version and inputs from top-level step `step` on; resolves to its id. */
export function useRestartFlow(workspace: string, jobId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (step: string) =>
      unwrap(
        api.POST("/api/w/{workspace}/jobs/{job_id}/restart", {
          params: { path: { workspace, job_id: jobId } },
          body: { step },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: jobKeys.all(workspace) });
    },
  });
}
