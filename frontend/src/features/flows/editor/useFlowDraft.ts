import { useCallback, useState } from "react";
import { useDraftWriter } from "../../editor/useDraftWriter";
import { useFlowEditor, useFlowEditorStore } from "../model/store";
import { clearDraft, loadFlowDraft, sameFlow, storeFlowDraft, type FlowDraft } from "./flowDraft";
import { hasUnsavedWork } from "./unsaved";
import { useApply } from "./useEdit";

/**
 * Keeps the editor's document in localStorage while it has unsaved changes (useDraftWriter,
 * like the script editor's useDraft) and offers a draft left by an earlier visit.
 * While the offer is open the old draft is left alone, so nothing is lost before the user decides.
 */
export function useFlowDraft({ draftKey, offer: lookForDraft }: { draftKey: string; offer: boolean }) {
  const store = useFlowEditorStore();
  const apply = useApply();
  const doc = useFlowEditor((s) => s.doc);
  const path = useFlowEditor((s) => s.path);
  const [offer, setOffer] = useState<FlowDraft | null>(() => {
    if (!lookForDraft) return null;
    const draft = loadFlowDraft(draftKey);
    const state = store.getState();
    return draft !== null && !sameFlow(draft, { path: state.path, doc: state.doc }) ? draft : null;
  });
  const cancelWrite = useDraftWriter(
    () => {
      const state = store.getState();
      if (hasUnsavedWork(state)) storeFlowDraft(draftKey, { path: state.path, doc: state.doc, baseHash: state.baseHash });
      else clearDraft(draftKey);
    },
    [draftKey, doc, path],
    offer !== null,
  );

  /** The draft's document, as an edit (so Undo goes back to the deployed one). */
  const restore = useCallback(() => {
    if (offer === null) return;
    apply(() => offer.doc);
    if (offer.path !== store.getState().path) store.getState().setPath(offer.path);
    setOffer(null);
  }, [apply, offer, store]);
  const discard = useCallback(() => {
    clearDraft(draftKey);
    setOffer(null);
  }, [draftKey]);
  /** Deployed: the draft (and any write still waiting) is obsolete. */
  const saved = useCallback(() => {
    cancelWrite();
    clearDraft(draftKey);
  }, [cancelWrite, draftKey]);
  return { offer, restore, discard, saved };
}
