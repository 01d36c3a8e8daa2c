import { describe, expect, it } from "vitest";
import { compareCells, nextSort, sortRows } from "./tableSort";

const column = (rows: Record<string, unknown>[], key: string) => rows.map((row) => row[key]);

describe("sortRows", () => {
  const rows = [{ n: 10, s: "b" }, { n: 9, s: "a10" }, { n: null, s: "a9" }, { s: null }, { n: 100, s: "C" }];

  it("compares numbers as numbers, not as text", () => {
    expect(column(sortRows(rows, { column: "n", direction: "asc" }), "n")).toEqual([9, 10, 100, null, undefined]);
    expect(column(sortRows(rows, { column: "n", direction: "desc" }), "n")).toEqual([100, 10, 9, null, undefined]);
  });

  it("compares strings by locale, digits as numbers, and puts blanks last both ways", () => {
    expect(column(sortRows(rows, { column: "s", direction: "asc" }), "s")).toEqual(["a9", "a10", "b", "C", null]);
    expect(column(sortRows(rows, { column: "s", direction: "desc" }), "s")).toEqual(["C", "b", "a10", "a9", null]);
  });

  it("keeps the script's order for equal cells and without a sort", () => {
    const ties = [{ k: 1, i: 0 }, { k: 0, i: 1 }, { k: 1, i: 2 }, { k: 0, i: 3 }];
    expect(column(sortRows(ties, { column: "k", direction: "asc" }), "i")).toEqual([1, 3, 0, 2]);
    expect(sortRows(ties, null)).toEqual(ties);
    expect(sortRows(ties, null)).not.toBe(ties);
  });
});

describe("compareCells", () => {
  it("groups a mixed column: numbers, booleans, strings, then nested values", () => {
    const values = [{ a: 1 }, "x", true, 3];
    expect([...values].sort(compareCells)).toEqual([3, true, "x", { a: 1 }]);
  });
});

describe("nextSort", () => {
  it("sorts a column ascending, then descending, and starts another ascending", () => {
    const asc = nextSort(null, "n");
    expect(asc).toEqual({ column: "n", direction: "asc" });
    const desc = nextSort(asc, "n");
    expect(desc).toEqual({ column: "n", direction: "desc" });
    expect(nextSort(desc, "n")).toEqual({ column: "n", direction: "asc" });
    expect(nextSort(desc, "s")).toEqual({ column: "s", direction: "asc" });
  });
});
