import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { parse } from "yaml";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { ORDER_DIGEST_YAML } from "../model/fixtures.testing";
import { insertModule } from "../model/edits";
import { INPUT_ID, laneId, specToGraph } from "../model/graph";
import type { FlowDocument } from "../model/types";
import { FlowCanvas } from "./FlowCanvas";
import { stubReactFlowBrowser } from "./testing";

const graph = specToGraph(parse(ORDER_DIGEST_YAML) as FlowDocument);

beforeEach(() => stubReactFlowBrowser());

describe("FlowCanvas in edit mode", () => {
  it("draws each step as a button named by its id, and selects it when clicked", async () => {
    const onSelect = vi.fn();
    render(<FlowCanvas graph={graph} mode="edit" selected="send" onSelect={onSelect} onInsert={vi.fn()} />);
    const fetch = await screen.findByRole("button", { name: "Step fetch" });
    expect(fetch).toHaveTextContent("fetch");
    expect(fetch).toHaveTextContent("Fetch orders");
    expect(screen.getByRole("button", { name: "Step send" })).toHaveAttribute("aria-pressed", "true");
    for (const id of ["score", "score_one", "decide", "approve", "nothing", "failure"]) {
      expect(screen.getByRole("button", { name: `Step ${id}` })).toBeInTheDocument();
    }
    fireEvent.click(fetch);
    expect(onSelect).toHaveBeenLastCalledWith("fetch");
    fireEvent.keyDown(screen.getByRole("button", { name: "Step score" }), { key: "Enter" });
    expect(onSelect).toHaveBeenLastCalledWith("score");
    fireEvent.click(screen.getByRole("button", { name: "Flow inputs" }));
    expect(onSelect).toHaveBeenLastCalledWith(INPUT_ID);
  });

  it("offers a + on every edge of a sequence, in document order, with where the step goes", async () => {
    const onInsert = vi.fn();
    render(<FlowCanvas graph={graph} mode="edit" onInsert={onInsert} />);
    const plus = await screen.findAllByRole("button", { name: "Add a step here" });
    expect(plus).toHaveLength(graph.edges.filter((e) => e.insert).length);
    fireEvent.click(plus[0]!);
    expect(onInsert).toHaveBeenLastCalledWith({ list: [], index: 0 }, expect.objectContaining({ top: expect.any(Number), left: expect.any(Number) }));
    fireEvent.click(plus[2]!);
    expect(onInsert).toHaveBeenLastCalledWith({ list: [{ module: "score", list: "modules" }], index: 0 }, expect.objectContaining({ top: expect.any(Number), left: expect.any(Number) }));
  });

  it("keeps the + buttons in document order after edits", async () => {
    const onInsert = vi.fn();
    const doc = parse(ORDER_DIGEST_YAML) as FlowDocument;
    const { rerender } = render(<FlowCanvas graph={specToGraph(doc)} mode="edit" onInsert={onInsert} />);
    await screen.findAllByRole("button", { name: "Add a step here" });
    const step = { id: "extra", value: { type: "identity" as const } };
    const edited = specToGraph(insertModule(doc, { list: [{ module: "score", list: "modules" }], index: 1 }, step));
    rerender(<FlowCanvas graph={edited} mode="edit" onInsert={onInsert} />);
    await screen.findByRole("button", { name: "Step extra" });
    const expected = edited.edges.filter((e) => e.insert).map((e) => e.insert);
    await waitFor(() => expect(screen.getAllByRole("button", { name: "Add a step here" })).toHaveLength(expected.length));
    screen.getAllByRole("button", { name: "Add a step here" }).forEach((plus) => fireEvent.click(plus));
    expect(onInsert.mock.calls.map(([position]) => position)).toEqual(expected);
  });

  it("shows copy and delete on the selected node only when the page handles them", async () => {
    const onNodeAction = vi.fn();
    const { rerender } = render(<FlowCanvas graph={graph} mode="edit" selected="fetch" />);
    await screen.findByRole("button", { name: "Step fetch" });
    expect(screen.queryByRole("button", { name: "Delete fetch" })).not.toBeInTheDocument();
    rerender(<FlowCanvas graph={graph} mode="edit" selected="fetch" onNodeAction={onNodeAction} />);
    fireEvent.click(await screen.findByRole("button", { name: "Delete fetch" }));
    expect(onNodeAction).toHaveBeenCalledWith({ type: "delete", id: "fetch" });
    fireEvent.click(screen.getByRole("button", { name: "Copy fetch" }));
    expect(onNodeAction).toHaveBeenCalledWith({ type: "copy", id: "fetch" });
  });

  it("keeps its nodes when only a label changes, and follows the new label", async () => {
    const { rerender } = render(<FlowCanvas graph={graph} mode="edit" />);
    await screen.findByRole("button", { name: "Step fetch" });
    const relabelled = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === "fetch" ? { ...n, label: "Fetch them all" } : n)),
    };
    rerender(<FlowCanvas graph={relabelled} mode="edit" />);
    expect(screen.getByRole("button", { name: "Step fetch" })).toHaveTextContent("Fetch them all");
  });
});

describe("FlowCanvas in run mode", () => {
  it("colours nodes by status with durations, dims the branch not taken, and names steps as radios", async () => {
    const onNodeAction = vi.fn();
    render(
      <FlowCanvas
        graph={graph}
        mode="run"
        selected="fetch"
        onNodeAction={onNodeAction}
        statuses={{
          fetch: { status: "success", duration_ms: 1200 },
          score: { status: "running", iterations: 3, iteration: 1 },
          [laneId("decide", 0)]: { status: "success", chosen: true },
          [laneId("decide", "default")]: { status: "waiting", chosen: false },
        }}
      />,
    );
    const fetch = await screen.findByRole("radio", { name: "Step fetch" });
    expect(fetch).toHaveAttribute("aria-checked", "true");
    expect(fetch.closest("[data-status]")).toHaveAttribute("data-status", "success");
    expect(within(fetch).getByText("Success")).toHaveClass("badge-success");
    expect(fetch).toHaveTextContent("1.2 s");
    expect(screen.queryByRole("button", { name: /^Step / })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add a step here" })).not.toBeInTheDocument();
    expect(document.querySelector(`[data-id="${laneId("decide", "default")}"] .flow-group`)).toHaveAttribute("data-chosen", "false");
    // Its step fades with it; the chosen branch's does not.
    expect(screen.getByRole("radio", { name: "Step nothing" }).closest(".flow-node")).toHaveAttribute("data-dimmed");
    expect(screen.getByRole("radio", { name: "Step approve" }).closest(".flow-node")).not.toHaveAttribute("data-dimmed");

    expect(screen.getByText("iteration 2 of 3")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Next iteration of score" }));
    expect(onNodeAction).toHaveBeenLastCalledWith({ type: "iteration", id: "score", iteration: 2 });
    fireEvent.click(screen.getByRole("button", { name: "Previous iteration of score" }));
    expect(onNodeAction).toHaveBeenLastCalledWith({ type: "iteration", id: "score", iteration: 0 });
  });
});
