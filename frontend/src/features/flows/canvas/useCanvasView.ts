/**
 * The canvas's two effects: laying the graph out when its shape changes, and keeping the
 * view useful as the flow changes under it.
 *
 * The view: each new layout is fitted (a step added at the bottom stays on screen) while
 * the whole flow fits at a legible zoom and the user has not panned or zoomed themselves.
 * A flow too big for that opens at its top, at a readable zoom; after that, and once the
 * user has moved, an edit only brings the selected node into view (the page selects what it
 * just inserted). The "fit view" control hands the view back to the fitting.
 */
import { useReactFlow, type Viewport } from "@xyflow/react";
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from "react";
import type { FlowGraph } from "../model/graph";
import { layoutGraph, layoutKey, type LaidOutGraph } from "../model/layout";
import { absoluteBoxes, selectionId } from "./toReactFlow";

// By declared sizes (includeHiddenNodes): nodes React Flow has not measured yet count too.
export const FIT = { padding: 0.12, maxZoom: 1, includeHiddenNodes: true };
/** Below this zoom a fitted flow is too small to read (or click): show its top instead. */
const MIN_FIT_ZOOM = 0.25;
const TOP_ZOOM = 0.75;
const TOP_MARGIN = 24;

/** The latest layout of `graph`'s shape; null until the first one is ready. */
export function useLayout(graph: FlowGraph): { laid: LaidOutGraph | null; error: string | null } {
  const key = useMemo(() => layoutKey(graph), [graph]);
  const latest = useRef(graph);
  useLayoutEffect(() => {
    latest.current = graph;
  });
  const [state, setState] = useState<{ laid: LaidOutGraph | null; error: string | null }>({ laid: null, error: null });
  useEffect(() => {
    // A slower layout of an older shape must not land after a newer one.
    let current = true;
    layoutGraph(latest.current).then(
      (laid) => current && setState({ laid, error: null }),
      (cause: unknown) => {
        const error = cause instanceof Error ? cause.message : String(cause);
        if (current) setState((s) => ({ ...s, error }));
      },
    );
    return () => {
      current = false;
    };
  }, [key]);
  return state;
}

export interface ViewHandlers {
  onMoveStart: (event: MouseEvent | TouchEvent | null, viewport: Viewport) => void;
  onMoveEnd: (event: MouseEvent | TouchEvent | null, viewport: Viewport) => void;
  onFitView: () => void;
}

export function useCanvasView(
  laid: LaidOutGraph | null,
  selected: string | null,
  container: RefObject<HTMLElement | null>,
): ViewHandlers {
  const flow = useReactFlow();
  const userMoved = useRef(false);
  const moveFrom = useRef<Viewport | null>(null);
  const placed = useRef(false);
  const latestSelected = useRef(selected);
  useLayoutEffect(() => {
    latestSelected.current = selected;
  });

  useEffect(() => {
    if (laid === null) return;
    const first = !placed.current;
    placed.current = true;
    const { width, height } = container.current?.getBoundingClientRect() ?? { width: 0, height: 0 };
    const grow = 1 + 2 * FIT.padding;
    const fitZoom = Math.min(width / (laid.width * grow), height / (laid.height * grow), FIT.maxZoom);
    // React Flow has the new nodes by now (its store updates in a child's effect, run first).
    if (!userMoved.current && fitZoom >= MIN_FIT_ZOOM) {
      void flow.fitView(FIT);
    } else if (first) {
      void flow.setViewport({ x: width / 2 - (laid.width / 2) * TOP_ZOOM, y: TOP_MARGIN, zoom: TOP_ZOOM });
    } else {
      reveal(laid, latestSelected.current);
    }

    function reveal(graph: LaidOutGraph, id: string | null) {
      const node = id === null ? undefined : graph.nodes.find((n) => selectionId(n.node) === id);
      const box = node && absoluteBoxes(graph).get(node.id);
      if (!box) return;
      const { x, y, zoom } = flow.getViewport();
      const left = box.x * zoom + x;
      const top = box.y * zoom + y;
      const inside = left >= 0 && top >= 0 && left + box.width * zoom <= width && top + box.height * zoom <= height;
      // A group taller than the view is brought in by its top.
      const centerY = box.y + Math.min(box.height, height / zoom) / 2;
      if (!inside) void flow.setCenter(box.x + box.width / 2, centerY, { zoom });
    }
  }, [laid, flow, container]);

  return useMemo<ViewHandlers>(
    () => ({
      // A user's pan or zoom has an event (the canvas's own moves have none); a click on the
      // pane starts a "move" too, but one that ends where it began.
      onMoveStart: (event, viewport) => {
        moveFrom.current = event ? viewport : null;
      },
      onMoveEnd: (event, viewport) => {
        const from = moveFrom.current;
        if (event && from && (from.x !== viewport.x || from.y !== viewport.y || from.zoom !== viewport.zoom)) {
          userMoved.current = true;
        }
      },
      onFitView: () => {
        userMoved.current = false;
      },
    }),
    [],
  );
}
