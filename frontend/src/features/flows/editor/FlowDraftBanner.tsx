import { formatRelative, shortHash } from "../../../lib/format";
import type { FlowDraft } from "./flowDraft";

interface FlowDraftBannerProps {
  draft: FlowDraft;
  /** The version the editor opened; a draft written on another one says so. */
  baseHash: string | null;
  onRestore: () => void;
  onDiscard: () => void;
}

/** A draft left from an earlier visit (the script editor's DraftBanner, for a flow). */
export function FlowDraftBanner({ draft, baseHash, onRestore, onDiscard }: FlowDraftBannerProps) {
  const olderBase = draft.baseHash !== null && baseHash !== null && draft.baseHash !== baseHash;
  return (
    <div className="draft-banner" role="region" aria-label="Unsaved draft">
      <p>
        You have unsaved changes from an earlier visit.
        {olderBase && (
          <span className="muted">
            {" "}
            They were made on version {shortHash(draft.baseHash!)}; the flow has been deployed since.
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
