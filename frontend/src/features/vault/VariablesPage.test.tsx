import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { variable, VARIABLES } from "./testData";

const LIST_URL = "/api/w/demo/variables";
const VALUE_URL = "/api/w/demo/variables/value/p/f/ops/db_password";

function open(routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    [`GET ${LIST_URL}`]: () => jsonResponse(VARIABLES),
    [`GET ${VALUE_URL}`]: () => jsonResponse({ path: "f/ops/db_password", is_secret: true, value: "hunter2" }),
    ...routes,
  });
  renderWithProviders(<App />, { route: "/w/demo/variables" });
  return fetchMock;
}

async function row(path: string) {
  const table = await screen.findByTestId("variables-table");
  const found = table.querySelector<HTMLElement>(`tr[data-variable="${path}"]`);
  if (found === null) throw new Error(`no row for ${path}`);
  return found;
}

/** Requests that read a variable's value (for a secret: decrypt it). */
function valueReads(fetchMock: ReturnType<typeof open>) {
  return requests(fetchMock).filter((r) => new URL(r.url).pathname.includes("/variables/value/"));
}

describe("Variables page", () => {
  it("is linked from the sidebar after Schedules, before Resources", async () => {
    open();
    const nav = await screen.findByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link").map((link) => link.textContent);
    expect(links.indexOf("Variables")).toBe(links.indexOf("Schedules") + 1);
    expect(links.indexOf("Resources")).toBe(links.indexOf("Variables") + 1);
    expect(within(nav).getByRole("link", { name: "Variables" })).toHaveAttribute("href", "/w/demo/variables");
  });

  it("shows a secret masked and never reads its value until Reveal, then until Hide", async () => {
    const fetchMock = open();
    const plain = await row("u/ada/region");
    expect(within(plain).getAllByRole("cell")[1]).toHaveTextContent("eu-west-1");
    expect(within(plain).getByRole("button", { name: "Copy $var:u/ada/region" })).toBeInTheDocument();
    expect(within(plain).queryByText("secret")).not.toBeInTheDocument();

    const secret = await row("f/ops/db_password");
    expect(within(secret).getByText("secret")).toHaveClass("tag");
    expect(within(secret).getByRole("img", { name: "Hidden secret value" })).toHaveTextContent("•••••");
    expect(screen.queryByText("hunter2")).not.toBeInTheDocument();
    expect(valueReads(fetchMock)).toHaveLength(0);

    fireEvent.click(within(secret).getByRole("button", { name: "Reveal f/ops/db_password" }));
    expect(await within(secret).findByTestId("revealed-secret")).toHaveTextContent("hunter2");
    expect(valueReads(fetchMock).map((r) => new URL(r.url).pathname)).toEqual([VALUE_URL]);

    fireEvent.click(within(secret).getByRole("button", { name: "Hide f/ops/db_password" }));
    await waitFor(() => expect(screen.queryByText("hunter2")).not.toBeInTheDocument());
    expect(within(secret).getByRole("img", { name: "Hidden secret value" })).toBeInTheDocument();
    // Hidden again, nothing more was read (the other secret was never asked for).
    expect(valueReads(fetchMock)).toHaveLength(1);
  });

  it("offers Edit and Delete only on variables the caller may write", async () => {
    open();
    const viewOnly = await row("f/ops/api_key");
    expect(within(viewOnly).queryByRole("button", { name: /Edit|Delete/ })).not.toBeInTheDocument();
    expect(within(await row("u/ada/region")).getByRole("button", { name: "Edit u/ada/region" })).toBeInTheDocument();
  });

  it("creates a variable: posts its fields and shows the API's refusal at the field", async () => {
    document.cookie = "csrftoken=tok-vars; path=/";
    let attempts = 0;
    const fetchMock = open({
      [`POST ${LIST_URL}`]: () => {
        attempts += 1;
        return attempts === 1
          ? jsonResponse({ message: "value: 70000 bytes, more than 65536", detail: { field: "value", max_bytes: 65536 } }, 400)
          : jsonResponse(variable({ path: "u/ada/token", is_secret: true, value: null }), 201);
      },
    });
    await row("u/ada/region");
    fireEvent.click(screen.getByRole("button", { name: "New variable" }));
    const dialog = within(screen.getByRole("dialog", { name: "New variable" }));

    // The path's shape is checked before anything is sent.
    fireEvent.change(dialog.getByLabelText("Path"), { target: { value: "token" } });
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    expect(dialog.getByLabelText("Path")).toHaveAccessibleDescription(/A path is u\/<user>\/<name> or f\/<folder>\/<name>$/);
    expect(requests(fetchMock, "POST")).toHaveLength(0);

    fireEvent.change(dialog.getByLabelText("Path"), { target: { value: "u/ada/token" } });
    fireEvent.change(dialog.getByLabelText("Value"), { target: { value: "s3cr3t" } });
    fireEvent.click(dialog.getByLabelText("Secret"));
    fireEvent.change(dialog.getByLabelText("Description"), { target: { value: " API token " } });
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));

    await waitFor(() => expect(requests(fetchMock, "POST")).toHaveLength(1));
    const [post] = requests(fetchMock, "POST");
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-vars");
    expect(await post!.json()).toEqual({ path: "u/ada/token", value: "s3cr3t", is_secret: true, description: "API token" });
    const value = dialog.getByLabelText("Value");
    await waitFor(() => expect(value).toHaveAccessibleDescription("value: 70000 bytes, more than 65536"));
    expect(value).toHaveAttribute("aria-invalid", "true");

    fireEvent.change(value, { target: { value: "short" } });
    expect(value).not.toHaveAttribute("aria-invalid");
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    // The list is fetched again.
    await waitFor(() => expect(requests(fetchMock, "GET", LIST_URL).length).toBeGreaterThan(1));
  });

  it("shows a conflict at the path and other refusals above the buttons", async () => {
    open({
      [`POST ${LIST_URL}`]: async (request) => {
        const body = (await request.json()) as { path: string };
        return body.path === "u/ada/region"
          ? jsonResponse({ message: "variable 'u/ada/region' already exists", detail: { path: "u/ada/region" } }, 409)
          : jsonResponse({ message: "your role in workspace 'demo' is operator", detail: { role: "operator" } }, 403);
      },
    });
    await row("u/ada/region");
    fireEvent.click(screen.getByRole("button", { name: "New variable" }));
    const dialog = within(screen.getByRole("dialog", { name: "New variable" }));
    fireEvent.change(dialog.getByLabelText("Path"), { target: { value: "u/ada/region" } });
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    await waitFor(() =>
      expect(dialog.getByLabelText("Path")).toHaveAccessibleDescription(/variable 'u\/ada\/region' already exists$/),
    );

    fireEvent.change(dialog.getByLabelText("Path"), { target: { value: "u/ada/other" } });
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    expect(await dialog.findByText("your role in workspace 'demo' is operator")).toHaveClass("form-error");
  });

  it("edits a secret without its value: left empty, no value is sent", async () => {
    const fetchMock = open({
      "PUT /api/w/demo/variables/p/f/ops/db_password": async (request) =>
        jsonResponse(variable({ ...((await request.clone().json()) as object), path: "f/ops/db_password", is_secret: true, value: null })),
    });
    fireEvent.click(within(await row("f/ops/db_password")).getByRole("button", { name: "Edit f/ops/db_password" }));
    const dialog = within(screen.getByRole("dialog", { name: "Edit f/ops/db_password" }));
    expect(dialog.getByLabelText("Value")).toHaveValue("");
    expect(dialog.getByLabelText("Value")).toHaveAttribute("placeholder", "unchanged");
    // A secret stays one.
    expect(dialog.getByLabelText("Secret")).toBeChecked();
    expect(dialog.getByLabelText("Secret")).toBeDisabled();

    fireEvent.change(dialog.getByLabelText("Description"), { target: { value: "Reporting database (read-only)" } });
    fireEvent.click(dialog.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(requests(fetchMock, "PUT")).toHaveLength(1));
    expect(await requests(fetchMock, "PUT")[0]!.json()).toEqual({ description: "Reporting database (read-only)" });
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(valueReads(fetchMock)).toHaveLength(0);

    // Typed, the new value is sent.
    fireEvent.click(within(await row("f/ops/db_password")).getByRole("button", { name: "Edit f/ops/db_password" }));
    const again = within(screen.getByRole("dialog", { name: "Edit f/ops/db_password" }));
    fireEvent.change(again.getByLabelText("Value"), { target: { value: "n3w" } });
    fireEvent.click(again.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(requests(fetchMock, "PUT")).toHaveLength(2));
    expect(await requests(fetchMock, "PUT")[1]!.json()).toEqual({ value: "n3w", description: "Reporting database" });
  });

  it("deletes a variable once confirmed", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    let list = VARIABLES;
    const fetchMock = open({
      [`GET ${LIST_URL}`]: () => jsonResponse(list),
      "DELETE /api/w/demo/variables/p/u/ada/region": () => {
        list = VARIABLES.slice(1);
        return new Response(null, { status: 204 });
      },
    });
    const region = await row("u/ada/region");
    fireEvent.click(within(region).getByRole("button", { name: "Delete u/ada/region" }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining("$var:u/ada/region"));
    expect(requests(fetchMock, "DELETE")).toHaveLength(0);

    fireEvent.click(within(region).getByRole("button", { name: "Delete u/ada/region" }));
    await waitFor(() => expect(requests(fetchMock, "DELETE")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByText("eu-west-1")).not.toBeInTheDocument());
  });

  it("says so when there are none", async () => {
    open({ [`GET ${LIST_URL}`]: () => jsonResponse([]) });
    expect(await screen.findByRole("heading", { name: "No variables yet" })).toBeInTheDocument();
  });
});
