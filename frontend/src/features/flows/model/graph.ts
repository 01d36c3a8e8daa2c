/**
 * The canvas's graph as a pure projection of the flow document (STYLE.md habit 13): the
 * document stays the only source of truth, and every edit re-derives the graph from it.
 *
 * Loops are group nodes holding their body; a branchone/branchall is a group holding one
 * lane group per branch. A sequence inside a group starts at the group's inside top and
 * ends at its inside bottom (edges with `sourceInside` / `targetInside`), so even an empty
 * body has an edge, and every edge along a sequence carries the Position a step inserted
 * there would take.
 */
import { isContainer } from "./lists";
import type { FlowDocument, FlowModule, ListStep, ModuleKind, Position } from "./types";

export const INPUT_ID = "flow:input";
export const END_ID = "flow:end";
export const FAILURE_ID = "failure";
/** The failure node's id when a module of the sequence is itself called `failure`. */
export const FAILURE_ID_FALLBACK = "flow:failure";

export type GraphNodeKind = "input" | "step" | "loop" | "branches" | "lane" | "end" | "failure";

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  moduleId?: string;
  moduleKind?: ModuleKind | "approval";
  label: string;
  detail?: string;
  parentId?: string;
  lane?: { module: string; branch: number | "default" };
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Where a step inserted on this edge goes; absent on the fan-out edges into and out of lanes. */
  insert?: Position;
  /** The edge leaves from inside its source group (the top of the group's body). */
  sourceInside?: boolean;
  /** The edge ends inside its target group (the bottom of the group's body). */
  targetInside?: boolean;
}

export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function laneId(module: string, branch: number | "default"): string {
  return `lane:${module}:${branch}`;
}

/** The failure node's id in `doc`'s graph ("failure", unless a step of the sequence took it). */
export function failureNodeId(doc: FlowDocument): string {
  return (doc.value.modules ?? []).some((m) => m.id === FAILURE_ID) ? FAILURE_ID_FALLBACK : FAILURE_ID;
}

export function moduleKindOf(module: FlowModule): ModuleKind | "approval" {
  return module.value.type === "identity" && module.suspend ? "approval" : module.value.type;
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

function detailOf(module: FlowModule): string | undefined {
  const value = module.value;
  switch (value.type) {
    case "rawscript":
      return value.language;
    case "script":
      return value.path || (value.hash ? `#${value.hash}` : undefined);
    case "flow":
      return value.path || undefined;
    case "forloopflow": {
      const it = value.iterator;
      const over = it?.type === "javascript" ? it.expr : JSON.stringify(it?.value ?? []);
      return `for each of ${over}${value.parallel ? " · parallel" : ""}`;
    }
    case "whileloopflow":
      return "while no step stops it";
    case "branchone":
      return `first of ${plural(value.branches?.length ?? 0, "branch", "branches")}, else default`;
    case "branchall":
      return `all ${plural(value.branches?.length ?? 0, "branch", "branches")}${value.parallel ? " · parallel" : ""}`;
    case "identity":
      return module.suspend ? plural(module.suspend.required_events ?? 1, "approval") : "passes its input on";
  }
  return undefined;
}

function inputsDetail(doc: FlowDocument): string {
  const properties = doc.schema?.properties;
  const names = properties && typeof properties === "object" ? Object.keys(properties) : [];
  return names.length > 0 ? names.join(", ") : "no inputs";
}

interface Anchor {
  id: string;
  inside: boolean;
}

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];

  edge(from: Anchor, to: Anchor, insert?: Position): void {
    const source = from.inside ? `${from.id}:body` : from.id;
    const target = to.inside ? `${to.id}:body` : to.id;
    this.edges.push({
      id: `${source}->${target}`,
      source: from.id,
      target: to.id,
      ...(insert ? { insert } : {}),
      ...(from.inside ? { sourceInside: true } : {}),
      ...(to.inside ? { targetInside: true } : {}),
    });
  }

  /** `modules` as a chain from `head` to `close`, each edge with its insert position. */
  sequence(modules: FlowModule[], list: ListStep[], parentId: string | undefined, head: Anchor, close: Anchor) {
    let from = head;
    modules.forEach((module, index) => {
      this.edge(from, { id: module.id, inside: false }, { list, index });
      this.module(module, list, parentId, module.id);
      from = { id: module.id, inside: false };
    });
    this.edge(from, close, { list, index: modules.length });
  }

  module(module: FlowModule, list: ListStep[], parentId: string | undefined, nodeId: string, failure = false) {
    const value = module.value;
    const loop = value.type === "forloopflow" || value.type === "whileloopflow";
    const kind = failure ? "failure" : loop ? "loop" : isContainer(module) ? "branches" : "step";
    const detail = detailOf(module);
    this.nodes.push({
      id: nodeId,
      kind,
      moduleId: module.id,
      moduleKind: moduleKindOf(module),
      label: module.summary?.trim() || module.id,
      ...(detail !== undefined ? { detail } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
    });
    const body: Anchor = { id: nodeId, inside: true };
    if (loop) {
      this.sequence(value.modules ?? [], [...list, { module: module.id, list: "modules" }], nodeId, body, body);
    } else if (value.type === "branchone" || value.type === "branchall") {
      (value.branches ?? []).forEach((branch, i) => {
        const label = branch.summary?.trim() || branch.expr?.trim() || `Branch ${i + 1}`;
        const at: ListStep[] = [...list, { module: module.id, list: "branch", branch: i }];
        this.lane(module, nodeId, i, label, at, branch.modules);
      });
      if (value.type === "branchone") {
        const at: ListStep[] = [...list, { module: module.id, list: "default" }];
        this.lane(module, nodeId, "default", "Default", at, value.default);
      }
    }
  }

  lane(
    module: FlowModule,
    groupId: string,
    branch: number | "default",
    label: string,
    list: ListStep[],
    modules: FlowModule[] | undefined,
  ) {
    const id = laneId(module.id, branch);
    this.nodes.push({ id, kind: "lane", label, parentId: groupId, lane: { module: module.id, branch } });
    this.edge({ id: groupId, inside: true }, { id, inside: false });
    this.sequence(modules ?? [], list, id, { id, inside: true }, { id, inside: true });
    this.edge({ id, inside: false }, { id: groupId, inside: true });
  }
}

/** The graph of `doc`: inputs, the modules in order, the end, and the failure module aside. */
export function specToGraph(doc: FlowDocument): FlowGraph {
  const b = new Builder();
  b.nodes.push({ id: INPUT_ID, kind: "input", label: "Inputs", detail: inputsDetail(doc) });
  const end = doc.value.early_return;
  const endNode: GraphNode = { id: END_ID, kind: "end", label: "End" };
  if (end) endNode.detail = `early return: ${end}`;
  b.sequence(doc.value.modules ?? [], [], undefined, { id: INPUT_ID, inside: false }, { id: END_ID, inside: false });
  // The end goes after the modules' nodes: node order is document order (and parents first).
  b.nodes.push(endNode);
  const failure = doc.value.failure_module;
  if (failure) b.module(failure, [], undefined, failureNodeId(doc), true);
  return { nodes: b.nodes, edges: b.edges };
}
