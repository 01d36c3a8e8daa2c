/**
 * What the canvas takes and gives, apart from the graph itself (model/graph.ts).
 */
import type { FlowGraph, GraphNode } from "../model/graph";
import type { Position } from "../model/types";

/** A node's run state in run mode (keyed by module id; lanes by their lane id). */
export interface NodeRunStatus {
  /** A step status: waiting, running, suspended, sleeping, success, failure, skipped, canceled. */
  status: string;
  duration_ms?: number | null;
  /** A loop's iterations started so far. */
  iterations?: number;
  /** The iteration whose steps the loop's body shows (0-based). */
  iteration?: number;
  /** A lane: whether its branch ran (false dims it: another branch was chosen). */
  chosen?: boolean;
}

/** What a node's own buttons ask for (only shown when `onNodeAction` is given). */
export type NodeAction =
  | { type: "delete"; id: string }
  | { type: "copy"; id: string }
  /** Edit mode: module `id` was dragged to place `index` of its own list (an insertion index). */
  | { type: "move"; id: string; index: number }
  /** Run mode: show iteration `iteration` of loop `id`. */
  | { type: "iteration"; id: string; iteration: number };

export type CanvasMode = "edit" | "run";

export interface FlowCanvasProps {
  graph: FlowGraph;
  mode: CanvasMode;
  /** A module id or "flow:input". */
  selected?: string | null;
  /** A module id (the failure node gives its module's), "flow:input", or null (the pane). */
  onSelect?: (id: string | null) => void;
  /** Edit mode: a "+" on an edge was pressed; `anchorRect` is that button's box on the page. */
  onInsert?: (position: Position, anchorRect: DOMRect) => void;
  statuses?: Record<string, NodeRunStatus>;
  onNodeAction?: (action: NodeAction) => void;
  className?: string;
  /** The canvas region's name for assistive technology. */
  label?: string;
}

/** The data each React Flow node carries: the graph node and how to draw it now. */
export interface CanvasNodeData {
  node: GraphNode;
  mode: CanvasMode;
  selected: boolean;
  status?: NodeRunStatus;
  /** Run mode: in a branch the run did not take. */
  dimmed: boolean;
  /** Show the node's own buttons (copy, delete) when selected. */
  actions: boolean;
  [key: string]: unknown;
}

export interface CanvasEdgeData {
  insert?: Position;
  mode: CanvasMode;
  /** Run mode: the edge leads into or out of a branch that was not chosen. */
  dim: boolean;
  [key: string]: unknown;
}
