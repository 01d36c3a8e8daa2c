// Kiln's SDK for TypeScript scripts: `import * as kiln from "kiln"`, then
// `await kiln.getVariable("f/db/password")` ...
//
// Inside a job the worker serves the Kiln API on a Unix socket in the job dir
// (KILN_SDK_SOCKET) and hands the job a token (KILN_TOKEN); outside Kiln,
// KILN_BASE_URL and a personal token in KILN_TOKEN do the same with fetch.
// `kiln` resolves to this file through import_map.json (typescript.py passes
// --import-map). No imports: this file is mounted read-only into every Deno jail,
// which may have no network. Every function has a snake_case alias too
// (get_variable ...), so code written for the Python SDK reads the same.

/** Long enough for a wait call the server holds (~20 s) with a wide margin. */
const REQUEST_TIMEOUT_MS = 120_000;
// Between two wait calls that came back at once (a server that does not hold them).
const POLL_MIN_MS = 50;
const POLL_MAX_MS = 1_000;

/** A failed job's error, as its wrapper reported it. */
export interface JobError {
  name: string;
  message: string;
  traceback?: string;
}

/** URLs that resume or cancel this job's flow at its approval step. */
export interface ResumeUrls {
  approvalPage: string;
  resume: string;
  cancel: string;
}

/** Which job this is; null where the environment does not say. */
export interface Context {
  workspace: string | null;
  job_id: string | null;
  script_path: string | null;
}

/**
 * The Kiln API refused a call or could not be reached, or this is not a Kiln job.
 * `status` is the HTTP status (null when no answer came); for JobFailed, the job's status.
 */
export class KilnError extends Error {
  status: number | string | null;
  detail: unknown;

  constructor(
    message: string,
    status: number | string | null = null,
    detail: unknown = null,
  ) {
    super(typeof status === "number" ? `${message} (HTTP ${status})` : message);
    this.name = "KilnError";
    this.status = status;
    this.detail = detail;
  }
}

/** A job this script waited for ended without success. */
export class JobFailed extends KilnError {
  override status: string;
  jobId: string;
  error: JobError | null;

  constructor(jobId: string, status: string, error: JobError | null) {
    const reason = error && typeof error === "object" // a canceled job may have none
      ? `${error.name ?? "Error"}: ${error.message ?? ""}`
      : "no error reported";
    super(`job ${jobId} ended ${status}: ${reason}`, status, error);
    this.name = "JobFailed";
    this.status = status;
    this.jobId = jobId;
    this.error = error;
  }
}

/** waitJob's timeout passed before the job ended (the job itself goes on). */
export class JobTimeout extends KilnError {
  jobId: string;

  constructor(jobId: string, timeoutS: number) {
    super(`job ${jobId} did not end within ${timeoutS}s`);
    this.name = "JobTimeout";
    this.jobId = jobId;
  }
}

/** The API did not answer in time (waitJob turns this into JobTimeout). */
class NoAnswer extends KilnError {}

export function getContext(): Context {
  return {
    workspace: env("KILN_WORKSPACE"),
    job_id: env("KILN_JOB_ID"),
    script_path: env("KILN_SCRIPT_PATH"),
  };
}

/** The value of the variable at `path` (a secret comes back decrypted). */
export async function getVariable(path: string): Promise<string> {
  const answer = await call("GET", `/variables/value/p/${encodePath(path)}`);
  return String(field(answer, "value"));
}

/** The resource at `path`, with the variables it references filled in. */
export async function getResource<T = Record<string, unknown>>(
  path: string,
): Promise<T> {
  const answer = await call(
    "GET",
    `/resources/value_interpolated/p/${encodePath(path)}`,
  );
  return field(answer, "value") as T;
}

/** Show how far along this job is, 0 to 100. */
export async function setProgress(percent: number): Promise<void> {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RangeError(
      `progress must be an integer from 0 to 100, not ${percent}`,
    );
  }
  await call("POST", "/sdk/progress", { percent });
}

/** The value this script kept with setState on an earlier run; null if it never did. */
export async function getState<T = unknown>(): Promise<T | null> {
  const answer = await call("GET", "/sdk/state");
  return (field(answer, "value") ?? null) as T | null;
}

