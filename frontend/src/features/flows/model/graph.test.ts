import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { findModule, insertModule } from "./edits";
import { bigFlow, kitchenSink, ORDER_DIGEST_YAML } from "./fixtures.testing";
import { END_ID, FAILURE_ID_FALLBACK, INPUT_ID, laneId, specToGraph, type FlowGraph } from "./graph";
import { getList } from "./lists";
import { specFromGraph } from "./specFromGraph";
import type { FlowDocument, FlowModule } from "./types";

const orderDigest = (): FlowDocument => parse(ORDER_DIGEST_YAML) as FlowDocument;

function node(graph: FlowGraph, id: string) {
  const found = graph.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

const step = (id: string): FlowModule => ({ id, value: { type: "identity" } });

describe("specToGraph", () => {
  it("projects the order digest: inputs, steps, a loop group, a branch group with lanes, the end, the failure", () => {
    const graph = specToGraph(orderDigest());
    expect(graph.nodes.map((n) => [n.id, n.kind, n.parentId ?? null])).toEqual([
      [INPUT_ID, "input", null],
      ["fetch", "step", null],
      ["score", "loop", null],
      ["score_one", "step", "score"],
      ["decide", "branches", null],
      [laneId("decide", 0), "lane", "decide"],
      ["approve", "step", laneId("decide", 0)],
      [laneId("decide", "default"), "lane", "decide"],
      ["nothing", "step", laneId("decide", "default")],
      ["send", "step", null],
      [END_ID, "end", null],
      ["failure", "failure", null],
    ]);
    expect(node(graph, "approve")).toMatchObject({ moduleKind: "approval", label: "Ask for approval" });
    expect(node(graph, "fetch")).toMatchObject({ moduleKind: "rawscript", label: "Fetch orders", detail: "python3" });
    expect(node(graph, laneId("decide", 0))).toMatchObject({ label: "Some big orders", lane: { module: "decide", branch: 0 } });
    expect(node(graph, laneId("decide", "default"))).toMatchObject({ label: "Default", lane: { module: "decide", branch: "default" } });
    expect(node(graph, "failure")).toMatchObject({ moduleId: "failure", moduleKind: "rawscript" });
    expect(node(graph, INPUT_ID).detail).toBe("count, threshold");
  });

  it("puts an insert position on every edge of a sequence, from the start of a list to its end", () => {
    const graph = specToGraph(orderDigest());
    const inserts = graph.edges.filter((e) => e.insert).map((e) => [e.source, e.target, e.insert]);
    expect(inserts).toEqual([
      [INPUT_ID, "fetch", { list: [], index: 0 }],
      ["fetch", "score", { list: [], index: 1 }],
      ["score", "score_one", { list: [{ module: "score", list: "modules" }], index: 0 }],
      ["score_one", "score", { list: [{ module: "score", list: "modules" }], index: 1 }],
      ["score", "decide", { list: [], index: 2 }],
      [laneId("decide", 0), "approve", { list: [{ module: "decide", list: "branch", branch: 0 }], index: 0 }],
      ["approve", laneId("decide", 0), { list: [{ module: "decide", list: "branch", branch: 0 }], index: 1 }],
      [laneId("decide", "default"), "nothing", { list: [{ module: "decide", list: "default" }], index: 0 }],
      ["nothing", laneId("decide", "default"), { list: [{ module: "decide", list: "default" }], index: 1 }],
      ["decide", "send", { list: [], index: 3 }],
      ["send", END_ID, { list: [], index: 4 }],
    ]);
    // Into and out of a group's inside; the lanes' fan-out edges take no step.
    expect(graph.edges.find((e) => e.source === "score" && e.target === "score_one")).toMatchObject({ sourceInside: true });
    expect(graph.edges.find((e) => e.source === "decide" && e.target === laneId("decide", 0))).toEqual({
      id: `decide:body->${laneId("decide", 0)}`,
      source: "decide",
      target: laneId("decide", 0),
      sourceInside: true,
    });
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
  });

  it("gives an empty flow, an empty loop body and an empty branch an edge to add the first step on", () => {
    expect(specToGraph({ value: { modules: [] } }).edges).toEqual([
      { id: `${INPUT_ID}->${END_ID}`, source: INPUT_ID, target: END_ID, insert: { list: [], index: 0 } },
    ]);
    const graph = specToGraph(kitchenSink());
    expect(graph.edges.filter((e) => e.source === "empty_loop" && e.target === "empty_loop")).toEqual([
      {
        id: "empty_loop:body->empty_loop:body",
        source: "empty_loop",
        target: "empty_loop",
        insert: { list: [{ module: "outer", list: "modules" }, { module: "empty_loop", list: "modules" }], index: 0 },
        sourceInside: true,
        targetInside: true,
      },
    ]);
    const lane = laneId("pick", 1);
    expect(graph.edges.find((e) => e.source === lane && e.target === lane)?.insert).toEqual({
      list: [{ module: "pick", list: "branch", branch: 1 }],
      index: 0,
    });
  });

  it("inserts a step exactly where each edge says", () => {
    const doc = kitchenSink();
    for (const edge of specToGraph(doc).edges) {
      if (!edge.insert) continue;
      const next = insertModule(doc, edge.insert, step("added"));
      expect(findModule(next, "added")?.position, edge.id).toEqual(edge.insert);
      expect(getList(next, edge.insert.list)?.length).toBe((getList(doc, edge.insert.list)?.length ?? 0) + 1);
    }
  });

  it("names the failure node apart when a step of the sequence is called `failure`", () => {
    const doc: FlowDocument = { value: { modules: [step("failure")], failure_module: step("alert") } };
    const graph = specToGraph(doc);
    expect(node(graph, FAILURE_ID_FALLBACK)).toMatchObject({ kind: "failure", moduleId: "alert" });
    expect(node(graph, "failure")).toMatchObject({ kind: "step", moduleId: "failure" });
  });

  it("draws a failure module that is a loop with its body inside", () => {
    const doc: FlowDocument = {
      value: {
        modules: [],
        failure_module: { id: "retry_all", value: { type: "whileloopflow", modules: [step("again")] } },
      },
    };
    const graph = specToGraph(doc);
    expect(node(graph, "again")).toMatchObject({ parentId: "failure" });
    expect(graph.edges.find((e) => e.target === "again")?.insert).toEqual({
      list: [{ module: "retry_all", list: "modules" }],
      index: 0,
    });
  });
});

describe("specFromGraph", () => {
  const docs: [string, () => FlowDocument][] = [
    ["the order digest example", orderDigest],
    ["every module kind, nested loops and branches", kitchenSink],
    ["a 200-step flow", () => bigFlow(200)],
    ["an empty flow", () => ({ summary: "", value: { modules: [] } })],
    [
      "a failure module that is a branch",
      () => ({
        value: {
          modules: [step("a")],
          failure_module: {
            id: "f",
            value: { type: "branchone", branches: [{ expr: "true", modules: [step("b")] }], default: [step("c")] },
          },
        },
      }),
    ],
  ];

  it.each(docs)("recovers %s from its graph", (_name, make) => {
    const doc = make();
    expect(specFromGraph(specToGraph(doc), doc)).toEqual(doc);
  });

  it("rebuilds the order from the graph, not from the document", () => {
    const doc = orderDigest();
    const graph = specToGraph(doc);
    // Swap fetch and send in the graph: the recovered document follows the graph.
    const nodes = graph.nodes.slice();
    const fetch = nodes.findIndex((n) => n.id === "fetch");
    const send = nodes.findIndex((n) => n.id === "send");
    [nodes[fetch], nodes[send]] = [nodes[send]!, nodes[fetch]!];
    const recovered = specFromGraph({ ...graph, nodes }, doc);
    expect(recovered.value.modules.map((m) => m.id)).toEqual(["send", "score", "decide", "fetch"]);
  });
});
