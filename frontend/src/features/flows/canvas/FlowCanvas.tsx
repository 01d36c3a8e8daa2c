/**
 * The flow as a graph on a pannable, zoomable canvas (React Flow), laid out by ELK. It draws
 * a FlowGraph and reports what the user asks for (select, insert, node actions); it never
 * edits anything itself. The layout runs again only when the graph's shape changes.
 *
 * This module pulls in React Flow and elkjs: import it lazily (React.lazy), never from a
 * module of the main chunk.
 */
import "@xyflow/react/dist/style.css";
import "./canvas.css";
import { Controls, MiniMap, ReactFlow, ReactFlowProvider, type NodeChange, type XYPosition } from "@xyflow/react";
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { CanvasActionsContext, type CanvasActions } from "./actions";
import { EDGE_COMPONENTS } from "./edges";
import { NODE_COMPONENTS } from "./nodes";
import { InsertButtons } from "./InsertButtons";
import {
  buildEdges,
  buildNodes,
  dropIndex,
  insertPoints,
  type CanvasNode,
  type NodeCache,
  type ViewState,
} from "./toReactFlow";
import type { FlowCanvasProps } from "./types";
import { FIT, useCanvasView, useLayout } from "./useCanvasView";

export type { FlowCanvasProps, NodeAction, NodeRunStatus } from "./types";

function ignoreNodeClick(): void {}

/** Past this many nodes a minimap helps find one's way. */
const MINIMAP_FROM = 40;

export function FlowCanvas(props: FlowCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas(props: FlowCanvasProps) {
  const { graph, mode, selected = null, onSelect, onInsert, statuses, onNodeAction, className, label } = props;
  const { laid, error } = useLayout(graph);
  const container = useRef<HTMLDivElement>(null);
  const viewHandlers = useCanvasView(laid, selected, container);

  // Stable callbacks reading the latest props: see actions.ts.
  const handlers = useRef({ onSelect, onInsert, onNodeAction });
  useLayoutEffect(() => {
    handlers.current = { onSelect, onInsert, onNodeAction };
  });
  const actions = useMemo<CanvasActions>(
    () => ({
      select: (id) => handlers.current.onSelect?.(id),
      insert: (position, anchor) => handlers.current.onInsert?.(position, anchor),
      act: (action) => handlers.current.onNodeAction?.(action),
    }),
    [],
  );

  const cache = useRef<NodeCache>(new Map());
  const actionable = onNodeAction !== undefined;
  const view = useMemo<ViewState>(
    () => ({ mode, selected, statuses, actions: actionable }),
    [mode, selected, statuses, actionable],
  );
  const built = useMemo(() => (laid ? buildNodes(laid, graph, view, cache.current) : []), [laid, graph, view]);
  // A node being dragged follows the pointer; on drop it snaps back to the layout, which the
  // move (an edit of the document) then changes.
  const [drag, setDrag] = useState<{ id: string; position: XYPosition } | null>(null);
  const nodes = useMemo<CanvasNode[]>(
    () => (drag ? built.map((n) => (n.id === drag.id ? { ...n, position: drag.position } : n)) : built),
    [built, drag],
  );
  function onNodesChange(changes: NodeChange<CanvasNode>[]) {
    for (const change of changes) {
      if (change.type === "position" && change.dragging && change.position) {
        setDrag({ id: change.id, position: change.position });
      }
    }
  }
  function onNodeDragStop(_: unknown, node: CanvasNode) {
    setDrag(null);
    const index = laid ? dropIndex(laid, node.id, node.position.y) : null;
    if (index !== null) actions.act({ type: "move", id: node.id, index });
  }
  const rendered = useMemo(() => new Set(nodes.map((n) => n.id)), [nodes]);
  const edges = useMemo(() => buildEdges(graph, rendered, view), [graph, rendered, view]);
  const insertable = mode === "edit" && onInsert !== undefined;
  const points = useMemo(
    () => (laid && insertable ? insertPoints(laid, graph, rendered) : []),
    [laid, graph, rendered, insertable],
  );

  const run = mode === "run";
  return (
    <CanvasActionsContext.Provider value={actions}>
      <div
        ref={container}
        className={`flow-canvas${className ? ` ${className}` : ""}`}
        data-mode={mode}
        role="region"
        aria-label={label ?? "Flow graph"}
      >
        {laid === null && (
          <p className="flow-canvas-note muted">
            {error ? `The graph could not be laid out: ${error}` : "Laying out the graph…"}
          </p>
        )}
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_COMPONENTS}
          edgeTypes={EDGE_COMPONENTS}
          nodesDraggable={mode === "edit" && actionable}
          nodeDragThreshold={4}
          onNodesChange={onNodesChange}
          onNodeDragStop={onNodeDragStop}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          // No `fitView` here: useCanvasView places the view once the layout is in.
          onMoveStart={viewHandlers.onMoveStart}
          onMoveEnd={viewHandlers.onMoveEnd}
          // On the run page the canvas sits in a scrolling page: the wheel scrolls the page.
          zoomOnScroll={!run}
          preventScrolling={!run}
          onPaneClick={() => actions.select(null)}
          // Selection is the nodes' own business (their "Step <id>" part); a click handler
          // here is what makes React Flow give nodes pointer events at all.
          onNodeClick={ignoreNodeClick}
        >
          <InsertButtons points={points} />
          <Controls showInteractive={false} fitViewOptions={FIT} onFitView={viewHandlers.onFitView} />
          {graph.nodes.length >= MINIMAP_FROM && <MiniMap pannable zoomable ariaLabel="Minimap of the flow" />}
        </ReactFlow>
      </div>
    </CanvasActionsContext.Provider>
  );
}
