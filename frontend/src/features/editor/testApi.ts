/** A fake of the scripts API for the editor's tests: infer_schema reads `def main(...)` like the server. */
import { jsonResponse, ME, mockFetch, requests, type RouteHandler } from "../../test/utils";

export const INFER_URL = "POST /api/w/demo/scripts/infer_schema";
export const SAVE_URL = "POST /api/w/demo/scripts";

const TYPES: Record<string, string> = { str: "string", int: "integer", float: "number", bool: "boolean" };

const CONSTANTS: Record<string, unknown> = { True: true, False: false, None: null };

function pythonValue(text: string): unknown {
  return text in CONSTANTS ? CONSTANTS[text] : JSON.parse(text.replace(/'/g, '"'));
}

/** The schema of a Python `main`; a signature it cannot read is a 400 naming the line, as the API's is. */
export function inferPython(content: string): { status: number; body: unknown } {
  const lines = content.split("\n");
  const at = lines.findIndex((line) => line.startsWith("def main("));
  if (at < 0) return { status: 400, body: { message: "no top-level `def main(...)` found", detail: { field: "content", line: null, column: null } } };
  const match = /^def main\((.*)\):/.exec(lines[at]!);
  if (match === null) {
    return {
      status: 400,
      body: { message: "syntax error: '(' was never closed", detail: { field: "content", line: at + 1, column: 9 } },
    };
  }
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const param of match[1]!.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [, name = "", type = "str", value] = /^(\w+)\s*(?::\s*(\w+))?\s*(?:=\s*(.+))?$/.exec(param) ?? [];
    properties[name] = { type: TYPES[type] ?? "string" };
    if (value === undefined) required.push(name);
    else properties[name]!.default = pythonValue(value);
  }
  return { status: 200, body: { type: "object", properties, required } };
}

export function script(overrides: Record<string, unknown> = {}) {
  const content = (overrides.content as string | undefined) ?? "def main(name: str, count: int = 3):\n    return name\n";
  return {
    path: "u/ada/greet",
    language: "python3",
    hash: "a1b2c3d4e5f60718",
    summary: "Greets",
    description: "Greets someone by **name**.\n\nReturns the name.",
    content,
    schema: inferPython(content).body,
    settings: {},
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    access: "owner",
    ...overrides,
  };
}

const DETAIL = "/api/w/demo/scripts/p/";

/**
 * The API an editor page talks to. Saved scripts are kept (and served at
 * /scripts/p/<path>), so the edit page a first save opens finds its script.
 */
export function mockEditorApi(routes: Record<string, RouteHandler> = {}, { stored = [script()] } = {}) {
  const scripts = new Map(stored.map((s) => [s.path, s]));
  let saves = 0;
  const fixed: Record<string, RouteHandler> = {
    "GET /api/auth/me": () => jsonResponse(ME),
    [INFER_URL]: async (request) => {
      const { content } = (await request.clone().json()) as { content: string };
      const { status, body } = inferPython(content);
      return jsonResponse(status === 200 ? { language: "python3", schema: body } : body, status);
    },
    [SAVE_URL]: async (request) => {
      const body = (await request.clone().json()) as Record<string, unknown>;
      const previous = scripts.get(body.path as string);
      // An omitted (or null) description keeps the latest version's.
      const description = (body.description as string | null | undefined) ?? previous?.description ?? "";
      // The server's hash covers the code and the (edited) schema; a new summary or
      // description on the same version is stored in place.
      const same = previous && previous.content === body.content && JSON.stringify(previous.schema) === JSON.stringify(body.schema);
      if (previous && same) {
        const updated = { ...previous, summary: (body.summary as string | undefined) || previous.summary, description };
        scripts.set(updated.path, updated);
        return jsonResponse(updated, 200);
      }
      saves += 1;
      const saved = script({ ...body, description, hash: `f00d${saves}`.padEnd(16, "0") });
      scripts.set(saved.path, saved);
      return jsonResponse(saved, 201);
    },
    "GET /api/w/demo/scripts": () => jsonResponse([...scripts.values()].map((s) => ({ ...s, versions: 1 }))),
    ...routes,
  };
  return mockFetch((request) => {
    const url = new URL(request.url);
    const route = fixed[`${request.method} ${url.pathname}`];
    if (route) return route(request);
    const saved = url.pathname.startsWith(DETAIL) ? scripts.get(decodeURI(url.pathname.slice(DETAIL.length))) : undefined;
    if (request.method === "GET" && saved) return jsonResponse(saved);
    return jsonResponse({ message: `no mock for ${url.pathname}` }, 404);
  });
}

/** The JSON bodies of the requests to `route` ("POST /api/..."), in order. */
export async function bodies(fetchMock: ReturnType<typeof mockFetch>, route: string): Promise<Record<string, unknown>[]> {
  const [method, pathname] = route.split(" ");
  const matching = requests(fetchMock, method, pathname);
  return Promise.all(matching.map(async (r) => (await r.clone().json()) as Record<string, unknown>));
}
