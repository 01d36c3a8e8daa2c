import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Workspace } from "../../../api/client";
import { jsonResponse, mockApi, renderWithProviders, requests } from "../../../test/utils";
import { ArgsForm } from "../../scripts/ArgsForm";
import { resourceSummary } from "../../vault/testData";
import { CurrentWorkspaceContext } from "../../workspace/CurrentWorkspace";

/** A SQL script's schema as the backend derives it: the database first, typed `object`. */
const SCHEMA = {
  type: "object",
  properties: {
    database: { type: "object", format: "resource-postgresql", description: "The database to query" },
    limit: { type: "integer", default: 10 },
  },
  required: ["database"],
};

const LIST = "/api/w/demo/resources";
const RESOURCES = [resourceSummary(), resourceSummary({ path: "u/ada/local_pg", description: "" })];
const DEVELOPER: Workspace = { id: "demo", name: "Demo workspace", role: "developer" };

function renderArgs({
  workspace = DEVELOPER,
  resources = RESOURCES,
  initialArgs,
  route = "/w/demo/scripts/p/f/ops/report",
  status = 200,
}: { workspace?: Workspace; resources?: unknown; initialArgs?: Record<string, unknown>; route?: string; status?: number } = {}) {
  const fetchMock = mockApi({ [`GET ${LIST}`]: () => jsonResponse(resources, status) });
  const onSubmit = vi.fn();
  renderWithProviders(
    <CurrentWorkspaceContext.Provider value={workspace}>
      <ArgsForm
        schema={SCHEMA}
        initialArgs={initialArgs}
        label="Run script"
        submitLabel="Run"
        pending={false}
        error={null}
        onSubmit={onSubmit}
      />
    </CurrentWorkspaceContext.Provider>,
    { route },
  );
  return { fetchMock, onSubmit };
}

async function loadedPicker() {
  const select = screen.getByLabelText("database");
  await waitFor(() => expect(within(select).queryByText("Loading resources…")).not.toBeInTheDocument());
  return select;
}

describe("Resource picker", () => {
  it("lists only the resources of the field's type the API returns, and submits $res:<path>", async () => {
    const { fetchMock, onSubmit } = renderArgs();
    const select = await loadedPicker();
    expect(select.tagName).toBe("SELECT");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Choose a resource…",
      "f/ops/reports_db",
      "u/ada/local_pg",
      "Custom JSON or text…",
    ]);
    const [list] = requests(fetchMock, "GET", LIST);
    expect(new URL(list!.url).searchParams.get("resource_type")).toBe("postgresql");

    // Required: nothing is sent until one is picked.
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(select).toHaveAccessibleDescription("The database to query Required");

    fireEvent.change(select, { target: { value: "$res:f/ops/reports_db" } });
    expect(select).toHaveDisplayValue("f/ops/reports_db");
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(onSubmit).toHaveBeenCalledWith({ database: "$res:f/ops/reports_db", limit: 10 });
  });

  it("shows a rerun's reference as picked, even to a resource it does not list", async () => {
    const { onSubmit } = renderArgs({ initialArgs: { database: "$res:f/other/db" } });
    const select = await loadedPicker();
    expect(select).toHaveDisplayValue("f/other/db");
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(onSubmit).toHaveBeenCalledWith({ database: "$res:f/other/db" });
  });

  it("keeps an object value as custom JSON, sent as the object", async () => {
    const { onSubmit } = renderArgs({ initialArgs: { database: { host: "db.internal", port: 5432 } } });
    const select = await loadedPicker();
    expect(select).toHaveDisplayValue("Custom JSON or text…");
    const custom = screen.getByLabelText("database: custom value");
    expect(custom).toHaveValue('{\n  "host": "db.internal",\n  "port": 5432\n}');

    fireEvent.change(custom, { target: { value: '{"host": "other"}' } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(onSubmit).toHaveBeenCalledWith({ database: { host: "other" } });

    // Picking a resource instead drops the custom value.
    fireEvent.change(select, { target: { value: "$res:u/ada/local_pg" } });
    expect(screen.queryByLabelText("database: custom value")).not.toBeInTheDocument();
  });

  it("says when there is none the user may use, with a link to create one", async () => {
    renderArgs({ resources: [] });
    const select = await loadedPicker();
    expect(select).toHaveAccessibleDescription(/^No postgresql resources you may use — create one/);
    expect(screen.getByRole("link", { name: "create one" })).toHaveAttribute("href", "/w/demo/resources");
  });

  it("has no link into the studio in the operators' app view", async () => {
    renderArgs({ resources: [], workspace: { ...DEVELOPER, role: "operator" }, route: "/apps/demo/f/ops/report" });
    const select = await loadedPicker();
    expect(select).toHaveAccessibleDescription(/^No postgresql resources you may use/);
    expect(screen.queryByRole("link", { name: "create one" })).not.toBeInTheDocument();
  });

  it("falls back to typing the reference when the resources cannot be listed", async () => {
    renderArgs({ resources: { message: "you may not list resources", detail: null }, status: 403 });
    await waitFor(() => expect(screen.getByLabelText("database").tagName).toBe("TEXTAREA"));
    fireEvent.change(screen.getByLabelText("database"), { target: { value: "$res:f/ops/reports_db" } });
    expect(screen.getByLabelText("database")).toHaveValue("$res:f/ops/reports_db");
  });
});
