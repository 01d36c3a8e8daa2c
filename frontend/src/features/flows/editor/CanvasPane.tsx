import { lazy, Suspense, useMemo, useState, type KeyboardEvent } from "react";
import { Loading } from "../../../components/Loading";
import { eventStep, isTypingTarget } from "../../shortcuts/keys";
import type { NodeAction } from "../canvas/types";
import { dependentsOf, findModule, insertModule, moveModule, removeModule } from "../model/edits";
import { specToGraph } from "../model/graph";
import { useFlowEditor } from "../model/store";
import type { FlowModule, Position } from "../model/types";
import { DeleteStepDialog } from "./DeleteStepDialog";
import { pastePosition } from "./paste";
import { useApply } from "./useEdit";

// React Flow and elk are most of the canvas's weight: they load with the canvas, not the app.
const FlowCanvas = lazy(() => import("../canvas/FlowCanvas").then((m) => ({ default: m.FlowCanvas })));
const Palette = lazy(() => import("../canvas/Palette").then((m) => ({ default: m.Palette })));

interface Insertion {
  position: Position;
  /** Where the "+" that asked was, so the palette opens next to it. */
  anchor: { top: number; left: number };
}

/** The graph of the document; "+" opens the palette, Mod+C / Mod+V copy and paste steps. */
export function CanvasPane({ workspaceId }: { workspaceId: string }) {
  const doc = useFlowEditor((s) => s.doc);
  const selected = useFlowEditor((s) => s.selected);
  const select = useFlowEditor((s) => s.select);
  const copy = useFlowEditor((s) => s.copy);
  const paste = useFlowEditor((s) => s.paste);
  const apply = useApply();
  const graph = useMemo(() => specToGraph(doc), [doc]);
  const [insertion, setInsertion] = useState<Insertion | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);

  const pick = (module: FlowModule) => {
    if (insertion === null) return;
    const { position } = insertion;
    apply((d) => insertModule(d, position, module));
    select(module.id);
    setInsertion(null);
  };

  // A step dragged to another place of its own sequence; dropped where it was, nothing changes.
  const move = (id: string, index: number) => {
    const found = findModule(doc, id);
    if (found === null) return;
    const to = { list: found.position.list, index };
    if (moveModule(doc, id, to) !== doc) apply((d) => moveModule(d, id, to));
  };

  // Only while the canvas has focus: in a field, Mod+C and Mod+V copy and paste text.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isTypingTarget(event.target)) return;
    const step = eventStep(event.nativeEvent);
    if (step === "Mod+c" && selected !== null && findModule(doc, selected) !== null) {
      event.preventDefault();
      copy(selected);
    } else if (step === "Mod+v") {
      event.preventDefault();
      paste(pastePosition(doc, selected));
    }
  };

  return (
    // Focusable, so a click on the graph gives it the keyboard (Mod+C / Mod+V below).
    <div className="flow-canvas-pane" data-testid="canvas-pane" tabIndex={0} onKeyDown={onKeyDown}>
      <Suspense fallback={<Loading label="Loading the canvas…" />}>
        <FlowCanvas
          graph={graph}
          mode="edit"
          selected={selected}
          onSelect={select}
          onInsert={(position: Position, rect: DOMRect) => setInsertion({ position, anchor: paletteAnchor(rect) })}
          onNodeAction={(action: NodeAction) => {
            if (action.type === "copy") copy(action.id);
            else if (action.type === "delete") setDeleting(action.id);
            else if (action.type === "move") move(action.id, action.index);
          }}
        />
        {insertion !== null && (
          <div
            className="flow-palette-popover"
            style={{ top: insertion.anchor.top, left: insertion.anchor.left }}
            data-testid="palette-popover"
          >
            <Palette workspaceId={workspaceId} onPick={pick} onClose={() => setInsertion(null)} />
          </div>
        )}
      </Suspense>
      {deleting !== null && (
        <DeleteStepDialog
          id={deleting}
          dependents={dependentsOf(doc, deleting)}
          onClose={() => setDeleting(null)}
          onConfirm={() => {
            apply((d) => removeModule(d, deleting));
            setDeleting(null);
          }}
        />
      )}
    </div>
  );
}

/** Below the "+", but kept inside the window: the popover is fixed (max 60vh high, ~320px wide),
 * so one opened low on the page would otherwise hang off the bottom, out of reach. */
function paletteAnchor(rect: DOMRect): { top: number; left: number } {
  const maxHeight = window.innerHeight * 0.6;
  return {
    top: Math.max(8, Math.min(rect.bottom, window.innerHeight - maxHeight - 8)),
    left: Math.max(8, Math.min(rect.left, window.innerWidth - 336)),
  };
}
