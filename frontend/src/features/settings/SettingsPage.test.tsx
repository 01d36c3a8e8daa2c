import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, LIMITS, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";

function token(overrides: Record<string, unknown> = {}) {
  return {
    id: 1,
    label: "laptop",
    prefix: "kiln_ab12",
    created_at: "2025-01-02T10:00:00Z",
    last_used_at: null,
    expires_at: null,
    revoked_at: null,
    ...overrides,
  };
}

const SETTINGS = {
  workspace: "demo",
  settings: { default_network: "internet", max_limits: {} },
  effective_max_limits: LIMITS,
  default_limits: LIMITS,
};

const ADMIN_ME = { ...ME, workspaces: [{ id: "demo", name: "Demo workspace", role: "admin" }] };

function open(routes: Record<string, RouteHandler> = {}, me: unknown = ME) {
  let stored: Record<string, unknown>[] = [
    token(),
    token({ id: 2, label: "old CI", prefix: "kiln_cd34", revoked_at: "2025-01-03T10:00:00Z" }),
  ];
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    "GET /api/tokens": () => jsonResponse(stored),
    "POST /api/tokens": async (request) => {
      const body = (await request.clone().json()) as { label: string };
      const created = token({ id: 3, label: body.label, prefix: "kiln_ef56", expires_at: "2025-02-01T10:00:00Z" });
      stored = [created, ...stored];
      return jsonResponse({ ...created, token: "kiln_ef56-the-whole-secret" }, 201);
    },
    "DELETE /api/tokens/1": () => {
      stored = stored.map((t) => (t.id === 1 ? { ...t, revoked_at: "2025-01-04T10:00:00Z" } : t));
      return new Response(null, { status: 204 });
    },
    "GET /api/w/demo/settings": () => jsonResponse(SETTINGS),
    "PUT /api/w/demo/settings": async (request) => jsonResponse({ ...SETTINGS, settings: await request.clone().json() }),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/settings" });
  return fetchMock;
}

async function tokenRows() {
  return within(await screen.findByTestId("api-tokens")).getAllByRole("row").slice(1);
}

describe("Settings page", () => {
  it("is in the sidebar and lists API tokens, revoked ones without a button", async () => {
    open();
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Settings" })).toHaveAttribute("href", "/w/demo/settings");
    const [live, revoked] = await tokenRows();
    expect(live).toHaveTextContent("laptop");
    expect(live).toHaveTextContent("kiln_ab12…");
    expect(live).toHaveTextContent("never");
    expect(within(live!).getByRole("button", { name: "Revoke laptop" })).toBeInTheDocument();
    expect(revoked).toHaveTextContent("revoked");
    expect(within(revoked!).queryByRole("button")).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Manage access" })).toHaveAttribute("href", "/w/demo/access");
    expect(await screen.findByText("Memory")).toBeInTheDocument();
  });

  it("creates a token and shows its secret once, with Copy", async () => {
    document.cookie = "csrftoken=tok-settings; path=/";
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    const fetchMock = open();
    const form = within(await screen.findByRole("form", { name: "New API token" }));
    fireEvent.change(form.getByLabelText("Label"), { target: { value: "  CI deploys " } });
    fireEvent.change(form.getByLabelText("Expires in (days)"), { target: { value: "30" } });
    fireEvent.click(form.getByRole("button", { name: "Create token" }));

    const secret = await screen.findByTestId("new-secret");
    expect(secret).toHaveTextContent("kiln_ef56-the-whole-secret");
    expect(screen.getByText(/it will not be shown again/)).toBeInTheDocument();
    const [post] = requests(fetchMock, "POST", "/api/tokens");
    expect(await post!.json()).toEqual({ label: "CI deploys", expires_in_days: 30 });
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-settings");
    expect(form.getByLabelText("Label")).toHaveValue("");

    fireEvent.click(screen.getByRole("button", { name: "Copy the secret" }));
    expect(await screen.findByText("Copied")).toBeInTheDocument();
    expect(writeText).toHaveBeenCalledWith("kiln_ef56-the-whole-secret");

    await waitFor(async () => expect(await tokenRows()).toHaveLength(3));
    fireEvent.click(screen.getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByText(/kiln_ef56-the-whole-secret/)).not.toBeInTheDocument();
    Reflect.deleteProperty(navigator, "clipboard");
  });

  it("checks the label and expiry before asking the server", async () => {
    const fetchMock = open();
    const form = within(await screen.findByRole("form", { name: "New API token" }));
    fireEvent.click(form.getByRole("button", { name: "Create token" }));
    expect(form.getByRole("alert")).toHaveTextContent("Give the token a label");
    expect(form.getByLabelText("Label")).toHaveAttribute("aria-invalid", "true");
    fireEvent.change(form.getByLabelText("Label"), { target: { value: "x" } });
    fireEvent.change(form.getByLabelText("Expires in (days)"), { target: { value: "0" } });
    fireEvent.click(form.getByRole("button", { name: "Create token" }));
    expect(form.getByRole("alert")).toHaveTextContent("from 1 to 3650");
    expect(requests(fetchMock, "POST")).toHaveLength(0);
  });

  it("shows the server's refusal", async () => {
    open({ "POST /api/tokens": () => jsonResponse({ message: "too many tokens", detail: null }, 409) });
    const form = within(await screen.findByRole("form", { name: "New API token" }));
    fireEvent.change(form.getByLabelText("Label"), { target: { value: "one more" } });
    fireEvent.click(form.getByRole("button", { name: "Create token" }));
    expect(await form.findByRole("alert")).toHaveTextContent("too many tokens");
    expect(screen.queryByTestId("new-secret")).not.toBeInTheDocument();
  });

  it("revokes a token after confirming", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const fetchMock = open();
    const [live] = await tokenRows();
    fireEvent.click(within(live!).getByRole("button", { name: "Revoke laptop" }));
    expect(requests(fetchMock, "DELETE")).toHaveLength(0);
    fireEvent.click(within(live!).getByRole("button", { name: "Revoke laptop" }));
    await waitFor(() => expect(requests(fetchMock, "DELETE", "/api/tokens/1")).toHaveLength(1));
    expect(confirm).toHaveBeenCalledTimes(2);
    await waitFor(async () => expect((await tokenRows())[0]).toHaveTextContent("revoked"));
  });

  it("lets an admin change the default network", async () => {
    const fetchMock = open({}, ADMIN_ME);
    const form = within(await screen.findByRole("form", { name: "Default network" }));
    fireEvent.change(form.getByLabelText("Default network for jobs"), { target: { value: "none" } });
    fireEvent.click(form.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(requests(fetchMock, "PUT", "/api/w/demo/settings")).toHaveLength(1));
    expect(await requests(fetchMock, "PUT")[0]!.json()).toEqual({ default_network: "none", max_limits: {} });
    expect(await form.findByRole("status")).toHaveTextContent("Saved.");
  });

  it("shows other roles the workspace settings read-only", async () => {
    open();
    const form = within(await screen.findByRole("form", { name: "Default network" }));
    expect(form.getByLabelText("Default network for jobs")).toBeDisabled();
    expect(form.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
  });
});
