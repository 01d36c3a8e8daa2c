import { deepEqual } from "../model/deepEqual";
import { emptyFlowDocument, isDirty, type FlowEditorState } from "../model/store";

const EMPTY = emptyFlowDocument();

/**
 * Work a reload would lose: changes from the deployed version, or, for a flow never deployed
 * (which the store always counts as dirty, as it must be deployed to run), anything beyond the
 * empty document. An untouched "New flow" neither asks before leaving nor leaves a draft.
 */
export function hasUnsavedWork(s: FlowEditorState): boolean {
  return s.savedDoc === null ? s.path.trim() !== "" || !deepEqual(s.doc, EMPTY) : isDirty(s);
}