/** Keep a JSON value until this script's next run (a cursor, the last id seen ...). */
export async function setState(value: unknown): Promise<void> {
  await call("PUT", "/sdk/state", { value: value ?? null });
}

/** Start the script at `path` and return its job id at once. */
export async function runScriptAsync(
  path: string,
  args?: Record<string, unknown>,
): Promise<string> {
  const answer = await call(
    "POST",
    `/jobs/run/p/${encodePath(path)}`,
    checkArgs(args),
  );
  return String(field(answer, "id"));
}

/** Start the flow at `path` and return its job id at once. */
export async function runFlowAsync(
  path: string,
  args?: Record<string, unknown>,
): Promise<string> {
  const answer = await call(
    "POST",
    `/jobs/run/f/${encodePath(path)}`,
    checkArgs(args),
  );
  return String(field(answer, "id"));
}

/** Run the script at `path` and return its result; JobFailed if it fails. */
export async function runScript<T = unknown>(
  path: string,
  args?: Record<string, unknown>,
  timeoutS?: number,
): Promise<T> {
  return await waitJob<T>(await runScriptAsync(path, args), timeoutS);
}

/** Run the flow at `path` and return its result; JobFailed if it fails. */
export async function runFlow<T = unknown>(
  path: string,
  args?: Record<string, unknown>,
  timeoutS?: number,
): Promise<T> {
  return await waitJob<T>(await runFlowAsync(path, args), timeoutS);
}

/**
 * The result of job `jobId` once it ends: JobFailed unless it succeeded, JobTimeout if
 * `timeoutS` passes first.
 */
