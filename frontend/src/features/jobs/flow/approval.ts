import { api, ApiError, toApiError, unwrap, type Schemas } from "../../../api/client";
import { CSRF_HEADER, csrfToken } from "../../../api/csrf";

export type ApprovalInfo = Schemas["ApprovalOut"];
export type ResumeUrls = Schemas["ResumeUrlsOut"];

/**
 * A signed URL as this page may call it: its path and query on the page's own origin. The
 * server builds the URLs from its public URL, which need not be the host this page is on.
 */
export function onThisOrigin(url: string, origin: string = window.location.origin): string {
  const parsed = new URL(url, origin);
  return `${origin}${parsed.pathname}${parsed.search}`;
}

/** A fresh pair of signed URLs (a new resume id) for `approver` to decide step `step`. */
export function fetchResumeUrls(workspace: string, jobId: string, step: string, approver: string): Promise<ResumeUrls> {
  return unwrap(
    api.GET("/api/w/{workspace}/jobs/{job_id}/resume_urls", {
      params: { path: { workspace, job_id: jobId }, query: { step, approver } },
    }),
  );
}

/**
 * Calls a signed URL (the signature is the credential; the session cookie goes along as on
 * any same-origin request) and returns what it answers: the approval's state.
 */
export async function callSigned(url: string, method: "GET" | "POST", values?: unknown): Promise<ApprovalInfo> {
  const headers = new Headers({ Accept: "application/json" });
  if (method === "POST") {
    headers.set("Content-Type", "application/json");
    const token = csrfToken();
    if (token) headers.set(CSRF_HEADER, token);
  }
  const request = new Request(onThisOrigin(url), {
    method,
    credentials: "same-origin",
    headers,
    body: method === "POST" ? JSON.stringify(values ?? {}) : undefined,
  });
  let response: Response;
  try {
    response = await fetch(request);
  } catch (cause) {
    throw new ApiError(0, `Network error: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(body, response);
  return body as ApprovalInfo;
}

export type Decision = { approve: true; values: Record<string, unknown> } | { approve: false };

/** Approves (with the resume form's values) or rejects a suspended step, as the current user. */
export async function decideStep(
  workspace: string,
  jobId: string,
  step: string,
  approver: string,
  decision: Decision,
): Promise<ApprovalInfo> {
  const urls = await fetchResumeUrls(workspace, jobId, step, approver);
  return decision.approve ? callSigned(urls.resume, "POST", decision.values) : callSigned(urls.cancel, "POST");
}

/** What approving step `step` asks for (its resume form's schema), read through a signed URL. */
export async function fetchApprovalInfo(
  workspace: string,
  jobId: string,
  step: string,
  approver: string,
): Promise<ApprovalInfo> {
  const urls = await fetchResumeUrls(workspace, jobId, step, approver);
  return callSigned(urls.resume, "GET");
}
