/**
 * The laid-out graph as React Flow nodes and edges. Pure, with a cache: a node whose box,
 * graph node, selection and status are what they were keeps its object, so React Flow and the
 * memoised node components skip it (a selection re-renders two nodes, not the whole flow).
 */
import { MarkerType, Position as Side, type Edge, type Node, type NodeHandle } from "@xyflow/react";
import { INPUT_ID, type FlowGraph, type GraphNode } from "../model/graph";
import type { Position } from "../model/types";
import { GEOMETRY, isGroupNode, type LaidOutGraph } from "../model/layout";
import type { CanvasEdgeData, CanvasMode, CanvasNodeData, NodeRunStatus } from "./types";

export type CanvasNode = Node<CanvasNodeData>;

const ARROW = { type: MarkerType.ArrowClosed, width: 14, height: 14 };
export type CanvasEdge = Edge<CanvasEdgeData>;

/** How far above a group's bottom its body's last edge ends. */
export const BODY_END_INSET = 8;

export const NODE_TYPES = { input: "flowInput", end: "flowEnd", step: "flowStep", group: "flowGroup" } as const;

export interface ViewState {
  mode: CanvasMode;
  selected: string | null;
  statuses?: Record<string, NodeRunStatus>;
  actions: boolean;
}

/** What selecting the node selects: its module, or the inputs. */
export function selectionId(node: GraphNode): string | null {
  if (node.kind === "input") return INPUT_ID;
  return node.moduleId ?? null;
}

function typeOf(node: GraphNode): string {
  if (node.kind === "input") return NODE_TYPES.input;
  if (node.kind === "end") return NODE_TYPES.end;
  return isGroupNode(node) ? NODE_TYPES.group : NODE_TYPES.step;
}

// Handles 1 px wide, placed so that React Flow's anchor point is the exact middle of a side:
// the same points the DOM handles in nodes.tsx sit on, for the paint before measuring (and jsdom).
function handlesOf(node: GraphNode, width: number, height: number): NodeHandle[] {
  const x = width / 2 - 0.5;
  const top: NodeHandle = { id: "in", type: "target", position: Side.Top, x, y: 0, width: 1, height: 1 };
  const bottom: NodeHandle = {
    id: "out",
    type: "source",
    position: Side.Bottom,
    x,
    y: height - 1,
    width: 1,
    height: 1,
  };
  if (node.kind === "input") return [bottom];
  if (node.kind === "end") return [top];
  if (!isGroupNode(node)) return [top, bottom];
  return [
    top,
    bottom,
    { id: "body-start", type: "source", position: Side.Bottom, x, y: GEOMETRY.groupTitle - 1, width: 1, height: 1 },
    { id: "body-end", type: "target", position: Side.Top, x, y: height - BODY_END_INSET, width: 1, height: 1 },
  ];
}

function statusOf(node: GraphNode, statuses: Record<string, NodeRunStatus> | undefined): NodeRunStatus | undefined {
  if (statuses === undefined) return undefined;
  return statuses[node.kind === "lane" || node.moduleId === undefined ? node.id : node.moduleId];
}

/**
 * Run mode: the lanes of branches a run did not take, and everything inside them (drawn
 * faded; child nodes are not inside their lane's DOM, so each is faded on its own).
 */
export function notTaken(graph: FlowGraph, view: ViewState): Set<string> {
  const out = new Set<string>();
  if (view.mode !== "run" || view.statuses === undefined) return out;
  // Parents come before their children in graph.nodes.
  for (const node of graph.nodes) {
    const unchosen = node.kind === "lane" && view.statuses[node.id]?.chosen === false;
    if (unchosen || (node.parentId !== undefined && out.has(node.parentId))) out.add(node.id);
  }
  return out;
}

export type NodeCache = Map<string, { signature: string; node: CanvasNode }>;

/** React Flow nodes for what `laid` placed, drawn from the current `graph` (labels may be newer). */
export function buildNodes(laid: LaidOutGraph, graph: FlowGraph, view: ViewState, cache: NodeCache): CanvasNode[] {
  const current = new Map(graph.nodes.map((n) => [n.id, n]));
  const faded = notTaken(graph, view);
  const out: CanvasNode[] = [];
  const seen = new Set<string>();
  for (const box of laid.nodes) {
    const node = current.get(box.id);
    // A node the graph no longer has (a layout for the new shape is on its way) is left out,
    // and so are its children: React Flow wants every parent present.
    if (node === undefined || (box.parentId !== undefined && !seen.has(box.parentId))) continue;
    seen.add(box.id);
    const status = view.mode === "run" ? statusOf(node, view.statuses) : undefined;
    const selected = view.selected !== null && selectionId(node) === view.selected;
    const dimmed = faded.has(node.id);
    const signature = JSON.stringify([box, node, selected, status, dimmed, view.mode, view.actions]);
    const cached = cache.get(box.id);
    if (cached?.signature === signature) {
      out.push(cached.node);
      continue;
    }
    const rfNode: CanvasNode = {
      id: box.id,
      type: typeOf(node),
      position: { x: box.x, y: box.y },
      width: box.width,
      height: box.height,
      handles: handlesOf(node, box.width, box.height),
      data: { node, mode: view.mode, selected, status, dimmed, actions: view.actions },
      // A module drags to a new place in its own sequence (edit mode, with node actions on).
      draggable: view.mode === "edit" && view.actions && isModule(node),
      selectable: false,
      connectable: false,
      deletable: false,
      ...(box.parentId !== undefined ? { parentId: box.parentId } : {}),
    };
    cache.set(box.id, { signature, node: rfNode });
    out.push(rfNode);
  }
  for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id);
  return out;
}

