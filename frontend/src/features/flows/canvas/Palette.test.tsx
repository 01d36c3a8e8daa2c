import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { jsonResponse, mockApi, renderWithProviders } from "../../../test/utils";
import { createFlowEditorStore, FlowEditorProvider } from "../model/store";
import type { FlowDocument } from "../model/types";
import { Palette } from "./Palette";

const DOC: FlowDocument = { value: { modules: [{ id: "a", value: { type: "identity" } }] } };

const SCRIPTS = [
  { path: "u/ada/greet", summary: "Say hello", language: "python3", hash: "h1", created_by: "ada", created_at: "", versions: 1 },
  { path: "f/ops/report", summary: "Weekly report", language: "bash", hash: "h2", created_by: "ada", created_at: "", versions: 1 },
];
const FLOWS = [{ path: "f/ops/digest", summary: "Digest", hash: "h3", created_by: "ada", created_at: "", versions: 1 }];

function open(props: Partial<Parameters<typeof Palette>[0]> = {}) {
  const onPick = vi.fn();
  const onClose = vi.fn();
  mockApi({
    "GET /api/w/demo/scripts": () => jsonResponse(SCRIPTS),
    "GET /api/w/demo/flows": () => jsonResponse(FLOWS),
  });
  renderWithProviders(<Palette workspaceId="demo" onPick={onPick} onClose={onClose} doc={DOC} {...props} />);
  return { onPick, onClose, dialog: screen.getByRole("dialog", { name: "Add a step" }) };
}

describe("Palette", () => {
  it("lists every kind of step and focuses the first", () => {
    const { dialog } = open();
    const names = within(dialog).getAllByRole("button").map((b) => b.getAttribute("aria-describedby") && b.querySelector(".flow-palette-label")?.textContent);
    expect(within(dialog).getByRole("button", { name: "For loop" })).toHaveAccessibleDescription("Its steps once per item of a list");
    expect(names).toEqual([
      "Inline script", "Existing script", "Subflow", "For loop", "While loop", "Branch (one)", "Branch (all)", "Approval",
    ]);
    expect(document.activeElement).toBe(within(dialog).getAllByRole("button")[0]);
  });

  it("adds an inline script in the chosen language, with an id free in the flow", () => {
    const { onPick } = open();
    fireEvent.change(screen.getByLabelText("Language"), { target: { value: "bash" } });
    fireEvent.click(screen.getByRole("button", { name: "Inline script" }));
    expect(onPick).toHaveBeenCalledWith(
      expect.objectContaining({ id: "b", value: expect.objectContaining({ type: "rawscript", language: "bash" }) }),
    );
  });

  it("adds loops, branches and approvals as they start", () => {
    const { onPick } = open();
    fireEvent.click(screen.getByRole("button", { name: "For loop" }));
    expect(onPick).toHaveBeenLastCalledWith(expect.objectContaining({ value: expect.objectContaining({ type: "forloopflow" }) }));
    fireEvent.click(screen.getByRole("button", { name: "Approval" }));
    expect(onPick).toHaveBeenLastCalledWith(expect.objectContaining({ suspend: { required_events: 1, timeout: 3600 } }));
  });

  it("finds an existing script by what one types, and adds it by path", async () => {
    const { onPick } = open();
    fireEvent.click(screen.getByRole("button", { name: "Existing script" }));
    const search = screen.getByLabelText("Search scripts");
    expect(document.activeElement).toBe(search);
    expect(await screen.findByRole("button", { name: "u/ada/greet" })).toBeInTheDocument();
    fireEvent.change(search, { target: { value: "weekly" } });
    expect(screen.queryByRole("button", { name: "u/ada/greet" })).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "f/ops/report" }));
    expect(onPick).toHaveBeenCalledWith({ id: "b", value: { type: "script", path: "f/ops/report", input_transforms: {} } });
  });

  it("finds a subflow, and goes back to the kinds", async () => {
    const { onPick } = open();
    fireEvent.click(screen.getByRole("button", { name: "Subflow" }));
    fireEvent.click(await screen.findByRole("button", { name: "f/ops/digest" }));
    expect(onPick).toHaveBeenCalledWith(expect.objectContaining({ value: expect.objectContaining({ type: "flow", path: "f/ops/digest" }) }));
    fireEvent.click(screen.getByRole("button", { name: "Back to the step kinds" }));
    expect(screen.getByLabelText("Language")).toBeInTheDocument();
  });

  it("closes on Escape and on a click elsewhere", () => {
    const { onClose } = open();
    fireEvent.keyDown(document.activeElement ?? document.body, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.pointerDown(document.body);
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it("takes fresh ids from the editor's document when given none", () => {
    const store = createFlowEditorStore({ doc: { value: { modules: [{ id: "a", value: { type: "identity" } }, { id: "b", value: { type: "identity" } }] } } });
    const onPick = vi.fn();
    mockApi({});
    renderWithProviders(
      <FlowEditorProvider store={store}>
        <Palette workspaceId="demo" onPick={onPick} onClose={vi.fn()} />
      </FlowEditorProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "While loop" }));
    expect(onPick).toHaveBeenCalledWith(expect.objectContaining({ id: "c" }));
  });
});
