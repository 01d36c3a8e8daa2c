/**
 * The canvas's node types, one component each and one registry (NODE_COMPONENTS), all
 * memoised: React Flow re-renders a node only when toReactFlow hands it a new object.
 *
 * A node's pressable part is a button named "Step <id>" in edit mode. In run mode it is a
 * radio ("which step's details are shown"), so that the run page's own buttons (Approve on a
 * step called `approve`, say) stay the only buttons with their names.
 */
import { Handle, Position as Side, type NodeProps, type NodeTypes } from "@xyflow/react";
import "./nodes.css";
import { memo, type KeyboardEvent, type ReactNode } from "react";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatDuration } from "../../../lib/format";
import { GEOMETRY } from "../model/layout";
import { useCanvasActions } from "./actions";
import { kindBadge, kindName } from "./kinds";
import { BODY_END_INSET, NODE_TYPES, selectionId, type CanvasNode } from "./toReactFlow";
import type { CanvasMode, NodeRunStatus } from "./types";

interface PressableProps {
  target: string | null;
  name: string;
  mode: CanvasMode;
  selected: boolean;
  className: string;
  children: ReactNode;
}

function Pressable({ target, name, mode, selected, className, children }: PressableProps) {
  const actions = useCanvasActions();
  const press = () => actions.select(target);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    press();
  };
  const state =
    mode === "run" ? { role: "radio", "aria-checked": selected } : { role: "button", "aria-pressed": selected };
  return (
    <div {...state} tabIndex={0} aria-label={name} className={className} onClick={press} onKeyDown={onKeyDown}>
      {children}
    </div>
  );
}

function RunState({ status }: { status: NodeRunStatus | undefined }) {
  if (status === undefined) return null;
  return (
    <span className="flow-run-state">
      <StatusBadge status={status.status} />
      {status.duration_ms != null && <span className="flow-duration">{formatDuration(status.duration_ms)}</span>}
    </span>
  );
}

/** Copy and delete on the selected node, when the page handles them. */
function NodeToolbar({ id }: { id: string }) {
  const actions = useCanvasActions();
  return (
    <div className="flow-node-toolbar nodrag nopan">
      {(["copy", "delete"] as const).map((type) => (
        <button
          key={type}
          type="button"
          className="flow-icon-button"
          aria-label={`${type === "copy" ? "Copy" : "Delete"} ${id}`}
          onClick={() => actions.act({ type, id })}
        >
          {type === "copy" ? "Copy" : "Delete"}
        </button>
      ))}
    </div>
  );
}

const hidden = { isConnectable: false } as const;
// A group's inside handles: where its body's first edge starts and its last one ends.
const BODY_START = { top: GEOMETRY.groupTitle, bottom: "auto" } as const;
const BODY_END = { top: "auto", bottom: BODY_END_INSET } as const;

function StepNodeView({ data }: NodeProps<CanvasNode>) {
  const { node, mode, selected, status, actions, dimmed } = data;
  const id = node.moduleId ?? node.id;
  const summary = node.label !== id ? node.label : null;
  return (
    <div
      className="flow-node flow-node-step"
      data-dimmed={dimmed || undefined}
      data-kind={node.moduleKind}
      data-failure={node.kind === "failure" || undefined}
      data-status={status?.status}
      data-selected={selected || undefined}
    >
      <Handle type="target" position={Side.Top} id="in" {...hidden} />
      <Pressable target={id} name={`Step ${id}`} mode={mode} selected={selected} className="flow-node-body">
        <div className="flow-node-line">
          <span className="flow-kind" title={kindName(node)}>
            {kindBadge(node)}
          </span>
          <span className="flow-node-id">{id}</span>
          {node.kind === "failure" && <span className="flow-tag flow-tag-failure">on failure</span>}
          {mode === "run" ? (
            <RunState status={status} />
          ) : (
            summary && node.detail && <span className="flow-node-detail">{node.detail}</span>
          )}
        </div>
        <div className="flow-node-summary" title={summary ?? node.detail}>
          {summary ?? <span className="flow-node-detail">{node.detail}</span>}
        </div>
      </Pressable>
      {actions && selected && mode === "edit" && <NodeToolbar id={id} />}
      <Handle type="source" position={Side.Bottom} id="out" {...hidden} />
    </div>
  );
}

