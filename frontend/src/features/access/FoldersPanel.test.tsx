import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { folder, GROUPS, MEMBERS } from "./testData";

const FOLDERS_URL = "/api/w/demo/folders";
const GRANTS_URL = "/api/w/demo/folders/reports/grants";

function open(folders: unknown[] = [folder()], routes: Record<string, RouteHandler> = {}, me: unknown = ME) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(me),
    "GET /api/w/demo/members": () => jsonResponse(MEMBERS),
    "GET /api/w/demo/groups": () => jsonResponse(GROUPS),
    [`GET ${FOLDERS_URL}`]: () => jsonResponse(folders),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/access?tab=folders" });
  return fetchMock;
}

async function card(name = "reports") {
  return within(await screen.findByRole("region", { name: `Folder ${name}` }));
}

describe("Access: folders", () => {
  it("shows an owned folder's grants in an editor", async () => {
    open();
    const reports = await card();
    expect(reports.getByRole("heading", { name: "f/reports" })).toBeInTheDocument();
    expect(reports.getByText("Monthly reports")).toBeInTheDocument();
    expect(reports.getByLabelText("Grant 1 kind")).toHaveValue("group");
    expect(reports.getByLabelText("Grant 1 group")).toHaveValue("ops");
    expect(reports.getByLabelText("Grant 1 level")).toHaveValue("writer");
    expect(reports.getByLabelText("Grant 2 kind")).toHaveValue("user");
    expect(reports.getByLabelText("Grant 2 email")).toHaveValue("ada@example.com");
    expect(reports.getByLabelText("Grant 2 level")).toHaveValue("owner");
  });

  it("saves the whole list of grants with PUT", async () => {
    document.cookie = "csrftoken=tok-grants; path=/";
    const fetchMock = open([folder()], {
      [`PUT ${GRANTS_URL}`]: async (request) => jsonResponse(folder((await request.clone().json()) as Record<string, unknown>)),
    });
    const reports = await card();

    fireEvent.change(reports.getByLabelText("Grant 1 level"), { target: { value: "viewer" } });
    fireEvent.click(reports.getByRole("button", { name: "Add grant" }));
    fireEvent.change(reports.getByLabelText("Grant 3 kind"), { target: { value: "user" } });
    fireEvent.change(reports.getByLabelText("Grant 3 email"), { target: { value: "bob@example.com" } });
    fireEvent.change(reports.getByLabelText("Grant 3 level"), { target: { value: "writer" } });
    // An unfinished row is left out.
    fireEvent.click(reports.getByRole("button", { name: "Add grant" }));
    fireEvent.click(reports.getByRole("button", { name: "Save grants" }));

    expect(await reports.findByRole("status")).toHaveTextContent("Saved.");
    const [put] = requests(fetchMock, "PUT", GRANTS_URL);
    expect(put!.headers.get("X-CSRFToken")).toBe("tok-grants");
    expect(await put!.json()).toEqual({
      grants: [
        { group: "ops", level: "viewer" },
        { user: "ada@example.com", level: "owner" },
        { user: "bob@example.com", level: "writer" },
      ],
    });
    expect(reports.queryByLabelText("Grant 4 group")).not.toBeInTheDocument();
  });

  it("removes a row and can send an empty list", async () => {
    const fetchMock = open([folder({ grants: [{ group: "all", level: "viewer" }] })], {
      [`PUT ${GRANTS_URL}`]: () => jsonResponse(folder({ grants: [] })),
    });
    const reports = await card();
    fireEvent.click(reports.getByRole("button", { name: "Remove grant 1" }));
    expect(reports.getByText(/No grants/)).toBeInTheDocument();
    fireEvent.click(reports.getByRole("button", { name: "Save grants" }));
    await waitFor(() => expect(requests(fetchMock, "PUT", GRANTS_URL)).toHaveLength(1));
    expect(await requests(fetchMock, "PUT", GRANTS_URL)[0]!.json()).toEqual({ grants: [] });
  });

  it("shows a refused save next to the editor and keeps the rows as typed", async () => {
    const message = "grants[2].user: 'eve@example.com' is not a member of workspace 'demo'";
    open([folder()], {
      [`PUT ${GRANTS_URL}`]: () => jsonResponse({ message, detail: { field: "grants[2].user" } }, 400),
    });
    const reports = await card();
    fireEvent.click(reports.getByRole("button", { name: "Add grant" }));
    fireEvent.change(reports.getByLabelText("Grant 3 kind"), { target: { value: "user" } });
    fireEvent.change(reports.getByLabelText("Grant 3 email"), { target: { value: "eve@example.com" } });
    fireEvent.click(reports.getByRole("button", { name: "Save grants" }));

    const form = within(reports.getByRole("form", { name: "Grants of reports" }));
    expect(await form.findByRole("alert")).toHaveTextContent(message);
    expect(reports.getByLabelText("Grant 3 email")).toHaveValue("eve@example.com");
    expect(reports.queryByText("Saved.")).not.toBeInTheDocument();
  });

  it("shows a folder you do not own without its grants", async () => {
    open([folder({ name: "shared", access: "view", grants: undefined })]);
    const shared = await card("shared");
    expect(shared.getByText("view")).toBeInTheDocument();
    expect(shared.queryByRole("form")).not.toBeInTheDocument();
    expect(shared.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
  });

  it("says why a folder that is not empty cannot be deleted", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const message = "folder 'reports' is not empty: move or delete what is in it first";
    const fetchMock = open([folder()], {
      "DELETE /api/w/demo/folders/reports": () => jsonResponse({ message, detail: null }, 409),
    });
    const reports = await card();
    fireEvent.click(reports.getByRole("button", { name: "Delete folder reports" }));
    expect(await reports.findByRole("alert")).toHaveTextContent(message);
    expect(requests(fetchMock, "DELETE")).toHaveLength(1);
  });

  it("creates a folder", async () => {
    const fetchMock = open([], {
      [`POST ${FOLDERS_URL}`]: async (request) =>
        jsonResponse(folder({ ...((await request.clone().json()) as Record<string, unknown>), grants: [] }), 201),
    });
    expect(await screen.findByText("No folders yet")).toBeInTheDocument();
    const form = within(screen.getByRole("form", { name: "New folder" }));
    fireEvent.change(form.getByLabelText("Name"), { target: { value: "billing" } });
    fireEvent.change(form.getByLabelText("Summary"), { target: { value: "Invoices" } });
    fireEvent.click(form.getByRole("button", { name: "Create folder" }));
    expect(await form.findByRole("status")).toHaveTextContent("Created f/billing; you own it.");
    expect(await requests(fetchMock, "POST", FOLDERS_URL)[0]!.json()).toEqual({ name: "billing", summary: "Invoices" });
  });

  it("is not shown to operators: they are sent to the workspace's apps", async () => {
    open([folder({ access: "view", grants: undefined })], { "GET /api/w/demo/apps": () => jsonResponse([]) }, {
      ...ME,
      workspaces: [{ id: "demo", name: "Demo workspace", role: "operator" }],
    });
    expect(await screen.findByRole("heading", { name: "Apps" })).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New folder" })).not.toBeInTheDocument();
  });
});
