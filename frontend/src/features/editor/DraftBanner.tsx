import { formatRelative } from "../../lib/format";
import type { Draft } from "./draft";
import { shortHash } from "./links";

interface DraftBannerProps {
  draft: Draft;
  /** The version the editor opened; a draft written on another one says so. */
  baseHash: string | null;
  onRestore: () => void;
  onDiscard: () => void;
}

/** A draft left from an earlier visit: take it back, or throw it away. */
export function DraftBanner({ draft, baseHash, onRestore, onDiscard }: DraftBannerProps) {
  const olderBase = draft.baseHash !== null && baseHash !== null && draft.baseHash !== baseHash;
  return (
    <div className="draft-banner" role="region" aria-label="Unsaved draft">
      <p>
        You have unsaved changes from an earlier visit.
        {olderBase && (
          <span className="muted">
            {" "}
            They were made on version {shortHash(draft.baseHash!)}; the script has been saved since.
          </span>
        )}
      </p>
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={onRestore}>
          Restore draft (saved {formatRelative(draft.savedAt)})
        </button>
        <button type="button" className="button" onClick={onDiscard}>
          Discard draft
        </button>
      </div>
    </div>
  );
}
