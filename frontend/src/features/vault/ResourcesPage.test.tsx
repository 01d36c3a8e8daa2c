import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, renderWithProviders, requests, type RouteHandler } from "../../test/utils";
import { resource, resourceSummary, TYPES, VARIABLES } from "./testData";

const LIST_URL = "/api/w/demo/resources";
const TYPES_URL = "/api/w/demo/resources/types";
const RESOURCES = [resourceSummary(), resourceSummary({ path: "u/ada/notes", resource_type: "sqlite", description: "", access: "view" })];

function open(routes: Record<string, RouteHandler> = {}, route = "/w/demo/resources") {
  const fetchMock = mockApi({
    "GET /api/auth/me": () => jsonResponse(ME),
    [`GET ${LIST_URL}`]: (request) => {
      const type = new URL(request.url).searchParams.get("resource_type");
      return jsonResponse(type ? RESOURCES.filter((r) => r.resource_type === type) : RESOURCES);
    },
    [`GET ${TYPES_URL}`]: () => jsonResponse(TYPES),
    "GET /api/w/demo/variables": () => jsonResponse(VARIABLES),
    ...routes,
  });
  renderWithProviders(<App />, { route });
  return fetchMock;
}

async function rows() {
  return within(await screen.findByTestId("resources-table")).getAllByRole("row").slice(1);
}

async function openNewDialog() {
  await rows();
  const button = screen.getByRole("button", { name: "New resource" });
  await waitFor(() => expect(button).toBeEnabled());
  fireEvent.click(button);
  return within(screen.getByRole("dialog", { name: "New resource" }));
}