/** React Flow edges between the rendered nodes, from a group's inside handles where the graph says. */
export function buildEdges(graph: FlowGraph, rendered: ReadonlySet<string>, view: ViewState): CanvasEdge[] {
  const lanes = new Set(graph.nodes.filter((n) => n.kind === "lane").map((n) => n.id));
  const faded = notTaken(graph, view);
  return graph.edges
    .filter((e) => rendered.has(e.source) && rendered.has(e.target))
    .map((e): CanvasEdge => {
      // A lane's fan-out edges and the edges inside a branch not taken fade with it.
      const dim = faded.has(e.source) || faded.has(e.target);
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourceInside ? "body-start" : "out",
        targetHandle: e.targetInside ? "body-end" : "in",
        type: "flow",
        data: { ...(e.insert ? { insert: e.insert } : {}), mode: view.mode, dim },
        selectable: false,
        focusable: false,
        deletable: false,
        // Over the group it runs inside of (React Flow raises only edges between child nodes).
        ...(e.sourceInside || e.targetInside ? { zIndex: 1 } : {}),
        // No arrowhead where the edge ends at a group's inside bottom or fans out to a lane.
        ...(e.targetInside || lanes.has(e.target) ? {} : { markerEnd: ARROW }),
        domAttributes: { "aria-hidden": true },
      };
    });
}

export interface InsertPoint {
  /** The edge's id. */
  id: string;
  /** The middle of the edge, in flow coordinates (where React Flow draws its label). */
  x: number;
  y: number;
  insert: Position;
}

/**
 * Where the "+" of each edge that takes a step goes, in the graph's edge order (document
 * order). Computed from the layout and the handles' places (handlesOf), so the buttons can be
 * one list in that order: edge labels portalled edge by edge end up in mount order instead.
 */
export function insertPoints(laid: LaidOutGraph, graph: FlowGraph, rendered: ReadonlySet<string>): InsertPoint[] {
  const absolute = absoluteBoxes(laid);
  const out: InsertPoint[] = [];
  for (const edge of graph.edges) {
    const from = absolute.get(edge.source);
    const to = absolute.get(edge.target);
    if (!edge.insert || !from || !to || !rendered.has(edge.source) || !rendered.has(edge.target)) continue;
    const sourceY = from.y + (edge.sourceInside ? GEOMETRY.groupTitle : from.height);
    const targetY = to.y + (edge.targetInside ? to.height - BODY_END_INSET : 0);
    out.push({
      id: edge.id,
      x: (from.x + from.width / 2 + to.x + to.width / 2) / 2,
      y: (sourceY + targetY) / 2,
      insert: edge.insert,
    });
  }
  return out;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every node's box in flow coordinates (the layout's are relative to their parent group). */
export function absoluteBoxes(laid: LaidOutGraph): Map<string, Box> {
  const absolute = new Map<string, Box>();
  for (const box of laid.nodes) {
    const parent = box.parentId === undefined ? undefined : absolute.get(box.parentId);
    const { width, height } = box;
    absolute.set(box.id, { x: box.x + (parent?.x ?? 0), y: box.y + (parent?.y ?? 0), width, height });
  }
  return absolute;
}

/** Nodes that are modules of a sequence (not the inputs, the end, a lane or the failure slot). */
export function isModule(node: GraphNode): boolean {
  return node.moduleId !== undefined && (node.kind === "step" || node.kind === "loop" || node.kind === "branches");
}

/**
 * Where a module dropped at `top` (its new y, in its parent's coordinates) goes in its own
 * list: an insertion index counted in the list as it is (moveModule's convention). Siblings are
 * the modules drawn in the same group, in their laid-out order.
 */
export function dropIndex(laid: LaidOutGraph, id: string, top: number): number | null {
  const self = laid.nodes.find((box) => box.id === id);
  if (self === undefined || !isModule(self.node)) return null;
  const siblings = laid.nodes
    .filter((box) => box.parentId === self.parentId && isModule(box.node))
    .sort((a, b) => a.y - b.y);
  const from = siblings.findIndex((box) => box.id === id);
  const centre = top + self.height / 2;
  const before = siblings.filter((box) => box.id !== id && box.y + box.height / 2 < centre).length;
  // Past its own place, an insertion index counts the module itself too.
  return before >= from ? before + 1 : before;
}
