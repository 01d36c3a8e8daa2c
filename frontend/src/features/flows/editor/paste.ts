import { findModule } from "../model/edits";
import type { FlowDocument, Position } from "../model/types";

/** Where a paste lands: after the selected step, else at the end of the flow. */
export function pastePosition(doc: FlowDocument, selected: string | null): Position {
  const found = selected === null ? null : findModule(doc, selected);
  if (found !== null) return { list: found.position.list, index: found.position.index + 1 };
  return { list: [], index: doc.value.modules.length };
}
