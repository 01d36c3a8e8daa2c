import { describe, expect, it } from "vitest";
import { tokenFromDraft, tokenState } from "./tokenForm";

describe("token form", () => {
  it("trims the label and leaves out an empty expiry", () => {
    expect(tokenFromDraft({ label: " ci ", days: "" })).toEqual({ ok: true, value: { label: "ci" } });
    expect(tokenFromDraft({ label: "ci", days: " 7 " })).toEqual({ ok: true, value: { label: "ci", expires_in_days: 7 } });
  });

  it("refuses what the API would refuse, at the right input", () => {
    expect(tokenFromDraft({ label: "  ", days: "" })).toMatchObject({ ok: false, field: "label" });
    expect(tokenFromDraft({ label: "x".repeat(101), days: "" })).toMatchObject({ ok: false, field: "label" });
    for (const days of ["0", "1.5", "3651", "soon"]) {
      expect(tokenFromDraft({ label: "ci", days })).toMatchObject({ ok: false, field: "days" });
    }
  });

  it("tells live, revoked and expired tokens apart", () => {
    const now = Date.parse("2025-06-01T00:00:00Z");
    expect(tokenState({ revoked_at: null, expires_at: null }, now)).toBe("active");
    expect(tokenState({ revoked_at: null, expires_at: "2025-07-01T00:00:00Z" }, now)).toBe("active");
    expect(tokenState({ revoked_at: null, expires_at: "2025-05-01T00:00:00Z" }, now)).toBe("expired");
    expect(tokenState({ revoked_at: "2025-05-01T00:00:00Z", expires_at: "2025-05-01T00:00:00Z" }, now)).toBe("revoked");
  });
});