export async function waitJob<T = unknown>(
  jobId: string,
  timeoutS?: number,
): Promise<T> {
  const deadline = timeoutS == null ? null : Date.now() + timeoutS * 1000;
  let pause = POLL_MIN_MS;
  while (true) {
    const remaining = deadline == null ? null : deadline - Date.now();
    if (remaining != null && remaining <= 0) {
      throw new JobTimeout(jobId, timeoutS ?? 0);
    }
    const started = Date.now();
    // The server holds each call until the job ends or ~20 s pass: a request timeout of
    // what is left of ours is how a shorter wait ends on time.
    const waitMs = remaining == null
      ? REQUEST_TIMEOUT_MS
      : Math.min(remaining, REQUEST_TIMEOUT_MS);
    let answer: WaitAnswer;
    try {
      answer = await call(
        "GET",
        `/sdk/wait/${encodeURIComponent(jobId)}`,
        undefined,
        waitMs,
      ) as WaitAnswer;
    } catch (error) {
      if (
        error instanceof NoAnswer && remaining != null &&
        remaining <= REQUEST_TIMEOUT_MS
      ) {
        throw new JobTimeout(jobId, timeoutS ?? 0);
      }
      throw error;
    }
    if (field(answer, "done")) {
      if (answer.status === "success") return answer.result as T;
      throw new JobFailed(jobId, String(answer.status), answer.error ?? null);
    }
    if (Date.now() - started < POLL_MAX_MS) {
      await sleep(remaining == null ? pause : Math.min(pause, remaining));
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }
}

/** The job `jobId` as the API shows it (status, args, result ...). */
export async function getJob<T = Record<string, unknown>>(
  jobId: string,
): Promise<T> {
  return await call("GET", `/jobs/${encodeURIComponent(jobId)}`) as T;
}

/**
 * URLs that resume or cancel this job's flow at its approval step; `approver` names who
 * is expected to act.
 */
export async function getResumeUrls(approver?: string): Promise<ResumeUrls> {
  const query = approver == null ? "" : `?${new URLSearchParams({ approver })}`;
  return await call("GET", `/sdk/resume_urls${query}`) as ResumeUrls;
}

// snake_case aliases: the Python SDK's names.
export const get_context = getContext;
export const get_variable = getVariable;
export const get_resource = getResource;
export const set_progress = setProgress;
export const get_state = getState;
export const set_state = setState;
export const run_script = runScript;
export const run_script_async = runScriptAsync;
export const run_flow = runFlow;
export const run_flow_async = runFlowAsync;
export const wait_job = waitJob;
export const get_job = getJob;
export const get_resume_urls = getResumeUrls;

// ---- transport -----------------------------------------------------------------------------

type WaitAnswer = {
  done: boolean;
  status: string;
  result: unknown;
  error: JobError | null;
};

type Answer = { status: number; body: Uint8Array };

function env(name: string): string | null {
  return Deno.env.get(name) || null;
}

/** answer[name], or a KilnError that says what came instead (a proxy's page, an old server). */
function field(answer: unknown, name: string): unknown {
  if (
    answer === null || typeof answer !== "object" || Array.isArray(answer) ||
    !(name in answer)
  ) {
    throw new KilnError(
      `the Kiln API's answer has no "${name}": ${
        JSON.stringify(answer).slice(0, 200)
      }`,
    );
  }
  return (answer as Record<string, unknown>)[name];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A script or variable path (`f/db/main`) for a URL: each segment encoded, slashes kept. */
function encodePath(path: string): string {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(
      `a path like "f/folder/name" is needed, not ${JSON.stringify(path)}`,
    );
  }
  return path.split("/").map(encodeURIComponent).join("/");
}

function checkArgs(
  args: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (args == null) return {};
  if (typeof args !== "object" || Array.isArray(args)) {
    throw new TypeError(
      "args must be an object of argument names to values",
    );
  }
  return args;
}

/** Send one request to /api/w/<workspace><route>; the decoded JSON answer, or KilnError. */
async function call(
  method: string,
  route: string,
  body?: unknown,
  timeoutMs: number = REQUEST_TIMEOUT_MS,
): Promise<unknown> {
  const token = env("KILN_TOKEN");
  const workspace = env("KILN_WORKSPACE");
  const socketPath = env("KILN_SDK_SOCKET");
  const baseUrl = env("KILN_BASE_URL");
  if (!socketPath && !baseUrl) {
    throw new KilnError(
      "not running inside a Kiln job: KILN_SDK_SOCKET is not set (nor KILN_BASE_URL)",
    );
  }
  if (!token) {
    throw new KilnError("not running inside a Kiln job: KILN_TOKEN is not set");
  }
  if (!workspace) {
    throw new KilnError(
      "not running inside a Kiln job: KILN_WORKSPACE is not set",
    );
  }
  const url = `/api/w/${encodeURIComponent(workspace)}${route}`;
  const headers: Record<string, string> = {
    "Authorization": `Bearer ${token}`,
    "Accept": "application/json",
  };
  let data: Uint8Array<ArrayBuffer> | null = null;
  if (body !== undefined) {
    data = new TextEncoder().encode(JSON.stringify(body));
    headers["Content-Type"] = "application/json";
  }
  const answer = socketPath
    ? await overSocket(socketPath, method, url, headers, data, timeoutMs)
    : await overFetch(baseUrl!, method, url, headers, data, timeoutMs);
  return decode(answer);
}

function decode({ status, body }: Answer): unknown {
  const text = new TextDecoder().decode(body);
  let answer: unknown = null;
  try {
    answer = text.trim() ? JSON.parse(text) : null;
  } catch {
    if (status >= 200 && status < 300) {
      throw new KilnError(
        "the Kiln API answered with something that is not JSON",
        status,
      );
    }
  }
  if (status >= 200 && status < 300) return answer;
  const error = answer as { message?: unknown; detail?: unknown } | null;
  if (error && typeof error === "object" && error.message) {
    throw new KilnError(String(error.message), status, error.detail ?? null);
  }
  throw new KilnError(text.trim().slice(0, 500) || "error", status, answer);
}

async function overFetch(
  baseUrl: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  data: Uint8Array<ArrayBuffer> | null,
  timeoutMs: number,
): Promise<Answer> {
  const full = baseUrl.replace(/\/+$/, "") + url;
  try {
    const response = await fetch(full, {
      method,
      headers,
      body: data,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return {
      status: response.status,
      body: new Uint8Array(await response.arrayBuffer()),
    };
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new NoAnswer(
        `no answer from the Kiln API at ${baseUrl} within ${timeoutMs / 1000}s`,
      );
    }
    throw new KilnError(`cannot reach the Kiln API at ${baseUrl}: ${error}`);
  }
}

/**
 * HTTP/1.1 over the job's Unix socket, by hand (Deno's fetch cannot dial one): write the
 * request with `Connection: close`, read to EOF, then parse the one response.
 */
async function overSocket(
  socketPath: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  data: Uint8Array<ArrayBuffer> | null,
  timeoutMs: number,
): Promise<Answer> {
  const conn = await connect(socketPath, timeoutMs);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close(); // the pending read fails at once
  }, timeoutMs);
  const chunks: Uint8Array[] = [];
  try {
    const lines = [
      `${method} ${url} HTTP/1.1`,
      "Host: kiln",
      "Connection: close",
      `Content-Length: ${data?.length ?? 0}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    const head = new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`);
    await writeAll(conn, data ? concat([head, data]) : head);
    const buffer = new Uint8Array(64 * 1024);
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } catch (error) {
    if (timedOut) {
      throw new NoAnswer(
        `no answer from the Kiln API at ${socketPath} within ${
          timeoutMs / 1000
        }s`,
      );
    }
    throw new KilnError(`cannot reach the Kiln API at ${socketPath}: ${error}`);
  } finally {
    clearTimeout(timer);
    if (!timedOut) conn.close();
  }
  return parseResponse(concat(chunks), socketPath);
}

