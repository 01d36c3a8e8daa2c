import createClient, { defaultPathSerializer, type Middleware } from "openapi-fetch";
import { CSRF_HEADER, csrfToken, isSafeMethod } from "./csrf";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Me = Schemas["MeOut"];
export type Workspace = Schemas["WorkspaceOut"];
export type ScriptSummary = Schemas["ScriptListOut"];
export type Script = Schemas["ScriptOut"];
export type Job = Schemas["JobListOut"];
export type JobDetail = Schemas["JobOut"];
export type JobCreated = Schemas["JobCreatedOut"];
export type JobPage = Schemas["JobPageOut"];
export type ScriptSettings = Schemas["ScriptSettings"];
export type WorkspaceSettings = Schemas["WorkspaceSettingsOut"];
export type Member = Schemas["MemberOut"];
export type MemberRole = Schemas["MemberIn"]["role"];
export type Group = Schemas["GroupOut"];
export type Folder = Schemas["FolderOut"];
export type Grant = Schemas["GrantSchema"];
export type GrantLevel = Grant["level"];
export type Webhook = Schemas["WebhookOut"];
export type WebhookSettings = Schemas["WebhookIn"];
export type Schedule = Schemas["ScheduleOut"];
export type ScheduleInput = Schemas["ScheduleIn"];
export type ScheduleEvent = Schemas["EventOut"];
export type CronPreview = Schemas["PreviewOut"];

/**
 * The statuses the backend uses. Its schema declares `status` as a plain
 * string, so code that reads a job must still cope with other values.
 */
export type JobStatus = "queued" | "running" | "success" | "failure" | "canceled" | "timeout" | "crashed";

export const JOB_STATUSES: readonly JobStatus[] = [
  "queued",
  "running",
  "success",
  "failure",
  "canceled",
  "timeout",
  "crashed",
];

/** What started a job; the API types `trigger` as a plain string. */
export const JOB_TRIGGERS = ["manual", "webhook", "schedule", "flow", "rerun", "preview", "job"] as const;

/** queued and running jobs still change; every other status is final. */
export function isTerminalStatus(status: string): boolean {
  return status !== "queued" && status !== "running";
}

/** Every non-2xx answer (and network failure) surfaces as one of these. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, message: string, detail?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Builds an ApiError from the backend's `{"message", "detail"}` error body.
 * Most operations do not declare their error responses in the OpenAPI
 * document, so this reads any non-2xx body (openapi-fetch has already parsed
 * it as JSON when it could).
 */
export function toApiError(body: unknown, response: Response): ApiError {
  if (isRecord(body) && typeof body.message === "string" && body.message !== "") {
    return new ApiError(response.status, body.message, body.detail);
  }
  const text = `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, `Request failed (${text})`, body);
}

/** Adds Django's CSRF header to every unsafe request. */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (isSafeMethod(request.method)) return undefined;
    const token = csrfToken();
    if (token) request.headers.set(CSRF_HEADER, token);
    return undefined;
  },
};

/**
 * Script paths contain slashes (`u/ada/greet`) and the backend routes them as
 * `/scripts/p/u/ada/greet`, so the `{path}` parameter keeps its slashes and
 * only the segments are escaped. Every other parameter is encoded as usual.
 */
function pathSerializer(pathname: string, params: Record<string, unknown>): string {
  const { path, ...rest } = params;
  const withPath =
    typeof path === "string"
      ? pathname.replace("{path}", path.split("/").map(encodeURIComponent).join("/"))
      : pathname;
  return defaultPathSerializer(withPath, rest);
}

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  // Resolved at call time so tests can stub globalThis.fetch.
  fetch: (request) => globalThis.fetch(request),
  pathSerializer,
});
api.use(csrfMiddleware);

interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function settle<T>(call: Promise<ApiResult<T>>): Promise<ApiResult<T>> {
  try {
    return await call;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ApiError(0, `Network error: ${reason}`);
  }
}

/** Awaits an openapi-fetch call and returns its data or throws an ApiError. */
export async function unwrap<T>(call: Promise<ApiResult<T>>): Promise<T> {
  const { data, error, response } = await settle(call);
  if (!response.ok) throw toApiError(error, response);
  if (data === undefined) throw new ApiError(response.status, "The server sent an empty response");
  return data;
}

/** Like unwrap, for endpoints that answer 204 No Content. */
export async function expectNoContent(call: Promise<ApiResult<unknown>>): Promise<void> {
  const { error, response } = await settle(call);
  if (!response.ok) throw toApiError(error, response);
}
