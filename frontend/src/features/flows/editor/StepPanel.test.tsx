import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { jobDetail, jsonResponse, renderWithProviders, type RouteHandler } from "../../../test/utils";
import { bodies } from "../../editor/testApi";
import { findModule } from "../model/edits";
import { createFlowEditorStore, FlowEditorProvider } from "../model/store";
import type { FlowDocument, FlowModule } from "../model/types";
import { SidePanel } from "./SidePanel";
import { digestDoc, FLOW_PATH, HASH, mockFlowApi } from "./testFlows";

vi.mock("../../editor/CodeEditor", () => import("../../editor/testEditor"));

function open(id: string, doc: FlowDocument = digestDoc(), routes: Record<string, RouteHandler> = {}) {
  const fetchMock = mockFlowApi(routes);
  const store = createFlowEditorStore();
  store.getState().load(doc, { path: FLOW_PATH, baseHash: HASH, saved: true });
  store.getState().select(id);
  renderWithProviders(
    <FlowEditorProvider store={store}>
      <SidePanel workspaceId="demo" />
    </FlowEditorProvider>,
  );
  const module = (moduleId: string): FlowModule => findModule(store.getState().doc, moduleId)!.module;
  const transforms = (moduleId: string) => (module(moduleId).value as { input_transforms: Record<string, unknown> }).input_transforms;
  return { store, module, transforms, fetchMock };
}

describe("the step panel", () => {
  it("shows a code step's id, summary, language and code", async () => {
    open("fetch");
    expect(screen.getByLabelText("Step id")).toHaveValue("fetch");
    expect(screen.getByLabelText("Summary")).toHaveValue("Fetch orders");
    expect(screen.getByLabelText("Language")).toHaveValue("python3");
    const code = within(screen.getByTestId("step-code"));
    expect(await code.findByRole("textbox", { name: "Code of fetch" })).toHaveValue("def main(count: int):\n    return []\n");
  });

  it("turns the inferred parameters into inputs, each static or an expression", async () => {
    const { transforms } = open("send");
    const label = within(await screen.findByRole("group", { name: "label" }));
    fireEvent.change(label.getByLabelText("label"), { target: { value: "hello" } });
    expect(transforms("send").label).toEqual({ type: "static", value: "hello" });

    fireEvent.click(label.getByRole("button", { name: "Expression" }));
    expect(transforms("send").label).toEqual({ type: "javascript", expr: '"hello"' });
    expect(label.getByRole("textbox", { name: "label expression" })).toHaveValue('"hello"');

    const items = within(screen.getByRole("group", { name: "items" }));
    const expr = items.getByRole("textbox", { name: "items expression" });
    expect(expr).toHaveValue("results.fetch");
    fireEvent.change(expr, { target: { value: "results.fetch.length" } });
    expect(transforms("send").items).toEqual({ type: "javascript", expr: "results.fetch.length" });

    fireEvent.click(items.getByRole("button", { name: "Static" }));
    expect(transforms("send").items).toEqual({ type: "static" });
  });

  it("suggests the flow's inputs and the earlier steps' results in expressions", async () => {
    const { store, transforms } = open("send");
    store.getState().setTestResult("fetch", [{ id: 1, total: 20 }]);
    const items = within(await screen.findByRole("group", { name: "items" }));
    const expr = items.getByRole("textbox", { name: "items expression" });
    fireEvent.focus(expr);
    fireEvent.change(expr, { target: { value: "results.f" } });
    const list = within(items.getByRole("listbox", { name: "Suggestions" }));
    expect(list.getAllByRole("option").map((o) => o.textContent)).toEqual([
      "results.fetch",
      "results.fetch[0].id",
      "results.fetch[0].total",
    ]);
    fireEvent.mouseDown(list.getByRole("option", { name: "results.fetch[0].total" }));
    expect(transforms("send").items).toEqual({ type: "javascript", expr: "results.fetch[0].total" });

    fireEvent.change(expr, { target: { value: "1 + flow" } });
    fireEvent.keyDown(expr, { key: "Enter" });
    expect(transforms("send").items).toEqual({ type: "javascript", expr: "1 + flow_input.count" });
  });

  it("renames a step once the id is left, and refuses an id that is invalid or taken", async () => {
    const { store, transforms } = open("fetch");
    const id = screen.getByLabelText("Step id");
    fireEvent.change(id, { target: { value: "Fetch Orders" } });
    expect(screen.getByText("Lower-case letters, digits and _, not starting with a digit")).toBeInTheDocument();
    fireEvent.change(id, { target: { value: "send" } });
    expect(screen.getByText("Another step is already called send")).toBeInTheDocument();
    fireEvent.blur(id);
    expect(findModule(store.getState().doc, "fetch")).not.toBeNull();

    fireEvent.change(id, { target: { value: "load_orders" } });
    fireEvent.blur(id);
    expect(findModule(store.getState().doc, "load_orders")).not.toBeNull();
    expect(transforms("send").items).toEqual({ type: "javascript", expr: "results.load_orders" });
    expect(store.getState().selected).toBe("load_orders");
    expect(await screen.findByLabelText("Step id")).toHaveValue("load_orders");
  });

  it("asks before deleting a step, listing the steps that use its result", async () => {
    const { store } = open("fetch");
    fireEvent.click(screen.getByRole("button", { name: "Delete step" }));
    const dialog = within(screen.getByRole("dialog", { name: "Delete step fetch?" }));
    expect(dialog.getByTestId("step-dependents")).toHaveTextContent("send");
    fireEvent.click(dialog.getByRole("button", { name: "Cancel" }));
    expect(findModule(store.getState().doc, "fetch")).not.toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Delete step" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(findModule(store.getState().doc, "fetch")).toBeNull();
    expect(store.getState().selected).toBeNull();
  });

  it("copies a step and pastes it after the selected one", () => {
    const { store } = open("fetch");
    expect(screen.getByRole("button", { name: "Paste" })).toBeDisabled();
    fireEvent.click(screen.getByRole("button", { name: "Copy" }));
    fireEvent.click(screen.getByRole("button", { name: "Paste" }));
    expect(store.getState().doc.value.modules.map((m) => m.id)).toEqual(["fetch", "fetch_2", "send"]);
  });

  it("sets the options: retry, timeout, skip_if, stop_after_if, continue_on_error and an approval", () => {
    const { module } = open("fetch");
    fireEvent.change(screen.getByLabelText("Retry attempts"), { target: { value: "3" } });
    fireEvent.change(screen.getByLabelText("Retry delay"), { target: { value: "10" } });
    fireEvent.change(screen.getByLabelText("Timeout"), { target: { value: "60" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Skip if" }), { target: { value: "flow_input.count === 0" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Stop after if" }), { target: { value: "result.length === 0" } });
    fireEvent.change(screen.getByLabelText("Stop error message"), { target: { value: "nothing to do" } });
    fireEvent.click(screen.getByLabelText("Continue on error"));
    fireEvent.click(screen.getByLabelText("Wait for approval after this step"));
    fireEvent.change(screen.getByLabelText("Required approvals"), { target: { value: "2" } });
    expect(module("fetch")).toMatchObject({
      retry: { constant: { attempts: 3, seconds: 10 } },
      timeout: 60,
      skip_if: { expr: "flow_input.count === 0" },
      stop_after_if: { expr: "result.length === 0", error_message: "nothing to do" },
      continue_on_error: true,
      suspend: { required_events: 2 },
    });

    fireEvent.change(screen.getByLabelText("Retry attempts"), { target: { value: "" } });
    expect(module("fetch").retry).toBeUndefined();
  });
});

