import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import type { Script } from "../../api/client";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { CurrentWorkspaceContext } from "../workspace/CurrentWorkspace";
import { WebhookPanel } from "./WebhookPanel";

const SCRIPT = {
  path: "u/ada/hook",
  language: "python3",
  hash: "a1b2c3d4e5f60718",
  summary: "Takes GitHub pushes",
  content: "def main(request: dict):\n    return request\n",
  schema: { type: "object", properties: { request: { type: "object" } }, required: ["request"] },
  settings: {},
  created_by: "ada@example.com",
  created_at: "2025-01-02T10:00:00Z",
  access: "owner",
};

const WEBHOOK = {
  path: "u/ada/hook",
  raw_request: false,
  signature: null,
  has_secret: false,
  urls: {
    async: "/api/w/demo/jobs/run/p/u/ada/hook",
    sync: "/api/w/demo/jobs/run_wait_result/p/u/ada/hook",
  },
};

const SIGNED = {
  ...WEBHOOK,
  raw_request: true,
  signature: { scheme: "github", header: "X-Hub-Signature-256", tolerance_s: 300 },
  has_secret: true,
};

const URL_ = "/api/w/demo/scripts/webhook/p/u/ada/hook";

/** Answers a PUT as the API does: the stored configuration, never the secret. */
const store: RouteHandler = async (request) => {
  const body = (await request.clone().json()) as { raw_request: boolean; signature: Record<string, unknown> | null };
  const signature = body.signature && {
    scheme: body.signature.scheme,
    header: body.signature.header ?? "X-Hub-Signature-256",
    tolerance_s: body.signature.tolerance_s ?? 300,
  };
  return jsonResponse({ ...WEBHOOK, raw_request: body.raw_request, signature, has_secret: signature !== null });
};

function webhookToken(overrides: Record<string, unknown> = {}) {
  return {
    id: 7,
    label: "github",
    prefix: "kiln_wh12",
    created_at: "2025-01-02T10:00:00Z",
    last_used_at: "2025-01-03T10:00:00Z",
    expires_at: null,
    revoked_at: null,
    path: "u/ada/hook",
    created_by: "ada@example.com",
    ...overrides,
  };
}

const TOKENS_URL = "/api/w/demo/webhook_tokens";

function open({
  webhook = WEBHOOK,
  access = "owner",
  put = store,
  routes = {},
}: { webhook?: unknown; access?: string; put?: RouteHandler; routes?: Record<string, RouteHandler> } = {}) {
  let tokens: Record<string, unknown>[] = [webhookToken(), webhookToken({ id: 8, label: "other script", path: "u/ada/other" })];
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts/p/u/ada/hook": () => jsonResponse({ ...SCRIPT, access }),
    [`GET ${URL_}`]: () => jsonResponse(webhook),
    [`PUT ${URL_}`]: put,
    [`GET ${TOKENS_URL}`]: () => jsonResponse(tokens),
    [`POST ${TOKENS_URL}`]: async (request) => {
      const body = (await request.clone().json()) as { label: string; path: string };
      const created = webhookToken({ id: 9, label: body.label, path: body.path, prefix: "kiln_new1", last_used_at: null });
      tokens = [created, ...tokens];
      return jsonResponse({ ...created, token: "kiln_new1-secret" }, 201);
    },
    [`DELETE ${TOKENS_URL}/7`]: () => {
      tokens = tokens.map((t) => (t.id === 7 ? { ...t, revoked_at: "2025-01-04T10:00:00Z" } : t));
      return new Response(null, { status: 204 });
    },
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/scripts/p/u/ada/hook?tab=webhook" });
  return fetchMock;
}

async function form() {
  return within(await screen.findByRole("form", { name: "Webhook settings" }));
}

async function sentBody(fetchMock: ReturnType<typeof mockApi>) {
  await waitFor(() => expect(requests(fetchMock, "PUT", URL_)).toHaveLength(1));
  return requests(fetchMock, "PUT", URL_)[0]!.json();
}

