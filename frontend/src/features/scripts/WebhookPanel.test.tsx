import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";

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

function open({ webhook = WEBHOOK, access = "owner", put = store }: { webhook?: unknown; access?: string; put?: RouteHandler } = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    "GET /api/w/demo/scripts/p/u/ada/hook": () => jsonResponse({ ...SCRIPT, access }),
    [`GET ${URL_}`]: () => jsonResponse(webhook),
    [`PUT ${URL_}`]: put,
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
});
