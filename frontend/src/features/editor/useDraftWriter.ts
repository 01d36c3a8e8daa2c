import { useCallback, useEffect, useRef } from "react";

/** How long typing must pause before the draft is written. */
export const DRAFT_DEBOUNCE_MS = 500;

/**
 * Runs `write` once typing pauses (DRAFT_DEBOUNCE_MS after the last change of `deps`), and at
 * once if the page goes away first; nothing is written while `paused` (a draft offer is open:
 * the old draft is left alone until the user decides). Returns `cancel`, for a write made
 * obsolete by a save. Shared by the script editor's and the flow editor's drafts.
 */
export function useDraftWriter(write: () => void, deps: readonly unknown[], paused: boolean): () => void {
  const latest = useRef(write);
  latest.current = write;
  // The write waiting for typing to pause.
  const pending = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (paused) return;
    const run = () => {
      pending.current = null;
      latest.current();
    };
    pending.current = run;
    const timer = window.setTimeout(run, DRAFT_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
    // `deps` are what the draft is made of: each change restarts the wait.
  }, [paused, ...deps]);

  useEffect(() => {
    const flush = () => pending.current?.();
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      flush();
    };
  }, []);

  return useCallback(() => {
    pending.current = null;
  }, []);
}
