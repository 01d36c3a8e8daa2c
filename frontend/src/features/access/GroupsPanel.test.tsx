import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { ADMIN_ME, GROUPS, MEMBERS } from "./testData";

const GROUPS_URL = "/api/w/demo/groups";

function open(me: unknown = ADMIN_ME, routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    "GET /api/w/demo/members": () => jsonResponse(MEMBERS),
    [`GET ${GROUPS_URL}`]: () => jsonResponse(GROUPS),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/access?tab=groups" });
  return fetchMock;
}

async function rows() {
  return within(await screen.findByTestId("groups-table")).getAllByRole("row").slice(1);
}

describe("Access: groups", () => {
  it("lists the built-in group first, which cannot be edited", async () => {
    open();
    const [all, ops] = await rows();
    expect(within(all!).getByText("all")).toBeInTheDocument();
    expect(within(all!).getByText("(built in)")).toBeInTheDocument();
    expect(within(all!).queryByRole("button")).not.toBeInTheDocument();
    expect(within(ops!).getByRole("button", { name: "Edit members of ops" })).toBeInTheDocument();
    expect(within(ops!).getByText("On call")).toBeInTheDocument();
  });

  it("is read-only for a developer", async () => {
    open(ME);
    const [, ops] = await rows();
    expect(screen.getByTestId("groups-read-only")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New group" })).not.toBeInTheDocument();
    expect(within(ops!).queryByRole("button")).not.toBeInTheDocument();
  });

  it("creates a group with the members picked", async () => {
    const fetchMock = open(ADMIN_ME, {
      [`POST ${GROUPS_URL}`]: async (request) =>
        jsonResponse({ ...((await request.clone().json()) as object), builtin: false }, 201),
    });
    await rows();
    const form = screen.getByRole("form", { name: "New group" });
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "billing" } });
    fireEvent.change(within(form).getByLabelText("Summary"), { target: { value: "Invoices" } });
    fireEvent.click(await within(form).findByRole("checkbox", { name: "bob@example.com" }));
    fireEvent.click(within(form).getByRole("button", { name: "Create group" }));

    expect(await within(form).findByRole("status")).toHaveTextContent("Created group billing.");
    const [post] = requests(fetchMock, "POST", GROUPS_URL);
    expect(await post!.json()).toEqual({ name: "billing", summary: "Invoices", members: ["bob@example.com"] });
    expect(within(form).getByLabelText("Name")).toHaveValue("");
  });

  it("replaces a group's members with the whole new list", async () => {
    const fetchMock = open(ADMIN_ME, {
      "PUT /api/w/demo/groups/ops/members": async (request) =>
        jsonResponse({ ...GROUPS[1], ...((await request.clone().json()) as object) }),
    });
    const [, ops] = await rows();
    fireEvent.click(within(ops!).getByRole("button", { name: "Edit members of ops" }));
    const picker = within(ops!).getByRole("group", { name: "Members of ops" });
    expect(within(picker).getByRole("checkbox", { name: "ada@example.com" })).toBeChecked();
    fireEvent.click(within(picker).getByRole("checkbox", { name: "cy@example.com" }));
    fireEvent.click(within(picker).getByRole("checkbox", { name: "bob@example.com" }));
    fireEvent.click(within(ops!).getByRole("button", { name: "Save members" }));

    await waitFor(() => expect(requests(fetchMock, "PUT")).toHaveLength(1));
    expect(await requests(fetchMock, "PUT")[0]!.json()).toEqual({
      members: ["ada@example.com", "bob@example.com"],
    });
  });

  it("shows a refused create next to the form", async () => {
    open(ADMIN_ME, {
      [`POST ${GROUPS_URL}`]: () => jsonResponse({ message: "group 'ops' exists", detail: { field: "name" } }, 409),
    });
    await rows();
    const form = screen.getByRole("form", { name: "New group" });
    fireEvent.change(within(form).getByLabelText("Name"), { target: { value: "ops" } });
    fireEvent.click(within(form).getByRole("button", { name: "Create group" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("group 'ops' exists");
  });
});
