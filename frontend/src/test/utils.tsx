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

/** Routes requests by "METHOD /path" (query string ignored); unknown routes 404. */
export function mockApi(routes: Record<string, () => Response>) {
  return mockFetch((request) => {
    const url = new URL(request.url);
    const route = routes[`${request.method} ${url.pathname}`];
    return route ? route() : jsonResponse({ message: `no mock for ${url.pathname}` }, 404);
  });
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
