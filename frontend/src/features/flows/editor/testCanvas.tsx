/**
 * Stand-ins for the canvas and palette in jsdom tests (React Flow needs a real layout engine;
 * the browser test covers it): vi.mock("../canvas/FlowCanvas", () => import("./testCanvas")).
 * Each step is a button named by its id, the inputs node is "Flow inputs", and "Insert here"
 * asks to insert at the end of the flow.
 */
import { newModule } from "../model/edits";
import type { FlowGraph } from "../model/graph";
import { useFlowEditor } from "../model/store";
import type { FlowModule, Position } from "../model/types";

interface FakeCanvasProps {
  graph: FlowGraph;
  mode: "edit" | "run";
  selected: string | null;
  onSelect: (id: string | null) => void;
  onInsert: (position: Position, anchor: DOMRect) => void;
}

export function FlowCanvas({ graph, selected, onSelect, onInsert }: FakeCanvasProps) {
  const end = useFlowEditor((s) => s.doc.value.modules.length);
  return (
    <div data-testid="fake-canvas" tabIndex={0}>
      {graph.nodes.map((node) =>
        node.kind === "input" ? (
          <button key={node.id} type="button" onClick={() => onSelect(node.id)}>
            Flow inputs
          </button>
        ) : node.moduleId !== undefined ? (
          <button
            key={node.id}
            type="button"
            aria-pressed={selected === node.moduleId}
            onClick={() => onSelect(node.moduleId ?? null)}
          >
            {node.moduleId}
          </button>
        ) : null,
      )}
      <button type="button" onClick={() => onInsert({ list: [], index: end }, new DOMRect(0, 0, 10, 10))}>
        Insert here
      </button>
    </div>
  );
}

export function Palette({ onPick, onClose }: { workspaceId: string; onPick: (m: FlowModule) => void; onClose: () => void }) {
  const doc = useFlowEditor((s) => s.doc);
  return (
    <div role="menu" aria-label="Palette">
      <button type="button" onClick={() => onPick(newModule("rawscript", doc))}>
        Inline script
      </button>
      <button type="button" onClick={() => onPick(newModule("forloopflow", doc))}>
        For loop
      </button>
      <button type="button" onClick={onClose}>
        Close palette
      </button>
    </div>
  );
}
