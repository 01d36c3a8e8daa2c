import { useMemo, useState } from "react";
import { downloadText } from "../logs/textExport";
import { toCsv } from "./csv";
import { nextSort, sortRows, type SortState } from "./tableSort";

/** Up to this many rows show at once; beyond, pages of PAGE_SIZE keep the DOM small. */
const PAGINATE_ABOVE = 500;
const PAGE_SIZE = 100;

interface ResultTableProps {
  rows: Record<string, unknown>[];
  columns: string[];
  omittedColumns: number;
  /** The CSV file's name, without extension. */
  fileName: string;
}

/** A list of records as a sortable table, with its CSV. */
export function ResultTable({ rows, columns, omittedColumns, fileName }: ResultTableProps) {
  const [sort, setSort] = useState<SortState | null>(null);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const numeric = useMemo(() => numericColumns(rows, columns), [rows, columns]);
  const paged = rows.length > PAGINATE_ABOVE;
  const pageCount = paged ? Math.ceil(rows.length / PAGE_SIZE) : 1;
  const current = Math.min(page, pageCount - 1);
  const first = paged ? current * PAGE_SIZE : 0;
  const visible = paged ? sorted.slice(first, first + PAGE_SIZE) : sorted;

  function sortBy(column: string) {
    setSort(nextSort(sort, column));
    setPage(0);
  }

  return (
    <div className="result-table">
      <div className="result-table-bar">
        <span className="muted">
          {paged
            ? `Rows ${(first + 1).toLocaleString()}–${(first + visible.length).toLocaleString()} of ${rows.length.toLocaleString()}`
            : `${rows.length.toLocaleString()} ${rows.length === 1 ? "row" : "rows"}`}
          {omittedColumns > 0 && ` · ${omittedColumns} more columns in the JSON view`}
        </span>
        {paged && (
          <>
            <button type="button" className="button button-small" disabled={current === 0} onClick={() => setPage(current - 1)}>
              Previous
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={current >= pageCount - 1}
              onClick={() => setPage(current + 1)}
            >
              Next
            </button>
          </>
        )}
        {/* All rows, in the order shown: what you see sorted is what you download. */}
        <button
          type="button"
          className="button button-small"
          onClick={() => downloadText(toCsv(columns, sorted), `${fileName}.csv`, "text/csv;charset=utf-8")}
        >
          Download CSV
        </button>
      </div>
      <div className="result-table-scroll">
        <table className="table">
          <thead>
            <tr>
              {columns.map((column) => {
                const direction = sort?.column === column ? sort.direction : null;
                return (
                  <th
                    key={column}
                    scope="col"
                    aria-sort={direction === "asc" ? "ascending" : direction === "desc" ? "descending" : "none"}
                    className={numeric.has(column) ? "num" : undefined}
                  >
                    <button type="button" className="result-sort" onClick={() => sortBy(column)}>
                      {column}
                      <span className="result-sort-arrow" aria-hidden="true">
                        {direction === "asc" ? "▲" : direction === "desc" ? "▼" : ""}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {visible.map((row, i) => (
              <tr key={first + i}>
                {columns.map((column) => (
                  <Cell key={column} value={row[column]} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Columns whose values (in the first rows) are all numbers or blank: their header aligns with their digits. */
function numericColumns(rows: Record<string, unknown>[], columns: string[]): Set<string> {
  const sample = rows.slice(0, 100);
  return new Set(
    columns.filter(
      (column) =>
        sample.some((row) => typeof row[column] === "number") &&
        sample.every((row) => row[column] === null || row[column] === undefined || typeof row[column] === "number"),
    ),
  );
}

/** Primitives as text; nested values as compact JSON, whole in the tooltip when cut by CSS. */
function Cell({ value }: { value: unknown }) {
  if (value === undefined) return <td />;
  if (value === null) return <td className="json-null">null</td>;
  if (typeof value === "number" || typeof value === "bigint") return <td className="num">{String(value)}</td>;
  if (typeof value === "string" || typeof value === "boolean") return <td>{String(value)}</td>;
  const json = JSON.stringify(value) ?? "";
  return (
    <td className="result-nested" title={json}>
      {json}
    </td>
  );
}
