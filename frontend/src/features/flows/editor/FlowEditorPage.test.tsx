import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { App } from "../../../App";
import { jobDetail, jsonResponse, renderWithProviders } from "../../../test/utils";
import { bodies } from "../../editor/testApi";
import type { FlowDocument } from "../model/types";
import { digestDoc, FLOW_PATH, HASH, mockFlowApi, SAVE_FLOW } from "./testFlows";

// CodeMirror and React Flow need a real layout engine; the browser test covers them.
vi.mock("../../editor/CodeEditor", () => import("../../editor/testEditor"));
vi.mock("../canvas/FlowCanvas", () => import("./testCanvas"));
vi.mock("../canvas/Palette", () => import("./testCanvas"));

afterEach(() => window.localStorage.clear());

const EDIT_URL = `/w/demo/flows/edit/${FLOW_PATH}`;
const DRAFT_KEY = `kiln.flowdraft.demo.${FLOW_PATH}`;

async function openEditor(routes = {}, url = EDIT_URL) {
  const fetchMock = mockFlowApi(routes);
  renderWithProviders(<App />, { route: url });
  await screen.findByTestId("fake-canvas");
  return fetchMock;
}

const canvas = () => within(screen.getByTestId("fake-canvas"));

async function yamlText(): Promise<string> {
  fireEvent.click(screen.getByRole("button", { name: "YAML" }));
  return ((await screen.findByRole("textbox", { name: "Flow YAML" })) as HTMLTextAreaElement).value;
}

