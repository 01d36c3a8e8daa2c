import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";

/** A real (undici) Response carrying JSON, as the backend would send it. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * Replaces globalThis.fetch with `handler` (restored after each test by
 * vitest's unstubGlobals). Returns the mock so tests can inspect requests.
 */
export function mockFetch(handler: FetchHandler) {
  const fetchMock = vi.fn((input: RequestInfo | URL, init?: RequestInit) =>
    Promise.resolve(handler(input instanceof Request ? input : new Request(input, init))),
  );
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

export type RouteHandler = (request: Request) => Response | Promise<Response>;

/**
 * Routes requests by "METHOD /path" (the query string is not part of the key;
 * handlers get the request to read it); unknown routes 404.
 */
export function mockApi(routes: Record<string, RouteHandler>) {
  return mockFetch((request) => {
    const url = new URL(request.url);
    const route = routes[`${request.method} ${url.pathname}`];
    return route ? route(request) : jsonResponse({ message: `no mock for ${url.pathname}` }, 404);
  });
}

/** The requests the mock received, optionally only those of one method and path. */
export function requests(fetchMock: ReturnType<typeof mockFetch>, method?: string, pathname?: string): Request[] {
  return fetchMock.mock.calls
    .map(([input]) => input)
    .filter((input): input is Request => input instanceof Request)
    .filter((r) => (method === undefined || r.method === method) && (pathname === undefined || new URL(r.url).pathname === pathname));
}

/** The n-th request the mock received. */
export function requestAt(fetchMock: ReturnType<typeof mockFetch>, n: number): Request {
  const call = fetchMock.mock.calls[n];
  if (call === undefined) throw new Error(`fetch was called ${fetchMock.mock.calls.length} times`);
  const [input] = call;
  if (!(input instanceof Request)) throw new Error("expected fetch to receive a Request");
  return input;
}

export function renderWithProviders(ui: ReactElement, { route = "/" }: { route?: string } = {}): RenderResult {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[route]}>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

export const ME = {
  email: "ada@example.com",
  name: "Ada Lovelace",
  is_admin: false,
  workspaces: [{ id: "demo", name: "Demo workspace", role: "developer" }],
};

/** A `JobListOut` as `GET /api/w/{workspace}/jobs` lists it. */
export function jobSummary(overrides: Record<string, unknown> = {}) {
  return {
    id: "7b1f2c1e-0000-4000-8000-000000000001",
    kind: "script",
    script_path: "u/ada/greet",
    script_hash: "a1b2c3d4e5f60718",
    language: "python3",
    status: "success",
    tag: "python3",
    trigger: "manual",
    priority: 0,
    progress: null,
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    started_at: "2025-01-02T10:00:01Z",
    finished_at: "2025-01-02T10:00:02.234Z",
    duration_ms: 1234,
    attempt: 1,
    retries: 0,
    scheduled_for: null,
    waiting_reason: null,
    parent_id: null,
    root_id: null,
    flow_step: "",
    ...overrides,
  };
}

export const LIMITS = {
  timeout_s: 60,
  cpu_s: 60,
  memory_mb: 512,
  max_processes: 64,
  file_size_mb: 256,
  tmpfs_mb: 256,
  open_files: 256,
  log_bytes: 1048576,
};

/** A `JobOut` as `GET /api/w/{workspace}/jobs/{job_id}` returns it. */
export function jobDetail(overrides: Record<string, unknown> = {}) {
  return {
    ...jobSummary(),
    args: {},
    result: null,
    error: null,
    logs: "",
    log_size: 0,
    log_dropped: 0,
    max_attempts: 3,
    worker_id: "worker-1",
    sandboxed: true,
    network: "none",
    limits: LIMITS,
    retry: null,
    concurrency_key: "",
    concurrency_limit: null,
    rerun_of: null,
    ...overrides,
  };
}
