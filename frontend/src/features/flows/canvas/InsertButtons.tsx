/**
 * The "+" on every edge of a sequence (edit mode): one list over the canvas, in the document
 * order of the edges, so the n-th "Add a step here" is the n-th insertion point of the flow
 * however the flow was edited before.
 */
import { ViewportPortal } from "@xyflow/react";
import { memo, type MouseEvent } from "react";
import { useCanvasActions } from "./actions";
import type { InsertPoint } from "./toReactFlow";

export const InsertButtons = memo(function InsertButtons({ points }: { points: InsertPoint[] }) {
  const actions = useCanvasActions();
  return (
    <ViewportPortal>
      {points.map((point) => (
        <button
          key={point.id}
          type="button"
          className="flow-insert nodrag nopan"
          aria-label="Add a step here"
          title="Add a step here"
          style={{ transform: `translate(-50%, -50%) translate(${point.x}px, ${point.y}px)` }}
          onClick={(event: MouseEvent<HTMLButtonElement>) => {
            event.stopPropagation();
            actions.insert(point.insert, event.currentTarget.getBoundingClientRect());
          }}
        >
          +
        </button>
      ))}
    </ViewportPortal>
  );
});