describe("the flow editor page", () => {
  it("opens the latest version with its toolbar, graph and an empty selection", async () => {
    await openEditor();
    expect(screen.getByLabelText("Path")).toHaveValue(FLOW_PATH);
    expect(screen.getByLabelText("Flow summary")).toHaveValue("Digest");
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Redo" })).toBeDisabled();
    expect(canvas().getByRole("button", { name: "fetch" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Flow" })).toBeInTheDocument();

    fireEvent.click(canvas().getByRole("button", { name: "send" }));
    expect(await screen.findByLabelText("Step id")).toHaveValue("send");
  });

  it("undoes and redoes with the buttons and Ctrl+Z / Ctrl+Shift+Z, step inputs included", async () => {
    await openEditor();
    fireEvent.click(canvas().getByRole("button", { name: "send" }));
    const items = within(await screen.findByRole("group", { name: "items" }));
    fireEvent.change(items.getByRole("textbox", { name: "items expression" }), { target: { value: "results.fetch[0]" } });
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();

    fireEvent.keyDown(document.body, { key: "z", ctrlKey: true });
    expect(items.getByRole("textbox", { name: "items expression" })).toHaveValue("results.fetch");
    expect(screen.getByRole("button", { name: "Undo" })).toBeDisabled();

    fireEvent.keyDown(document.body, { key: "Z", ctrlKey: true, shiftKey: true });
    expect(items.getByRole("textbox", { name: "items expression" })).toHaveValue("results.fetch[0]");
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(items.getByRole("textbox", { name: "items expression" })).toHaveValue("results.fetch");
    fireEvent.click(screen.getByRole("button", { name: "Redo" }));
    expect(items.getByRole("textbox", { name: "items expression" })).toHaveValue("results.fetch[0]");
  });

  it("copies and pastes the selected step with Ctrl+C / Ctrl+V while the canvas has focus", async () => {
    await openEditor();
    fireEvent.click(canvas().getByRole("button", { name: "fetch" }));
    const pane = screen.getByTestId("canvas-pane");
    fireEvent.keyDown(pane, { key: "c", ctrlKey: true });
    fireEvent.keyDown(pane, { key: "v", ctrlKey: true });
    expect(canvas().getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Flow inputs",
      "fetch",
      "fetch_2",
      "send",
      "Insert here",
    ]);
  });

  it("keeps the graph and the YAML in sync both ways, and points at a YAML error's line", async () => {
    await openEditor();
    fireEvent.change(screen.getByLabelText("Flow summary"), { target: { value: "Nightly digest" } });
    const text = await yamlText();
    expect(parse(text)).toMatchObject({ summary: "Nightly digest", value: { modules: [{ id: "fetch" }, { id: "send" }] } });

    const editor = screen.getByRole("textbox", { name: "Flow YAML" });
    fireEvent.change(editor, { target: { value: text.replace("id: send", "id: notify") } });
    fireEvent.change(editor, { target: { value: `${text}\n  bad: [` } });
    expect(await screen.findByTestId("yaml-error")).toHaveTextContent(/^Line \d+:/);
    expect(editor).toHaveAttribute("data-problem-line");

    fireEvent.click(screen.getByRole("button", { name: "Graph" }));
    // The last text that parsed is the document.
    expect(await canvas().findByRole("button", { name: "notify" })).toBeInTheDocument();
    expect(canvas().queryByRole("button", { name: "send" })).not.toBeInTheDocument();
  });

  it("deploys, then says when nothing changed", async () => {
    let saves = 0;
    const fetchMock = await openEditor({
      [SAVE_FLOW]: async (request: Request) => {
        saves += 1;
        const body = (await request.clone().json()) as FlowDocument & { path: string };
        return jsonResponse({ ...body, hash: "f00dcafe00000001", created_by: "ada@example.com", created_at: "2025-01-03T10:00:00Z", access: "owner", app: false }, saves === 1 ? 201 : 200);
      },
    });
    fireEvent.change(screen.getByLabelText("Flow summary"), { target: { value: "Nightly digest" } });
    fireEvent.click(screen.getByRole("button", { name: "Deploy" }));
    expect(await screen.findByText("Deployed version f00dcafe")).toBeInTheDocument();
    expect(screen.queryByText("Unsaved changes")).not.toBeInTheDocument();
    const [sent] = await bodies(fetchMock, SAVE_FLOW);
    expect(sent).toMatchObject({ path: FLOW_PATH, summary: "Nightly digest", value: { modules: [{ id: "fetch" }, { id: "send" }] } });

    fireEvent.keyDown(document.body, { key: "s", ctrlKey: true });
    expect(await screen.findByText("No changes")).toBeInTheDocument();
  });

  it("lists a refused deploy's problems with their fields; a click selects the step", async () => {
    await openEditor({
      [SAVE_FLOW]: () =>
        jsonResponse(
          {
            message: "value.modules[1].value.input_transforms.items.expr: results.nope names no step",
            detail: {
              path: "value.modules[1].value.input_transforms.items.expr",
              errors: [
                { path: "value.modules[1].value.input_transforms.items.expr", message: "results.nope names no step" },
                { path: "schema.properties", message: "must be an object" },
              ],
            },
          },
          400,
        ),
    });
    fireEvent.click(screen.getByRole("button", { name: "Deploy" }));
    const issues = within(await screen.findByTestId("flow-issues"));
    expect(issues.getByText(/2 problems/)).toBeInTheDocument();
    fireEvent.click(issues.getByRole("button", { name: /value\.modules\[1\].*results\.nope names no step/ }));
    expect(await screen.findByLabelText("Step id")).toHaveValue("send");
    fireEvent.click(issues.getByRole("button", { name: /schema\.properties/ }));
    expect(await screen.findByRole("button", { name: "Add input" })).toBeInTheDocument();
  });

  it("keeps a draft in the browser while there are unsaved changes", async () => {
    await openEditor();
    fireEvent.change(screen.getByLabelText("Flow summary"), { target: { value: "Work in progress" } });
    await waitFor(() => expect(window.localStorage.getItem(DRAFT_KEY)).toContain("Work in progress"), { timeout: 2000 });
  });

  it("restores or discards a draft left from an earlier visit", async () => {
    const draft = { path: FLOW_PATH, doc: { ...digestDoc(), summary: "From the draft" }, baseHash: HASH, savedAt: new Date().toISOString() };
    window.localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    await openEditor();
    fireEvent.click(screen.getByRole("button", { name: /^Restore draft \(saved / }));
    expect(screen.getByLabelText("Flow summary")).toHaveValue("From the draft");
    // A restore is an edit: Undo goes back to the deployed version.
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(screen.getByLabelText("Flow summary")).toHaveValue("Digest");
  });

  it("discards a draft when asked", async () => {
    const draft = { path: FLOW_PATH, doc: { ...digestDoc(), summary: "From the draft" }, baseHash: HASH, savedAt: new Date().toISOString() };
    window.localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
    await openEditor();
    fireEvent.click(screen.getByRole("button", { name: "Discard draft" }));
    expect(screen.queryByRole("region", { name: "Unsaved draft" })).not.toBeInTheDocument();
    expect(window.localStorage.getItem(DRAFT_KEY)).toBeNull();
    expect(screen.getByLabelText("Flow summary")).toHaveValue("Digest");
  });

  it("imports a pasted document as unsaved changes", async () => {
    await openEditor();
    fireEvent.click(screen.getByRole("button", { name: "Import" }));
    const dialog = within(screen.getByRole("dialog", { name: "Import a flow" }));
    fireEvent.change(dialog.getByLabelText("Or paste the document"), { target: { value: "value: [" } });
    fireEvent.click(dialog.getByRole("button", { name: "Load into the editor" }));
    expect(dialog.getByRole("alert")).toHaveTextContent(/^Line \d+:/);

    const imported = "summary: Imported\nvalue:\n  modules:\n    - id: hello\n      value: {type: identity}\n";
    fireEvent.change(dialog.getByLabelText("Or paste the document"), { target: { value: imported } });
    fireEvent.click(dialog.getByRole("button", { name: "Load into the editor" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByLabelText("Flow summary")).toHaveValue("Imported");
    expect(canvas().getByRole("button", { name: "hello" })).toBeInTheDocument();
    expect(screen.getByText("Unsaved changes")).toBeInTheDocument();
  });
});

describe("a test run", () => {
  const JOB = "0f9e8d7c-0000-4000-8000-00000000000a";
  const finished = {
    ...jobDetail({ id: JOB, kind: "flow", script_path: FLOW_PATH, status: "success" }),
    flow_status: {
      steps: {
        fetch: { id: "fetch", type: "rawscript", status: "success", result: [{ id: 1, total: 20 }] },
        send: { id: "send", type: "rawscript", status: "success", result: "ok" },
      },
    },
  };

  it("deploys the changes first when asked, runs, and feeds each step's result to the autocomplete", async () => {
    const fetchMock = await openEditor({
      [`POST /api/w/demo/jobs/run/f/${FLOW_PATH}`]: () => jsonResponse({ id: JOB }, 201),
      [`GET /api/w/demo/jobs/${JOB}`]: () => jsonResponse(finished),
    });
    fireEvent.change(screen.getByLabelText("Flow summary"), { target: { value: "Changed" } });
    fireEvent.click(screen.getByRole("button", { name: "Test run" }));
    const dialog = within(screen.getByRole("dialog", { name: "Test run" }));
    expect(dialog.getByText(/a run uses the deployed version/)).toBeInTheDocument();
    fireEvent.change(dialog.getByLabelText(/count/), { target: { value: "2" } });
    fireEvent.click(dialog.getByRole("button", { name: "Deploy and run" }));

    const drawer = within(await screen.findByTestId("test-run-drawer"));
    expect(await drawer.findByText("fetch")).toBeInTheDocument();
    expect(drawer.getByRole("link", { name: "Open the run page" })).toHaveAttribute("href", `/w/demo/runs/${JOB}`);
    expect(await bodies(fetchMock, SAVE_FLOW)).toHaveLength(1);
    expect(await bodies(fetchMock, `POST /api/w/demo/jobs/run/f/${FLOW_PATH}`)).toEqual([{ count: 2 }]);

    fireEvent.click(canvas().getByRole("button", { name: "send" }));
    const expr = within(await screen.findByRole("group", { name: "items" })).getByRole("textbox", { name: "items expression" });
    fireEvent.focus(expr);
    fireEvent.change(expr, { target: { value: "results.fetch[0]." } });
    await waitFor(() =>
      expect(
        within(screen.getByRole("listbox", { name: "Suggestions" }))
          .getAllByRole("option")
          .map((o) => o.textContent),
      ).toEqual(["results.fetch[0].id", "results.fetch[0].total"]),
    );
  });

  it("runs the deployed version as it is when there is nothing to deploy", async () => {
    const fetchMock = await openEditor({
      [`POST /api/w/demo/jobs/run/f/${FLOW_PATH}`]: () => jsonResponse({ id: JOB }, 201),
      [`GET /api/w/demo/jobs/${JOB}`]: () => jsonResponse(finished),
    });
    fireEvent.click(screen.getByRole("button", { name: "Test run" }));
    fireEvent.click(within(screen.getByRole("dialog", { name: "Test run" })).getByRole("button", { name: "Run" }));
    expect(await screen.findByTestId("test-run-drawer")).toBeInTheDocument();
    expect(await bodies(fetchMock, SAVE_FLOW)).toHaveLength(0);
  });
});

describe("a new flow", () => {
  it("takes a path, a step from the palette, and opens its edit page once deployed", async () => {
    const fetchMock = await openEditor({}, "/w/demo/flows/new");
    expect(screen.getByRole("button", { name: "Versions" })).toBeDisabled();
    fireEvent.click(screen.getByRole("button", { name: "Deploy" }));
    expect(await screen.findByText(/A path is required/)).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText("Path"), { target: { value: "f/demo/fresh" } });
    fireEvent.click(canvas().getByRole("button", { name: "Insert here" }));
    fireEvent.click(await screen.findByRole("button", { name: "Inline script" }));
    expect(await screen.findByLabelText("Step id")).toHaveValue("a");

    fireEvent.click(screen.getByRole("button", { name: "Deploy" }));
    // The message shows on the new flow's page, then again on its edit page, which replaces it:
    // waited for in the document as it is, not held from the page that was replaced.
    await waitFor(() => expect(screen.getByText("Deployed version f00dcafe")).toBeInTheDocument());
    const [sent] = await bodies(fetchMock, SAVE_FLOW);
    expect(sent).toMatchObject({ path: "f/demo/fresh", value: { modules: [{ id: "a", value: { type: "rawscript" } }] } });
    // The flow now lives at its path: the edit page (whose path is fixed).
    await waitFor(() => expect(screen.getByLabelText("Path")).toHaveAttribute("readonly"));
    expect(screen.getByText("Deployed version f00dcafe")).toBeInTheDocument(); // carried to the edit page
  });
});
