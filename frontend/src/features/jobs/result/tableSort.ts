/** Sorting a result table by one column. */

export type SortDirection = "asc" | "desc";

export interface SortState {
  column: string;
  direction: SortDirection;
}

/** Clicking a header sorts ascending, then flips; another header starts ascending again. */
export function nextSort(current: SortState | null, column: string): SortState {
  return current?.column === column && current.direction === "asc"
    ? { column, direction: "desc" }
    : { column, direction: "asc" };
}

/** Numbers, then booleans, then strings, then nested values: a mixed column still reads in blocks. */
function rank(value: unknown): number {
  if (typeof value === "number" || typeof value === "bigint") return 0;
  if (typeof value === "boolean") return 1;
  if (typeof value === "string") return 2;
  return 3;
}

/** Ascending comparison of two non-empty cells. */
export function compareCells(a: unknown, b: unknown): number {
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === "bigint" && typeof b === "bigint") return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return a.localeCompare(b, undefined, { numeric: true });
  return (JSON.stringify(a) ?? "").localeCompare(JSON.stringify(b) ?? "");
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined;
}

/**
 * The rows in `sort` order (a new array; stable, so equal cells keep the
 * script's order). Null and absent cells go last in both directions: flipping
 * the order should not bring a column of blanks to the top.
 */
export function sortRows<T extends Record<string, unknown>>(rows: readonly T[], sort: SortState | null): T[] {
  if (sort === null) return [...rows];
  const sign = sort.direction === "asc" ? 1 : -1;
  return [...rows].sort((x, y) => {
    const a = x[sort.column];
    const b = y[sort.column];
    if (isEmpty(a) || isEmpty(b)) return Number(isEmpty(a)) - Number(isEmpty(b));
    return sign * compareCells(a, b);
  });
}