describe("Script webhook", () => {
  it("opens from the tab and shows the absolute URLs and how to pass a token", async () => {
    open();
    await screen.findByRole("form", { name: "Webhook settings" });
    expect(screen.getByRole("tab", { name: "Webhook" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByTestId("webhook-url-async")).toHaveTextContent(
      `${window.location.origin}/api/w/demo/jobs/run/p/u/ada/hook`,
    );
    expect(screen.getByTestId("webhook-url-sync")).toHaveTextContent(
      `${window.location.origin}/api/w/demo/jobs/run_wait_result/p/u/ada/hook`,
    );
    expect(screen.getByText("?token=<token>")).toBeInTheDocument();
    const f = await form();
    expect(f.getByLabelText("Signature")).toHaveValue("none");
    expect(f.queryByLabelText("Secret")).not.toBeInTheDocument();
  });

  it("turns signing on with a secret and the raw request", async () => {
    document.cookie = "csrftoken=tok-hook; path=/";
    const fetchMock = open();
    const f = await form();
    fireEvent.click(f.getByLabelText("Receive the raw request"));
    fireEvent.change(f.getByLabelText("Signature"), { target: { value: "github" } });
    expect(f.getByLabelText("Secret")).toHaveAttribute("type", "password");
    expect(f.getByLabelText("Secret")).toHaveAttribute("placeholder", "required");
    expect(f.getByLabelText("Header")).toHaveAttribute("placeholder", "X-Hub-Signature-256");
    expect(f.queryByLabelText("Tolerance")).not.toBeInTheDocument();
    fireEvent.change(f.getByLabelText("Secret"), { target: { value: "s3cret-value" } });
    fireEvent.click(f.getByRole("button", { name: "Save webhook" }));

    expect(await sentBody(fetchMock)).toEqual({ raw_request: true, signature: { scheme: "github", secret: "s3cret-value" } });
    expect(requests(fetchMock, "PUT", URL_)[0]!.headers.get("X-CSRFToken")).toBe("tok-hook");
    expect(await f.findByRole("status")).toHaveTextContent("Saved.");
    // The secret is never shown again: the input is empty and says it is kept.
    expect(f.getByLabelText("Secret")).toHaveValue("");
    expect(f.getByLabelText("Secret")).toHaveAttribute("placeholder", "unchanged");
  });

  it("omits an empty secret, keeping the stored one", async () => {
    const fetchMock = open({ webhook: SIGNED });
    const f = await form();
    expect(f.getByLabelText("Receive the raw request")).toBeChecked();
    expect(f.getByLabelText("Signature")).toHaveValue("github");
    expect(f.getByLabelText("Secret")).toHaveAttribute("placeholder", "unchanged");
    fireEvent.change(f.getByLabelText("Header"), { target: { value: "X-GitHub-Sig" } });
    fireEvent.click(f.getByRole("button", { name: "Save webhook" }));
    expect(await sentBody(fetchMock)).toEqual({
      raw_request: true,
      signature: { scheme: "github", header: "X-GitHub-Sig" },
    });
  });

  it("sends signature null for none", async () => {
    const fetchMock = open({ webhook: SIGNED });
    const f = await form();
    fireEvent.change(f.getByLabelText("Signature"), { target: { value: "none" } });
    expect(f.queryByLabelText("Secret")).not.toBeInTheDocument();
    fireEvent.click(f.getByRole("button", { name: "Save webhook" }));
    expect(await sentBody(fetchMock)).toEqual({ raw_request: true, signature: null });
  });

  it("asks stripe for a tolerance in seconds", async () => {
    const fetchMock = open();
    const f = await form();
    fireEvent.change(f.getByLabelText("Signature"), { target: { value: "stripe" } });
    fireEvent.change(f.getByLabelText("Secret"), { target: { value: "whsec_12345678" } });
    fireEvent.change(f.getByLabelText("Tolerance"), { target: { value: "120" } });
    fireEvent.click(f.getByRole("button", { name: "Save webhook" }));
    expect(await sentBody(fetchMock)).toEqual({
      raw_request: false,
      signature: { scheme: "stripe", secret: "whsec_12345678", tolerance_s: 120 },
    });
  });

  it("shows the API's message at the input it names", async () => {
    const message = "signature.secret is required to turn signing on";
    open({ put: () => jsonResponse({ message, detail: { field: "signature.secret" } }, 400) });
    const f = await form();
    fireEvent.change(f.getByLabelText("Signature"), { target: { value: "hmac-sha256" } });
    fireEvent.click(f.getByRole("button", { name: "Save webhook" }));

    expect(await f.findByRole("alert")).toHaveTextContent(message);
    expect(f.getByLabelText("Secret")).toHaveAttribute("aria-invalid", "true");
    expect(f.getByLabelText("Secret")).toHaveAccessibleDescription(expect.stringContaining(message));
    expect(f.getByLabelText("Signature")).toHaveValue("hmac-sha256");
    expect(f.getByText("Not saved: see the message above.")).toBeInTheDocument();
  });

  it("shows a refusal that names no input above the buttons", async () => {
    open({ put: () => jsonResponse({ message: "you may use this script but not change it", detail: null }, 403) });
    const f = await form();
    fireEvent.click(f.getByRole("button", { name: "Save webhook" }));
    const alert = await f.findByRole("alert");
    expect(alert).toHaveTextContent("you may use this script but not change it");
    expect(alert).toHaveClass("form-error");
  });

  it("is read-only with view access", async () => {
    open({ webhook: SIGNED, access: "view" });
    const f = await form();
    expect(screen.getByTestId("webhook-read-only")).toBeInTheDocument();
    expect(f.getByLabelText("Signature")).toBeDisabled();
    expect(f.getByRole("button", { name: "Save webhook" })).toBeDisabled();
    expect(screen.getByTestId("script-access")).toHaveTextContent("view");
  });

  it("shows curl examples for both URLs with example arguments, each with Copy", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    open();
    const origin = window.location.origin;
    const async_ = await screen.findByTestId("webhook-curl-async");
    expect(async_.textContent).toBe(
      [
        `curl -X POST '${origin}/api/w/demo/jobs/run/p/u/ada/hook' \\`,
        `  -H "Authorization: Bearer $KILN_TOKEN" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"request":{}}'`,
      ].join("\n"),
    );
    expect(screen.getByTestId("webhook-curl-sync")).toHaveTextContent(`${origin}/api/w/demo/jobs/run_wait_result/p/u/ada/hook`);
    fireEvent.click(screen.getByRole("button", { name: "Copy the synchronous curl command" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(screen.getByTestId("webhook-curl-sync").textContent));
    Reflect.deleteProperty(navigator, "clipboard");
  });

  it("lists this script's webhook tokens only", async () => {
    open();
    const table = await screen.findByTestId("webhook-tokens");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent("github");
    expect(rows[0]).toHaveTextContent("kiln_wh12…");
    expect(rows[0]).toHaveTextContent("ada@example.com");
  });

  it("creates a webhook token in place, shows it once and fills it into the examples", async () => {
    document.cookie = "csrftoken=tok-wh; path=/";
    const fetchMock = open();
    const create = within(await screen.findByRole("form", { name: "New webhook token" }));
    fireEvent.change(create.getByLabelText("Label"), { target: { value: "GitHub pushes" } });
    fireEvent.change(create.getByLabelText("Expires in (days)"), { target: { value: "90" } });
    fireEvent.click(create.getByRole("button", { name: "Create a webhook token" }));

    expect(await screen.findByTestId("new-secret")).toHaveTextContent("kiln_new1-secret");
    const [post] = requests(fetchMock, "POST", TOKENS_URL);
    expect(await post!.json()).toEqual({ label: "GitHub pushes", expires_in_days: 90, path: "u/ada/hook" });
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-wh");
    expect(screen.getByTestId("webhook-curl-async")).toHaveTextContent("-H 'Authorization: Bearer kiln_new1-secret'");
    expect(screen.getByTestId("webhook-curl-sync")).toHaveTextContent("Bearer kiln_new1-secret");
    await waitFor(() => expect(within(screen.getByTestId("webhook-tokens")).getAllByRole("row")).toHaveLength(3));

    fireEvent.click(screen.getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByText(/kiln_new1-secret/)).not.toBeInTheDocument();
    expect(screen.getByTestId("webhook-curl-async")).toHaveTextContent("Bearer $KILN_TOKEN");
  });

  it("shows why a webhook token was refused", async () => {
    open({ routes: { [`POST ${TOKENS_URL}`]: () => jsonResponse({ message: "no access to u/ada/hook", detail: null }, 403) } });
    const create = within(await screen.findByRole("form", { name: "New webhook token" }));
    fireEvent.change(create.getByLabelText("Label"), { target: { value: "x" } });
    fireEvent.click(create.getByRole("button", { name: "Create a webhook token" }));
    expect(await create.findByRole("alert")).toHaveTextContent("no access to u/ada/hook");
    expect(screen.queryByTestId("new-secret")).not.toBeInTheDocument();
  });

  it("revokes a webhook token after confirming", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const fetchMock = open();
    const table = within(await screen.findByTestId("webhook-tokens"));
    fireEvent.click(table.getByRole("button", { name: "Revoke github" }));
    await waitFor(() => expect(requests(fetchMock, "DELETE", `${TOKENS_URL}/7`)).toHaveLength(1));
    await waitFor(() => expect(within(screen.getByTestId("webhook-tokens")).getByText("revoked")).toBeInTheDocument());
  });

  it("lets operators read the examples but not create or list tokens", async () => {
    const fetchMock = mockApi({ [`GET ${URL_}`]: () => jsonResponse(WEBHOOK) });
    renderWithProviders(
      <CurrentWorkspaceContext.Provider value={{ id: "demo", name: "Demo workspace", role: "operator" }}>
        <WebhookPanel script={SCRIPT as unknown as Script} />
      </CurrentWorkspaceContext.Provider>,
    );
    expect(await screen.findByTestId("webhook-curl-async")).toBeInTheDocument();
    expect(screen.getByTestId("webhook-tokens-operator")).toHaveTextContent("Admins and developers create them.");
    expect(screen.queryByRole("form", { name: "New webhook token" })).not.toBeInTheDocument();
    expect(requests(fetchMock, "GET", TOKENS_URL)).toHaveLength(0);
  });
});
