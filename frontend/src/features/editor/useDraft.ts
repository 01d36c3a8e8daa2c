import { useCallback, useEffect, useRef, useState } from "react";
import { clearDraft, draftToOffer, sameDoc, storeDraft, type Draft, type EditorDoc } from "./draft";

/** How long typing must pause before the draft is written. */
export const DRAFT_DEBOUNCE_MS = 500;

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
  // The write waiting for typing to pause; run at once if the page goes away first.
  const pending = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (offer !== null) return;
    const write = () => {
      pending.current = null;
      if (sameDoc(doc, base)) clearDraft(key);
      else storeDraft(key, doc, baseHash);
    };
    pending.current = write;
    const timer = window.setTimeout(write, DRAFT_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [key, doc, base, baseHash, offer]);

  useEffect(() => {
    const flush = () => pending.current?.();
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, []);

  const discard = useCallback(() => {
    clearDraft(key);
    setOffer(null);
  }, [key]);
  /** Closes the offer; the caller puts the draft's document in the editor. */
  const accept = useCallback(() => setOffer(null), []);
  /** The document was saved: its draft (and any write still waiting) is obsolete. */
  const saved = useCallback(() => {
    pending.current = null;
    clearDraft(key);
  }, [key]);
  return { offer, discard, accept, saved };
}
