/**
 * Unsaved flow edits kept in localStorage, one draft per flow (and one for the new flow being
 * written), like the script editor's (features/editor/draft.ts, whose clearDraft this shares).
 */
import { clearDraft } from "../../editor/draft";
import { isRecord } from "../../forms/schemaKind";
import type { FlowDocument } from "../model/types";

export { clearDraft };

export interface FlowDraft {
  path: string;
  doc: FlowDocument;
  /** The deployed version the draft was written on (null: a flow not deployed yet). */
  baseHash: string | null;
  /** ISO time of the last change. */
  savedAt: string;
}

/** `kiln.flowdraft.<ws>.<path>`, or `kiln.flowdraft.<ws>.new` for a flow not deployed yet. */
export function flowDraftKey(workspace: string, path: string | null): string {
  return `kiln.flowdraft.${workspace}.${path ?? "new"}`;
}

function isFlowDraft(value: unknown): value is FlowDraft {
  return (
    isRecord(value) &&
    typeof value.path === "string" &&
    typeof value.savedAt === "string" &&
    (value.baseHash === null || typeof value.baseHash === "string") &&
    isRecord(value.doc) &&
    isRecord(value.doc.value) &&
    Array.isArray(value.doc.value.modules)
  );
}

// Storage can be missing (private mode), full or hold garbage from an older build: a draft is
// a convenience, so every failure reads as "no draft".
export function loadFlowDraft(key: string): FlowDraft | null {
  try {
    const raw = window.localStorage.getItem(key);
    if (raw === null) return null;
    const parsed: unknown = JSON.parse(raw);
    return isFlowDraft(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function storeFlowDraft(key: string, draft: Omit<FlowDraft, "savedAt">, now: Date = new Date()): void {
  try {
    window.localStorage.setItem(key, JSON.stringify({ ...draft, savedAt: now.toISOString() }));
  } catch {
    // Quota exceeded or storage disabled: keep editing without a draft.
  }
}

/** Same document, key order aside (a draft went through JSON). */
export function sameFlow(a: { path: string; doc: FlowDocument }, b: { path: string; doc: FlowDocument }): boolean {
  return a.path === b.path && stableJson(a.doc) === stableJson(b.doc);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}