/**
 * A Unix socket whose accept queue is full refuses a connect at once (WouldBlock) where TCP
 * would queue it: many calls at once hit that. Try again until the timeout instead.
 */
async function connect(
  socketPath: string,
  timeoutMs: number,
): Promise<Deno.UnixConn> {
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  while (true) {
    try {
      return await Deno.connect({ transport: "unix", path: socketPath });
    } catch (error) {
      if (!(error instanceof Deno.errors.WouldBlock)) {
        throw new KilnError(
          `cannot reach the Kiln API at ${socketPath}: ${error}`,
        );
      }
      if (Date.now() + pause > deadline) {
        throw new NoAnswer(
          `the Kiln API at ${socketPath} accepted no connection within ${
            timeoutMs / 1000
          }s`,
        );
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 100);
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const CRLF_CRLF = [13, 10, 13, 10];

function indexOf(bytes: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i <= bytes.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (bytes[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Status, headers and body of a whole HTTP/1.1 response (1xx interim answers skipped). */
function parseResponse(raw: Uint8Array, where: string): Answer {
  let rest = raw;
  while (true) {
    const end = indexOf(rest, CRLF_CRLF);
    if (end < 0) {
      throw new KilnError(
        `the Kiln API at ${where} closed the connection without a whole answer`,
      );
    }
    const head = new TextDecoder().decode(rest.subarray(0, end)).split("\r\n");
    const status = Number(head[0].split(" ")[1]);
    if (!Number.isInteger(status)) {
      throw new KilnError(
        `the Kiln API at ${where} answered with no HTTP status: ${head[0]}`,
      );
    }
    const fields = new Map<string, string>();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        fields.set(
          line.slice(0, colon).trim().toLowerCase(),
          line.slice(colon + 1).trim(),
        );
      }
    }
    const body = rest.subarray(end + 4);
    if (status >= 100 && status < 200) { // 100 Continue and the like: the real answer follows
      rest = body;
      continue;
    }
    if (
      (fields.get("transfer-encoding") ?? "").toLowerCase().includes("chunked")
    ) {
      return { status, body: dechunk(body, where) };
    }
    const length = fields.get("content-length");
    if (length !== undefined) {
      if (body.length < Number(length)) {
        throw new KilnError(
          `the Kiln API at ${where} closed the connection mid-answer`,
        );
      }
      return { status, body: body.subarray(0, Number(length)) };
    }
    return { status, body };
  }
}

function dechunk(body: Uint8Array, where: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  while (true) {
    const lineEnd = indexOf(body, [13, 10], offset);
    if (lineEnd < 0) {
      throw new KilnError(
        `the Kiln API at ${where} sent a broken chunked answer`,
      );
    }
    const sizeText = new TextDecoder().decode(body.subarray(offset, lineEnd));
    const size = parseInt(sizeText.split(";")[0].trim(), 16); // chunk extensions follow ';'
    if (Number.isNaN(size) || lineEnd + 2 + size > body.length) {
      throw new KilnError(
        `the Kiln API at ${where} sent a broken chunked answer`,
      );
    }
    if (size === 0) return concat(parts); // trailers, if any, are not needed
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2; // the chunk's own CRLF
  }
}
