/**
 * RFC 4180 CSV: CRLF between records, a header row, and a field quoted when
 * it holds a comma, a quote, CR or LF, with its quotes doubled.
 */

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A cell's text: strings as they are, absent and null as empty, numbers and
 * booleans as JSON writes them, nested values as compact JSON (so they can be
 * read back rather than showing "[object Object]").
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? "";
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const records = [columns.map(csvField).join(",")];
  for (const row of rows) records.push(columns.map((column) => csvField(csvCell(row[column]))).join(","));
  // Every record ends in CRLF, the last one included, as spreadsheet programs write it.
  return records.map((record) => `${record}\r\n`).join("");
}