describe("Resources page", () => {
  it("lists the resources and filters them by type on the server", async () => {
    const fetchMock = open();
    const [db, notes] = await rows();
    const cells = within(db!).getAllByRole("cell");
    expect(cells[0]).toHaveTextContent("f/ops/reports_db");
    expect(within(cells[0]!).getByRole("button", { name: "Copy $res:f/ops/reports_db" })).toBeInTheDocument();
    expect(cells[1]).toHaveTextContent("postgresql");
    expect(cells[2]).toHaveTextContent("Reporting database");
    expect(within(db!).getByRole("button", { name: "Edit f/ops/reports_db" })).toBeInTheDocument();
    expect(within(notes!).queryByRole("button", { name: /Edit/ })).not.toBeInTheDocument();

    const filter = screen.getByLabelText("Type");
    await waitFor(() => expect(within(filter).getAllByRole("option")).toHaveLength(4));
    fireEvent.change(filter, { target: { value: "sqlite" } });
    await waitFor(() => expect(screen.queryByText("f/ops/reports_db")).not.toBeInTheDocument());
    expect(await rows()).toHaveLength(1);
    const filtered = requests(fetchMock, "GET", LIST_URL).map((r) => new URL(r.url).searchParams.get("resource_type"));
    expect(filtered).toEqual([null, "sqlite"]);
  });

  it("builds a postgresql value from its type's form, with a secret variable as the password", async () => {
    document.cookie = "csrftoken=tok-res; path=/";
    const fetchMock = open({
      [`POST ${LIST_URL}`]: async (request) =>
        jsonResponse(resource({ ...((await request.clone().json()) as object) }), 201),
    });
    const dialog = await openNewDialog();
    expect(dialog.getByText("Choose a type to fill in its fields.")).toBeInTheDocument();

    fireEvent.change(dialog.getByLabelText("Type"), { target: { value: "postgresql" } });
    fireEvent.change(dialog.getByLabelText("Path"), { target: { value: "f/ops/new_db" } });
    fireEvent.change(dialog.getByLabelText("host"), { target: { value: "db.internal" } });
    fireEvent.change(dialog.getByLabelText("user"), { target: { value: "reports" } });
    fireEvent.change(dialog.getByLabelText("Database"), { target: { value: "reports" } });
    expect(dialog.getByLabelText("port")).toHaveValue(5432);

    const password = dialog.getByLabelText("password");
    expect(password).toHaveAttribute("type", "password");
    const secrets = await dialog.findByLabelText("password: use a secret");
    // Secret variables only: a plain one is no place for a password.
    expect(within(secrets).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Use a secret…",
      "f/ops/db_password",
      "f/ops/api_key",
    ]);
    fireEvent.change(secrets, { target: { value: "$var:f/ops/db_password" } });
    expect(password).toHaveValue("$var:f/ops/db_password");
    // A reference is no secret: shown as it is.
    expect(password).toHaveAttribute("type", "text");

    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    await waitFor(() => expect(requests(fetchMock, "POST")).toHaveLength(1));
    const [post] = requests(fetchMock, "POST");
    expect(post!.headers.get("X-CSRFToken")).toBe("tok-res");
    expect(await post!.json()).toEqual({
      path: "f/ops/new_db",
      resource_type: "postgresql",
      value: {
        host: "db.internal",
        port: 5432,
        user: "reports",
        password: "$var:f/ops/db_password",
        dbname: "reports",
        sslmode: "prefer",
      },
      description: "",
    });
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("types a password masked, edits the value as raw JSON, and shows a refused field at it", async () => {
    const fetchMock = open({
      [`POST ${LIST_URL}`]: () =>
        jsonResponse(
          {
            message: "value: port: 70000 is greater than the maximum of 65535",
            detail: { field: "value", path: ["port"], resource_type: "postgresql" },
          },
          400,
        ),
    });
    const dialog = await openNewDialog();
    fireEvent.change(dialog.getByLabelText("Type"), { target: { value: "postgresql" } });
    fireEvent.change(dialog.getByLabelText("Path"), { target: { value: "u/ada/pg" } });
    fireEvent.change(dialog.getByLabelText("password"), { target: { value: "typed" } });

    fireEvent.click(dialog.getByRole("button", { name: "JSON" }));
    const json = dialog.getByLabelText("Value (JSON)");
    expect(JSON.parse((json as HTMLTextAreaElement).value)).toEqual({ port: 5432, password: "typed", sslmode: "prefer" });
    fireEvent.change(json, { target: { value: '{"port": 70000, "password": "typed", "url": "postgres://x"}' } });

    fireEvent.click(dialog.getByRole("button", { name: "Form" }));
    expect(dialog.getByLabelText("port")).toHaveValue(70000);
    // Schema checks are left to the server here (the form would stop 70000): back to JSON to send it.
    fireEvent.click(dialog.getByRole("button", { name: "JSON" }));
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    await waitFor(() => expect(requests(fetchMock, "POST")).toHaveLength(1));
    expect(await requests(fetchMock, "POST")[0]!.json()).toMatchObject({
      value: { port: 70000, password: "typed", url: "postgres://x" },
    });
    expect(await dialog.findByRole("alert")).toHaveTextContent("value: port: 70000 is greater than the maximum of 65535");

    // In the form, the refusal shows at the field it names.
    fireEvent.click(dialog.getByRole("button", { name: "Form" }));
    expect(dialog.getByLabelText("port")).toHaveAccessibleDescription(/greater than the maximum of 65535/);
  });

  it("edits a resource from its stored value, references kept", async () => {
    const fetchMock = open({
      "GET /api/w/demo/resources/p/f/ops/reports_db": () => jsonResponse(resource()),
      "PUT /api/w/demo/resources/p/f/ops/reports_db": async (request) =>
        jsonResponse(resource({ ...((await request.clone().json()) as object) })),
    });
    const [db] = await rows();
    fireEvent.click(within(db!).getByRole("button", { name: "Edit f/ops/reports_db" }));
    const dialog = within(await screen.findByRole("dialog", { name: "Edit f/ops/reports_db" }));
    const host = await dialog.findByLabelText("host");
    expect(host).toHaveValue("db.internal");
    expect(dialog.getByLabelText("password")).toHaveValue("$var:f/ops/db_password");
    expect(await dialog.findByLabelText("password: use a secret")).toHaveDisplayValue("f/ops/db_password");
    expect(dialog.queryByLabelText("Path")).not.toBeInTheDocument();

    fireEvent.change(host, { target: { value: "db2.internal" } });
    fireEvent.click(dialog.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(requests(fetchMock, "PUT")).toHaveLength(1));
    expect(await requests(fetchMock, "PUT")[0]!.json()).toEqual({
      resource_type: "postgresql",
      value: { host: "db2.internal", port: 5432, user: "reports", password: "$var:f/ops/db_password", dbname: "reports" },
      description: "Reporting database",
    });
  });

  it("deletes a resource once confirmed", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const fetchMock = open({
      "DELETE /api/w/demo/resources/p/f/ops/reports_db": () => new Response(null, { status: 204 }),
    });
    const [db] = await rows();
    fireEvent.click(within(db!).getByRole("button", { name: "Delete f/ops/reports_db" }));
    await waitFor(() => expect(requests(fetchMock, "DELETE")).toHaveLength(1));
    await waitFor(() => expect(requests(fetchMock, "GET", LIST_URL).length).toBeGreaterThan(1));
  });
});

