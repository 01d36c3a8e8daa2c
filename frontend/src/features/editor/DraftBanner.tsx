import { formatRelative } from "../../lib/format";
import { shortHash } from "./links";

interface DraftBannerProps {
  /** A script's or a flow's draft: when it was written, and on which version. */
  draft: { baseHash: string | null; savedAt: string };
  /** The version the editor opened; a draft written on another one says so. */
  baseHash: string | null;
  /** What happened since a draft made on an older version: "the script has been saved since". */
  since?: string;
  onRestore: () => void;
  onDiscard: () => void;
}

/** A draft left from an earlier visit: take it back, or throw it away. */
export function DraftBanner({
  draft,
  baseHash,
  since = "the script has been saved since",
  onRestore,
  onDiscard,
}: DraftBannerProps) {
  const olderBase = draft.baseHash !== null && baseHash !== null && draft.baseHash !== baseHash;
  return (
    <div className="draft-banner" role="region" aria-label="Unsaved draft">
      <p>
        You have unsaved changes from an earlier visit.
        {olderBase && (
          <span className="muted">
            {" "}
            They were made on version {shortHash(draft.baseHash!)}; {since}.
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