describe("testing a step", () => {
  it("runs the step's code with JSON arguments (from its static inputs) and keeps the result", async () => {
    const JOB = "0f9e8d7c-0000-4000-8000-0000000000aa";
    const doc = digestDoc();
    const send = doc.value.modules[1]!;
    send.value = { ...send.value, input_transforms: { items: { type: "static", value: "abc" } } } as typeof send.value;
    const { store, fetchMock } = open("send", doc, {
      "POST /api/w/demo/jobs/run/preview": () => jsonResponse({ id: JOB }, 201),
      [`GET /api/w/demo/jobs/${JOB}`]: () => jsonResponse(jobDetail({ id: JOB, status: "success", result: { sent: 3 } })),
    });
    fireEvent.click(screen.getByRole("button", { name: "Test this step" }));
    const args = screen.getByLabelText("Test arguments (JSON)");
    expect(JSON.parse((args as HTMLTextAreaElement).value)).toEqual({ items: "abc" });
    fireEvent.change(args, { target: { value: '{"items": "xyz"}' } });
    fireEvent.click(screen.getByRole("button", { name: "Run test" }));

    expect(await screen.findByTestId("step-test-result")).toHaveTextContent('"sent": 3');
    expect(store.getState().testResults).toEqual({ send: { sent: 3 } });
    expect(await bodies(fetchMock, "POST /api/w/demo/jobs/run/preview")).toEqual([
      { language: "python3", content: send.value.type === "rawscript" ? send.value.content : "", args: { items: "xyz" } },
    ]);
  });
});

describe("containers in the step panel", () => {
  const loops: FlowDocument = {
    value: {
      modules: [
        {
          id: "each",
          value: { type: "forloopflow", iterator: { type: "javascript", expr: "[]" }, modules: [], parallel: false },
        },
        {
          id: "pick",
          value: { type: "branchone", branches: [{ expr: "true", modules: [] }], default: [] },
        },
      ],
    },
  };

  it("edits a for loop's iterator and parallelism", () => {
    const { module } = open("each", loops);
    fireEvent.change(screen.getByRole("textbox", { name: "Iterator expression" }), { target: { value: "flow_input.items" } });
    expect(screen.queryByLabelText("Parallelism")).not.toBeInTheDocument();
    fireEvent.click(screen.getByLabelText("Parallel"));
    fireEvent.change(screen.getByLabelText("Parallelism"), { target: { value: "4" } });
    expect(module("each").value).toMatchObject({
      iterator: { type: "javascript", expr: "flow_input.items" },
      parallel: true,
      parallelism: 4,
    });
  });

  it("adds, edits and removes a branch's predicate", () => {
    const { module } = open("pick", loops);
    fireEvent.change(screen.getByRole("textbox", { name: "Branch 1 predicate" }), { target: { value: "flow_input.big" } });
    fireEvent.click(screen.getByRole("button", { name: "Add branch" }));
    fireEvent.change(screen.getByLabelText("Branch 2 summary"), { target: { value: "Small" } });
    expect(module("pick").value).toMatchObject({
      branches: [{ expr: "flow_input.big" }, { summary: "Small", expr: "false" }],
    });
    fireEvent.click(screen.getByRole("button", { name: "Remove branch 1" }));
    expect(module("pick").value).toMatchObject({ branches: [{ summary: "Small" }] });
  });
});
