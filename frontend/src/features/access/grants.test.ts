import { describe, expect, it } from "vitest";
import { grantsFromRows, newGrantRow, rowsFromGrants } from "./grants";

describe("grants", () => {
  it("reads stored grants as rows of a user or a group", () => {
    const rows = rowsFromGrants([
      { group: "all", level: "viewer" },
      { user: "ada@example.com", group: null, level: "owner" },
    ]);
    expect(rows.map(({ kind, name, level }) => ({ kind, name, level }))).toEqual([
      { kind: "group", name: "all", level: "viewer" },
      { kind: "user", name: "ada@example.com", level: "owner" },
    ]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
    expect(rowsFromGrants(undefined)).toEqual([]);
  });

  it("sends every named row, trimmed, as a user or a group grant", () => {
    expect(
      grantsFromRows([
        newGrantRow("group", " ops ", "writer"),
        newGrantRow("user", "bob@example.com", "viewer"),
        newGrantRow("group", "   ", "owner"),
        // A duplicate is the API's to refuse, with its message.
        newGrantRow("group", "ops", "viewer"),
      ]),
    ).toEqual([
      { group: "ops", level: "writer" },
      { user: "bob@example.com", level: "viewer" },
      { group: "ops", level: "viewer" },
    ]);
  });
});
