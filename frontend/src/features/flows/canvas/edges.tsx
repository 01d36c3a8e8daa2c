/**
 * The canvas's one edge type: a rounded step line (dimmed in a branch a run did not take).
 * The "+" that inserts a step on an edge is not drawn here but by InsertButtons, as one list
 * in document order.
 */
import { BaseEdge, getSmoothStepPath, type EdgeProps, type EdgeTypes } from "@xyflow/react";
import { memo } from "react";
import type { CanvasEdge } from "./toReactFlow";

function FlowEdgeView(props: EdgeProps<CanvasEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd } = props;
  const [path] = getSmoothStepPath({
    sourceX,
    sourceY,
    sourcePosition,
    targetX,
    targetY,
    targetPosition,
    borderRadius: 8,
    // A short first and last leg: a merge into a group's bottom has little room to turn in.
    offset: 12,
  });
  const className = data?.dim ? "flow-edge flow-edge-dim" : "flow-edge";
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} className={className} />;
}

export const EDGE_COMPONENTS: EdgeTypes = { flow: memo(FlowEdgeView) };
