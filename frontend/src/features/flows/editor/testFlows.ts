/** A fake of the flows API for the editor's tests, and a flow to edit. */
import { jsonResponse, ME, mockFetch, type RouteHandler } from "../../../test/utils";
import { inferPython } from "../../editor/testApi";
import type { FlowDocument } from "../model/types";

export const FLOW_PATH = "f/demo/digest";
export const HASH = "a1b2c3d4e5f60718";

/** fetch → send, where send reads `results.fetch`. */
export function digestDoc(): FlowDocument {
  return {
    summary: "Digest",
    description: "",
    schema: { type: "object", properties: { count: { type: "integer", default: 5 } }, required: ["count"] },
    value: {
      modules: [
        {
          id: "fetch",
          summary: "Fetch orders",
          value: {
            type: "rawscript",
            language: "python3",
            content: "def main(count: int):\n    return []\n",
            input_transforms: { count: { type: "javascript", expr: "flow_input.count" } },
          },
        },
        {
          id: "send",
          value: {
            type: "rawscript",
            language: "python3",
            content: "def main(items: str, label: str = 'x'):\n    return items\n",
            input_transforms: { items: { type: "javascript", expr: "results.fetch" } },
          },
        },
      ],
    },
  };
}

export function flowOut(doc: FlowDocument = digestDoc(), overrides: Record<string, unknown> = {}) {
  return {
    path: FLOW_PATH,
    hash: HASH,
    summary: doc.summary ?? "",
    description: doc.description ?? "",
    schema: doc.schema ?? {},
    value: doc.value,
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    access: "owner",
    app: false,
    ...overrides,
  };
}

export const SAVE_FLOW = "POST /api/w/demo/flows";

const DETAIL = "/api/w/demo/flows/p/";

/**
 * The API the flow pages talk to; `routes` override or add ("METHOD /path"). Deployed flows
 * are kept and served at /flows/p/<path>, so the edit page a first deploy opens finds its flow.
 */
export function mockFlowApi(routes: Record<string, RouteHandler> = {}) {
  const deployed = new Map<string, unknown>();
  const fixed: Record<string, RouteHandler> = {
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/flows": () =>
      jsonResponse([{ path: FLOW_PATH, hash: HASH, summary: "Digest", created_by: "ada@example.com", created_at: "2025-01-02T10:00:00Z", versions: 2 }]),
    [`GET /api/w/demo/flows/p/${FLOW_PATH}`]: () => jsonResponse(flowOut()),
    "GET /api/w/demo/scripts": () => jsonResponse([]),
    "POST /api/w/demo/scripts/infer_schema": async (request) => {
      const { content } = (await request.clone().json()) as { content: string };
      const { status, body } = inferPython(content);
      return jsonResponse(status === 200 ? { language: "python3", schema: body } : body, status);
    },
    [SAVE_FLOW]: async (request) => {
      const body = (await request.clone().json()) as FlowDocument & { path: string };
      const flow = flowOut(body, { path: body.path, hash: "f00dcafe00000001" });
      deployed.set(body.path, flow);
      return jsonResponse(flow, 201);
    },
    ...routes,
  };
  return mockFetch((request) => {
    const url = new URL(request.url);
    const pathname = decodeURI(url.pathname);
    const route = fixed[`${request.method} ${pathname}`];
    if (route) return route(request);
    const flow = pathname.startsWith(DETAIL) ? deployed.get(pathname.slice(DETAIL.length)) : undefined;
    if (request.method === "GET" && flow) return jsonResponse(flow);
    return jsonResponse({ message: `no mock for ${url.pathname}` }, 404);
  });
}