function IterationNav({ id, status }: { id: string; status: NodeRunStatus }) {
  const actions = useCanvasActions();
  const count = status.iterations ?? 0;
  if (count === 0) return null;
  const current = Math.min(status.iteration ?? count - 1, count - 1);
  const go = (iteration: number) => actions.act({ type: "iteration", id, iteration });
  return (
    <span className="flow-iterations nodrag nopan" title={`Iteration ${current + 1} of ${count}`}>
      <button
        type="button"
        className="flow-icon-button"
        aria-label={`Previous iteration of ${id}`}
        disabled={current <= 0}
        onClick={() => go(current - 1)}
      >
        ‹
      </button>
      <span aria-hidden="true">
        {current + 1}/{count}
      </span>
      <span className="visually-hidden" aria-live="polite">
        iteration {current + 1} of {count}
      </span>
      <button
        type="button"
        className="flow-icon-button"
        aria-label={`Next iteration of ${id}`}
        disabled={current >= count - 1}
        onClick={() => go(current + 1)}
      >
        ›
      </button>
    </span>
  );
}

function GroupNodeView({ data }: NodeProps<CanvasNode>) {
  const { node, mode, selected, status, actions, dimmed } = data;
  const lane = node.kind === "lane";
  const id = node.moduleId ?? node.id;
  const summary = node.label !== id ? node.label : null;
  return (
    <div
      className="flow-group"
      data-dimmed={dimmed || undefined}
      data-kind={node.kind}
      data-module-kind={node.moduleKind}
      data-status={lane ? undefined : status?.status}
      data-chosen={lane && status?.chosen !== undefined ? String(status.chosen) : undefined}
      data-selected={selected || undefined}
    >
      <Handle type="target" position={Side.Top} id="in" {...hidden} />
      <Handle type="source" position={Side.Bottom} id="body-start" style={BODY_START} {...hidden} />
      {lane ? (
        <div className="flow-group-title flow-lane-title" title={node.label}>
          <span className="flow-lane-label">{node.label}</span>
          {status?.chosen === true && <span className="flow-tag">chosen</span>}
        </div>
      ) : (
        <div className="flow-group-title">
          <Pressable
            target={selectionId(node)}
            name={`Step ${id}`}
            mode={mode}
            selected={selected}
            className="flow-group-button"
          >
            <span className="flow-kind" title={kindName(node)}>
              {kindBadge(node)}
            </span>
            <span className="flow-node-id">{id}</span>
            {node.kind === "failure" && <span className="flow-tag flow-tag-failure">on failure</span>}
            <span className="flow-group-summary" title={summary ?? node.detail}>
              {summary ?? node.detail}
            </span>
          </Pressable>
          {mode === "run" && <RunState status={status} />}
          {actions && selected && mode === "edit" && <NodeToolbar id={id} />}
        </div>
      )}
      {/* In the corner of the body's bottom, clear of the edge down its middle. */}
      {mode === "run" && status && node.kind === "loop" && (
        <div className="flow-group-footer">
          <IterationNav id={id} status={status} />
        </div>
      )}
      <Handle type="target" position={Side.Top} id="body-end" style={BODY_END} {...hidden} />
      <Handle type="source" position={Side.Bottom} id="out" {...hidden} />
    </div>
  );
}

function InputNodeView({ data }: NodeProps<CanvasNode>) {
  const { node, mode, selected } = data;
  return (
    <div className="flow-node flow-node-terminal" data-kind="input" data-selected={selected || undefined}>
      <Pressable
        target={selectionId(node)}
        name="Flow inputs"
        mode={mode}
        selected={selected}
        className="flow-node-body"
      >
        <div className="flow-node-line">
          <span className="flow-kind">in</span>
          <span className="flow-node-title">{node.label}</span>
        </div>
        <div className="flow-node-summary flow-node-muted" title={node.detail}>
          {node.detail}
        </div>
      </Pressable>
      <Handle type="source" position={Side.Bottom} id="out" {...hidden} />
    </div>
  );
}

function EndNodeView({ data }: NodeProps<CanvasNode>) {
  const { node } = data;
  return (
    <div className="flow-node flow-node-end" data-kind="end" title={node.detail}>
      <Handle type="target" position={Side.Top} id="in" {...hidden} />
      {node.label}
    </div>
  );
}

/** Every node type of the canvas; React Flow wants this object to keep its identity. */
export const NODE_COMPONENTS: NodeTypes = {
  [NODE_TYPES.step]: memo(StepNodeView),
  [NODE_TYPES.group]: memo(GroupNodeView),
  [NODE_TYPES.input]: memo(InputNodeView),
  [NODE_TYPES.end]: memo(EndNodeView),
};
