/** The one way the panels change the document: through the store, so undo/redo covers it. */
import { useCallback } from "react";
import { updateModule } from "../model/edits";
import { useFlowEditor } from "../model/store";
import type { FlowDocument, FlowModule } from "../model/types";

export type DocEdit = (doc: FlowDocument) => FlowDocument;

/**
 * `apply(edit, "fetch.summary")`: typing in one field makes one undo step, not one per
 * keystroke (the store merges edits with the same coalesce key that follow each other).
 */
export function useApply(): (edit: DocEdit, coalesce?: string) => void {
  const apply = useFlowEditor((s) => s.apply);
  return useCallback((edit, coalesce) => apply(edit, coalesce === undefined ? {} : { coalesce }), [apply]);
}

/** Edits module `id`; `field` names the undo step (`<id>.<field>`). */
export function useModuleUpdate(id: string): (field: string, update: (module: FlowModule) => FlowModule) => void {
  const apply = useApply();
  return useCallback(
    (field, update) => apply((doc) => updateModule(doc, id, update), `${id}.${field}`),
    [apply, id],
  );
}
