import type { CSSProperties } from "react";

interface SkeletonProps {
  /** CSS width, e.g. "60%" or 120; default: the full line. */
  width?: CSSProperties["width"];
  /** CSS height; default: one line of text. */
  height?: CSSProperties["height"];
  className?: string;
}

/** One shimmering placeholder block; decorative, so hidden from screen readers. */
export function Skeleton({ width, height, className }: SkeletonProps) {
  return (
    <span
      className={className ? `skeleton ${className}` : "skeleton"}
      style={{ width, height }}
      aria-hidden="true"
      data-testid="skeleton"
    />
  );
}

interface SkeletonTableProps {
  rows?: number;
  columns?: number;
  /** Read out instead of the blocks, like <Loading label>. */
  label?: string;
}

// Varied widths look like text instead of a barcode; fixed so rows do not jump between renders.
const WIDTHS = ["70%", "45%", "85%", "55%", "65%", "40%"];

/**
 * A table-shaped placeholder: a drop-in for <Loading> where a table will
 * appear (same role="status" and label, plus aria-busy).
 */
export function SkeletonTable({ rows = 5, columns = 4, label = "Loading…" }: SkeletonTableProps) {
  return (
    <div className="skeleton-table" role="status" aria-busy="true" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: rows }, (_, row) => (
        <div className="skeleton-row" key={row}>
          {Array.from({ length: columns }, (_, column) => (
            <Skeleton key={column} width={WIDTHS[(row + column * 2) % WIDTHS.length]} />
          ))}
        </div>
      ))}
    </div>
  );
}

/** A few lines of text-shaped placeholder, for panels and cards. */
export function SkeletonLines({ lines = 3, label = "Loading…" }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton-lines" role="status" aria-busy="true" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} width={WIDTHS[i % WIDTHS.length]} />
      ))}
    </div>
  );
}
