/**
 * Positions for the graph with ELK's layered algorithm, top to bottom, groups laid out with
 * their insides in one pass (INCLUDE_CHILDREN). Nodes have fixed sizes, so only the graph's
 * shape (layoutKey) decides the layout: a new label or a selection never lays out again.
 *
 * elkjs is imported as its bundled build (no web worker): this module is only reached from
 * the lazily loaded editor and run graph, never from the main chunk.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk.bundled.js";
import { END_ID, type FlowGraph, type GraphEdge, type GraphNode } from "./graph";

/** Sizes and group paddings: the canvas draws nodes and handles with the same numbers. */
export const GEOMETRY = {
  step: { width: 240, height: 56 },
  input: { width: 240, height: 48 },
  end: { width: 160, height: 32 },
  /** A group's title bar; the body starts below it, after room for an edge and its "+". */
  groupTitle: 32,
  groupPadding: { top: 80, side: 20, bottom: 52 },
  /** A lane inside a branches group: a shorter title (the branch predicate). */
  lanePadding: { top: 72, side: 16, bottom: 52 },
  /** An empty group: room for the one edge and its "+". */
  emptyGroup: { width: 240, height: 128 },
  spacing: { between: 48, siblings: 32 },
} as const;

export interface LaidOutNode {
  id: string;
  node: GraphNode;
  /** Relative to the parent group (as React Flow's `parentId` expects), else to the canvas. */
  x: number;
  y: number;
  width: number;
  height: number;
  parentId?: string;
}

export interface LaidOutGraph {
  /** Parents before their children (React Flow needs that order). */
  nodes: LaidOutNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Space between a node and the next one below it. */
  layerSpacing?: number;
}

const GROUP_KINDS: ReadonlySet<string> = new Set(["loop", "branches", "lane"]);
const CONTAINER_MODULES: ReadonlySet<string> = new Set(["forloopflow", "whileloopflow", "branchone", "branchall"]);

/** Whether the node is drawn as a group (a failure module that is a container is one too). */
export function isGroupNode(node: GraphNode): boolean {
  return GROUP_KINDS.has(node.kind) || (node.kind === "failure" && CONTAINER_MODULES.has(node.moduleKind ?? ""));
}

/** The graph's shape: what the layout depends on (ids, kinds, nesting, edges), not labels. */
export function layoutKey(graph: FlowGraph): string {
  const nodes = graph.nodes.map((n) => `${n.id}|${n.kind}|${n.parentId ?? ""}`).join(";");
  const edges = graph.edges.map((e) => e.id).join(";");
  return `${nodes}#${edges}`;
}

function leafSize(node: GraphNode): { width: number; height: number } {
  if (node.kind === "input") return GEOMETRY.input;
  if (node.kind === "end") return GEOMETRY.end;
  if (isGroupNode(node)) return GEOMETRY.emptyGroup;
  return GEOMETRY.step;
}

function padding(node: GraphNode): string {
  const p = node.kind === "lane" ? GEOMETRY.lanePadding : GEOMETRY.groupPadding;
  return `[top=${p.top},left=${p.side},bottom=${p.bottom},right=${p.side}]`;
}

type Box = { x: number; y: number; width: number; height: number };

/**
 * Lanes left to right in branch order (default last). ELK orders the unconnected nodes of a
 * layer as it likes and cannot be told to keep the model's order inside a group, so the row
 * is re-dealt here: same widths and gaps, hence the same group width.
 */
function sortLanes(graph: FlowGraph, byParent: Map<string | undefined, GraphNode[]>, placed: Map<string, Box>): void {
  for (const group of graph.nodes) {
    const lanes = (byParent.get(group.id) ?? []).filter((n) => n.kind === "lane");
    const boxes = lanes.map((lane) => placed.get(lane.id));
    if (lanes.length < 2 || boxes.some((b) => b === undefined)) continue;
    let x = Math.min(...boxes.map((b) => b?.x ?? 0));
    lanes.forEach((lane, i) => {
      const box = boxes[i];
      if (box === undefined) return;
      placed.set(lane.id, { ...box, x });
      x += box.width + GEOMETRY.spacing.siblings;
    });
  }
}

let elk: InstanceType<typeof ELK> | null = null;

export async function layoutGraph(graph: FlowGraph, opts: LayoutOptions = {}): Promise<LaidOutGraph> {
  const byParent = new Map<string | undefined, GraphNode[]>();
  for (const node of graph.nodes) byParent.set(node.parentId, [...(byParent.get(node.parentId) ?? []), node]);
  const parentOf = new Map(graph.nodes.map((n) => [n.id, n.parentId]));

  // Only edges between siblings go to ELK: the edges into and out of a group's inside are
  // drawn from the group's inner handles, which the paddings leave room for.
  const edgesIn = new Map<string | undefined, ElkExtendedEdge[]>();
  const addEdge = (id: string, source: string, target: string) => {
    const parent = parentOf.get(source);
    edgesIn.set(parent, [...(edgesIn.get(parent) ?? []), { id, sources: [source], targets: [target] }]);
  };
  for (const e of graph.edges) if (!e.sourceInside && !e.targetInside) addEdge(e.id, e.source, e.target);
  // The failure module sits below the end (layout only: no edge is drawn).
  const failure = graph.nodes.find((n) => n.kind === "failure");
  if (failure && parentOf.has(END_ID)) addEdge("layout:failure", END_ID, failure.id);

  // Every graph, the root's and each group's: a group's inside does not inherit the root's.
  const common = {
    "elk.layered.spacing.nodeNodeBetweenLayers": String(opts.layerSpacing ?? GEOMETRY.spacing.between),
    "elk.spacing.nodeNode": String(GEOMETRY.spacing.siblings),
    // Lanes have no edges between them: one row, not components packed wherever they fit.
    "elk.separateConnectedComponents": "false",
  };

  const toElk = (node: GraphNode): ElkNode => {
    const children = byParent.get(node.id) ?? [];
    // Lanes of different heights line up at the top of their row.
    const own: Record<string, string> = node.kind === "lane" ? { "elk.alignment": "TOP" } : {};
    if (children.length === 0) return { id: node.id, ...leafSize(node), layoutOptions: own };
    return {
      id: node.id,
      children: children.map(toElk),
      edges: edgesIn.get(node.id) ?? [],
      layoutOptions: { ...common, ...own, "elk.padding": padding(node) },
    };
  };

  const root: ElkNode = {
    id: "root",
    children: (byParent.get(undefined) ?? []).map(toElk),
    edges: edgesIn.get(undefined) ?? [],
    layoutOptions: {
      ...common,
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      // On the root only: in a group's graph this option crashes elkjs 0.12 (see sortLanes).
      "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.nodePlacement.bk.fixedAlignment": "BALANCED",
      "elk.padding": "[top=0,left=0,bottom=0,right=0]",
    },
  };

  elk ??= new ELK();
  const result = await elk.layout(root);

  const placed = new Map<string, Box>();
  const collect = (n: ElkNode) => {
    for (const child of n.children ?? []) {
      placed.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 });
      collect(child);
    }
  };
  collect(result);

  sortLanes(graph, byParent, placed);
  const nodes = graph.nodes.map((node): LaidOutNode => {
    const box = placed.get(node.id) ?? { x: 0, y: 0, ...leafSize(node) };
    return { id: node.id, node, ...box, ...(node.parentId !== undefined ? { parentId: node.parentId } : {}) };
  });
  return { nodes, edges: graph.edges, width: result.width ?? 0, height: result.height ?? 0 };
}
