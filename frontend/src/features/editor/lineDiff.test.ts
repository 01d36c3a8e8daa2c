import { describe, expect, it } from "vitest";
import { diffHunks } from "./lineDiff";

describe("diffHunks", () => {
  it("numbers kept, removed and added lines on their own side", () => {
    const [hunk, ...rest] = diffHunks("a\nb\nc\n", "a\nB\nc\nd\n");
    expect(rest).toEqual([]);
    expect(hunk?.header).toBe("@@ -1,3 +1,4 @@");
    expect(hunk?.rows).toEqual([
      { kind: "same", oldLine: 1, newLine: 1, text: "a" },
      { kind: "del", oldLine: 2, newLine: null, text: "b" },
      { kind: "add", oldLine: null, newLine: 2, text: "B" },
      { kind: "same", oldLine: 3, newLine: 3, text: "c" },
      { kind: "add", oldLine: null, newLine: 4, text: "d" },
    ]);
  });

  it("keeps three lines of context, splitting far-apart changes into hunks", () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const changed = old.replace("line 2\n", "line two\n").replace("line 19\n", "line nineteen\n");
    const hunks = diffHunks(old, changed);
    expect(hunks.map((h) => h.header)).toEqual(["@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@"]);
  });

  it("has no hunks for equal code, and no row for the missing-newline marker", () => {
    expect(diffHunks("same\n", "same\n")).toEqual([]);
    const rows = diffHunks("x", "y").flatMap((h) => h.rows);
    expect(rows.map((r) => r.kind)).toEqual(["del", "add"]);
  });
});
