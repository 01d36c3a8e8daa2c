/** The create-token form as typed. */
export interface TokenDraft {
  label: string;
  /** "": never expires. */
  days: string;
}

export type TokenDraftResult =
  | { ok: true; value: { label: string; expires_in_days?: number } }
  | { ok: false; field: "label" | "days"; message: string };

/** The API's bounds for expires_in_days. */
export const MAX_EXPIRY_DAYS = 3650;

/** Checks what the API would refuse anyway, so the message sits at the right input before a round trip. */
export function tokenFromDraft(draft: TokenDraft): TokenDraftResult {
  const label = draft.label.trim();
  if (label === "") return { ok: false, field: "label", message: "Give the token a label, to recognise it later." };
  if (label.length > 100) return { ok: false, field: "label", message: "A label has at most 100 characters." };
  const days = draft.days.trim();
  if (days === "") return { ok: true, value: { label } };
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > MAX_EXPIRY_DAYS) {
    return { ok: false, field: "days", message: `Expiry is a whole number of days from 1 to ${MAX_EXPIRY_DAYS}, or empty.` };
  }
  return { ok: true, value: { label, expires_in_days: n } };
}

/** "active", "revoked" or "expired" (at `now`). */
export function tokenState(
  token: { revoked_at: string | null; expires_at: string | null },
  now: number = Date.now(),
): "active" | "revoked" | "expired" {
  if (token.revoked_at !== null) return "revoked";
  if (token.expires_at !== null && Date.parse(token.expires_at) <= now) return "expired";
  return "active";
}