describe("Resource types", () => {
  it("lists the types with their schemas; only custom ones can be changed", async () => {
    open({}, "/w/demo/resources?tab=types");
    const table = await screen.findByTestId("resource-types-table");
    expect(screen.getByRole("tab", { name: "Resource types" })).toHaveAttribute("aria-selected", "true");
    const postgres = table.querySelector<HTMLElement>('tr[data-resource-type="postgresql"]')!;
    expect(postgres).toHaveTextContent("built-in");
    expect(within(postgres).getByText(/"format": "password"/)).toBeInTheDocument();
    expect(within(postgres).queryByRole("button", { name: /Edit|Delete/ })).not.toBeInTheDocument();
    const custom = table.querySelector<HTMLElement>('tr[data-resource-type="weather_api"]')!;
    expect(custom).toHaveTextContent("custom");
    expect(within(custom).getByRole("button", { name: "Edit weather_api" })).toBeInTheDocument();
  });

  it("adds a custom type from its name, JSON Schema and description", async () => {
    const fetchMock = open(
      {
        [`POST ${TYPES_URL}`]: async (request) =>
          jsonResponse({ ...((await request.clone().json()) as object), builtin: false }, 201),
      },
      "/w/demo/resources?tab=types",
    );
    await screen.findByTestId("resource-types-table");
    fireEvent.click(screen.getByRole("button", { name: "New resource type" }));
    const dialog = within(screen.getByRole("dialog", { name: "New resource type" }));
    fireEvent.change(dialog.getByLabelText("Name"), { target: { value: "Bad Name" } });
    fireEvent.change(dialog.getByLabelText("JSON Schema"), { target: { value: '{"type": "string"}' } });
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    expect(dialog.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(dialog.getByLabelText("JSON Schema")).toHaveAccessibleDescription(/"type": "object"$/);
    expect(requests(fetchMock, "POST")).toHaveLength(0);

    fireEvent.change(dialog.getByLabelText("Name"), { target: { value: "crm" } });
    const schema = { type: "object", properties: { key: { type: "string", format: "password" } } };
    fireEvent.change(dialog.getByLabelText("JSON Schema"), { target: { value: JSON.stringify(schema) } });
    fireEvent.change(dialog.getByLabelText("Description"), { target: { value: "Our CRM" } });
    fireEvent.click(dialog.getByRole("button", { name: "Create" }));
    await waitFor(() => expect(requests(fetchMock, "POST")).toHaveLength(1));
    expect(await requests(fetchMock, "POST")[0]!.json()).toEqual({ name: "crm", schema, description: "Our CRM" });
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("says why a type in use cannot be deleted", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    open(
      {
        "DELETE /api/w/demo/resources/types/weather_api": () =>
          jsonResponse({ message: "resource type 'weather_api' is used by 2 resource(s)", detail: { resources: 2 } }, 409),
      },
      "/w/demo/resources?tab=types",
    );
    const table = await screen.findByTestId("resource-types-table");
    const custom = table.querySelector<HTMLElement>('tr[data-resource-type="weather_api"]')!;
    fireEvent.click(within(custom).getByRole("button", { name: "Delete weather_api" }));
    expect(await within(custom).findByRole("alert")).toHaveTextContent("is used by 2 resource(s)");
  });
});
