import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { ADMIN_ME, MEMBERS } from "./testData";

const MEMBERS_URL = "/api/w/demo/members";

function open(me: unknown = ADMIN_ME, routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    [`GET ${MEMBERS_URL}`]: () => jsonResponse(MEMBERS),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/access" });
  return fetchMock;
}

async function rows() {
  return within(await screen.findByTestId("members-table")).getAllByRole("row").slice(1);
}

describe("Access: members", () => {
  it("is linked from the sidebar and lists the members with their role and groups", async () => {
    open(ME);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Access" })).toHaveAttribute("href", "/w/demo/access");
    expect(screen.getByRole("tab", { name: "Members" })).toHaveAttribute("aria-selected", "true");

    const cells = (await rows()).map((r) => within(r).getAllByRole("cell").map((c) => c.textContent));
    expect(cells).toEqual([
      ["ada@example.com (you)", "Ada Lovelace", "admin", "ops"],
      ["bob@example.com", "Bob", "developer", "—"],
      ["cy@example.com", "—", "operator", "ops"],
    ]);
  });

  it("is read-only for a developer", async () => {
    open(ME);
    await rows();
    expect(screen.getByTestId("members-read-only")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "Add member" })).not.toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Role of bob@example.com" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Remove bob@example.com" })).not.toBeInTheDocument();
  });

  it("lets an admin change a role with PUT", async () => {
    document.cookie = "csrftoken=tok-members; path=/";
    const fetchMock = open(ADMIN_ME, {
      "PUT /api/w/demo/members/bob%40example.com": async (request) =>
        jsonResponse({ ...MEMBERS[1], ...((await request.clone().json()) as object) }),
    });
    await rows();

    const select = screen.getByRole("combobox", { name: "Role of bob@example.com" });
    expect(select).toHaveValue("developer");
    fireEvent.change(select, { target: { value: "operator" } });

    await waitFor(() => expect(requests(fetchMock, "PUT")).toHaveLength(1));
    const [put] = requests(fetchMock, "PUT");
    expect(new URL(put!.url).pathname).toBe("/api/w/demo/members/bob%40example.com");
    expect(put!.headers.get("X-CSRFToken")).toBe("tok-members");
    expect(await put!.json()).toEqual({ role: "operator" });
    // The list is fetched again once the role is saved.
    await waitFor(() => expect(requests(fetchMock, "GET", MEMBERS_URL).length).toBeGreaterThan(1));
  });

  it("shows why a role change was refused in that member's row", async () => {
    open(ADMIN_ME, {
      "PUT /api/w/demo/members/ada%40example.com": () =>
        jsonResponse({ message: "a workspace keeps at least one admin", detail: { field: "role" } }, 409),
    });
    const [ada] = await rows();
    fireEvent.change(within(ada!).getByRole("combobox"), { target: { value: "developer" } });
    expect(await within(ada!).findByRole("alert")).toHaveTextContent("a workspace keeps at least one admin");
    expect(within(ada!).getByRole("combobox")).toHaveValue("admin");
  });

  it("adds a member and shows the API's refusal next to the form", async () => {
    const fetchMock = open(ADMIN_ME, {
      [`POST ${MEMBERS_URL}`]: () =>
        jsonResponse({ message: "user 'eve@example.com' not found (a superuser creates users)" }, 404),
    });
    await rows();
    const form = screen.getByRole("form", { name: "Add member" });
    fireEvent.change(within(form).getByLabelText("Email"), { target: { value: " eve@example.com " } });
    fireEvent.change(within(form).getByLabelText("Role"), { target: { value: "operator" } });
    fireEvent.click(within(form).getByRole("button", { name: "Add member" }));

    expect(await within(form).findByRole("alert")).toHaveTextContent("user 'eve@example.com' not found");
    const [post] = requests(fetchMock, "POST", MEMBERS_URL);
    expect(await post!.json()).toEqual({ email: "eve@example.com", role: "operator" });
    expect(within(form).getByLabelText("Email")).toHaveValue("eve@example.com");
  });

  it("removes a member after a confirmation", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    const fetchMock = open(ADMIN_ME, {
      "DELETE /api/w/demo/members/cy%40example.com": () => new Response(null, { status: 204 }),
    });
    await rows();
    const remove = screen.getByRole("button", { name: "Remove cy@example.com" });

    fireEvent.click(remove);
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(requests(fetchMock, "DELETE")).toHaveLength(0);

    fireEvent.click(remove);
    await waitFor(() => expect(requests(fetchMock, "DELETE")).toHaveLength(1));
  });
});
