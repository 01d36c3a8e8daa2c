import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { jsonResponse, renderWithProviders } from "../../test/utils";
import { bodies } from "../editor/testApi";
import { FLOW_PATH, flowOut, HASH, mockFlowApi } from "./editor/testFlows";

vi.mock("../editor/CodeEditor", () => import("../editor/testEditor"));

const JOB = "0f9e8d7c-0000-4000-8000-00000000000a";

describe("the flows list", () => {
  it("lists each flow with its summary, version, count of versions and date", async () => {
    mockFlowApi();
    renderWithProviders(<App />, { route: "/w/demo/flows" });
    const table = within(await screen.findByTestId("flows-table"));
    expect(table.getByRole("link", { name: FLOW_PATH })).toHaveAttribute("href", `/w/demo/flows/p/${FLOW_PATH}`);
    expect(table.getByText("Digest")).toBeInTheDocument();
    expect(table.getByText(HASH.slice(0, 8))).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "New flow" })).toHaveAttribute("href", "/w/demo/flows/new");
  });

  it("says when there are no flows yet, with a way to write one", async () => {
    mockFlowApi({ "GET /api/w/demo/flows": () => jsonResponse([]) });
    renderWithProviders(<App />, { route: "/w/demo/flows" });
    expect(await screen.findByRole("heading", { name: "No flows yet" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "New flow" })).toBeInTheDocument();
  });
});

describe("a flow's page", () => {
  it("shows the flow and runs it with its form's inputs, then opens the run", async () => {
    const fetchMock = mockFlowApi({
      [`POST /api/w/demo/jobs/run/f/${FLOW_PATH}`]: () => jsonResponse({ id: JOB }, 201),
      [`GET /api/w/demo/jobs/${JOB}`]: () => jsonResponse({ message: "not here" }, 404),
    });
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}` });
    expect(await screen.findByText("Digest")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Edit" })).toHaveAttribute("href", `/w/demo/flows/edit/${FLOW_PATH}`);
    const form = within(screen.getByRole("form", { name: "Run flow" }));
    fireEvent.change(form.getByLabelText(/count/), { target: { value: "7" } });
    fireEvent.click(form.getByRole("button", { name: "Run" }));
    // The run's page (here: a job the fake API does not know).
    expect(await screen.findByText("not here")).toBeInTheDocument();
    expect(await bodies(fetchMock, `POST /api/w/demo/jobs/run/f/${FLOW_PATH}`)).toEqual([{ count: 7 }]);
  });

  it("compares two versions as YAML", async () => {
    const older = flowOut(undefined, { hash: "0ld0000000000000", summary: "Old digest" });
    mockFlowApi({
      [`GET /api/w/demo/flows/versions/p/${FLOW_PATH}`]: () =>
        jsonResponse([
          { hash: HASH, summary: "Digest", created_by: "ada@example.com", created_at: "2025-01-02T10:00:00Z" },
          { hash: older.hash, summary: "Old digest", created_by: "ada@example.com", created_at: "2025-01-01T10:00:00Z" },
        ]),
      [`GET /api/w/demo/flows/h/${HASH}`]: () => jsonResponse(flowOut()),
      [`GET /api/w/demo/flows/h/${older.hash}`]: () => jsonResponse(older),
    });
    renderWithProviders(<App />, { route: `/w/demo/flows/p/${FLOW_PATH}?tab=versions` });
    const diff = await screen.findByTestId("version-diff");
    expect(diff).toHaveTextContent("summary: Old digest");
    expect(diff).toHaveTextContent("summary: Digest");
    expect(screen.getByRole("link", { name: "Open 0ld00000 in editor" })).toHaveAttribute(
      "href",
      `/w/demo/flows/edit/${FLOW_PATH}?version=0ld0000000000000`,
    );
  });
});
