/**
 * Unsaved work kept in localStorage, one draft per script (and one for the new
 * script being written), so a closed tab or a crash loses nothing.
 */
import { editsKey, type SchemaEdits } from "./schemaEdits";

/** What the editor holds that a save would send. */
export interface EditorDoc {
  path: string;
  language: string;
  content: string;
  summary: string;
  /** Markdown, what the script is for at length; like the summary, not part of the version's hash. */
  description: string;
  edits: SchemaEdits;
}

export interface Draft extends EditorDoc {
  /** The version the draft was written on (null: a script not saved yet). */
  baseHash: string | null;
  /** ISO time of the last change. */
  savedAt: string;
}

/** `kiln.draft.<ws>.<path>`, or `kiln.draft.<ws>.new` for a script not saved yet. */
export function draftKey(workspace: string, path: string | null): string {
  return `kiln.draft.${workspace}.${path ?? "new"}`;
}

/** The document a draft holds, without its bookkeeping. */
export function docOf({ path, language, content, summary, description, edits }: EditorDoc): EditorDoc {
  return { path, language, content, summary, description, edits };
}

/** Two documents a save would store the same way. */
export function sameDoc(a: EditorDoc, b: EditorDoc): boolean {
  return (
    a.path === b.path &&
    a.language === b.language &&
    a.content === b.content &&
    a.summary === b.summary &&
    a.description === b.description &&
    editsKey(a.edits) === editsKey(b.edits)
  );
}

/** A draft as stored; drafts written before the description was editable have none. */
type StoredDraft = Omit<Draft, "description"> & { description?: string };

function isDraft(value: unknown): value is StoredDraft {
  if (typeof value !== "object" || value === null) return false;
  const d = value as Record<string, unknown>;
  return (
    ["path", "language", "content", "summary", "savedAt"].every((k) => typeof d[k] === "string") &&
    (d.description === undefined || typeof d.description === "string") &&
    (d.baseHash === null || typeof d.baseHash === "string") &&
    typeof d.edits === "object" &&
    d.edits !== null &&
    typeof (d.edits as Record<string, unknown>).fields === "object"
  );
}

// Storage can be missing (private mode), full or hold garbage from an older
// build: a draft is a convenience, so every failure reads as "no draft".
// A draft from before the description was editable still loads: it takes
// `description` (the saved version's, when there is one), as saving it then
// would have kept that one.
export function loadDraft(key: string, description = ""): Draft | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (raw === null) return null;
    const parsed: unknown = JSON.parse(raw);
    return isDraft(parsed) ? { ...parsed, description: parsed.description ?? description } : null;
  } catch {
    return null;
  }
}

export function storeDraft(key: string, doc: EditorDoc, baseHash: string | null, now: Date = new Date()): void {
  const draft: Draft = { ...doc, baseHash, savedAt: now.toISOString() };
  try {
    window.localStorage.setItem(key, JSON.stringify(draft));
  } catch {
    // Quota exceeded or storage disabled: keep editing without a draft.
  }
}

export function clearDraft(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // Nothing to clear when storage is unavailable.
  }
}

/** The draft worth offering when opening `saved`: one that exists and differs from it. */
export function draftToOffer(key: string, saved: EditorDoc): Draft | null {
  const draft = loadDraft(key, saved.description);
  return draft !== null && !sameDoc(draft, saved) ? draft : null;
}
