import { useCallback, useState } from "react";
import { clearDraft, draftToOffer, sameDoc, storeDraft, type Draft, type EditorDoc } from "./draft";
import { useDraftWriter } from "./useDraftWriter";

interface UseDraftOptions {
  key: string;
  doc: EditorDoc;
  base: EditorDoc;
  baseHash: string | null;
  /** Whether to look for a draft on opening (not when an old version was asked for explicitly). */
  offer: boolean;
}

/**
 * Keeps the editor's document in localStorage while it differs from the saved
 * version, and offers a draft left from an earlier visit. While that offer is
 * open the old draft is left alone, so nothing is lost before the user decides.
 */
export function useDraft({ key, doc, base, baseHash, offer: lookForDraft }: UseDraftOptions) {
  const [offer, setOffer] = useState<Draft | null>(() => (lookForDraft ? draftToOffer(key, base) : null));
  const cancelWrite = useDraftWriter(
    () => (sameDoc(doc, base) ? clearDraft(key) : storeDraft(key, doc, baseHash)),
    [key, doc, base, baseHash],
    offer !== null,
  );

  const discard = useCallback(() => {
    clearDraft(key);
    setOffer(null);
  }, [key]);
  /** Closes the offer; the caller puts the draft's document in the editor. */
  const accept = useCallback(() => setOffer(null), []);
  /** The document was saved: its draft (and any write still waiting) is obsolete. */
  const saved = useCallback(() => {
    cancelWrite();
    clearDraft(key);
  }, [cancelWrite, key]);
  return { offer, discard, accept, saved };
}
