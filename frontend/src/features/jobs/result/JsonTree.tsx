import { useState } from "react";

/** Children shown at first, and added by each "Show more": a 100k-item array must not render at once. */
const CHILDREN_PAGE = 100;
/** The root and its children start open; anything deeper starts folded. */
const OPEN_DEPTH = 2;

type Container = unknown[] | Record<string, unknown>;

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

/** Keys JSON would write: an `undefined` member is left out, as JSON.stringify does. */
function keysOf(value: Container): (string | number)[] {
  if (Array.isArray(value)) return value.map((_, i) => i);
  return Object.keys(value).filter((key) => value[key] !== undefined);
}

function childAt(value: Container, key: string | number): unknown {
  return Array.isArray(value) ? value[key as number] : value[key as string];
}

function indent(depth: number): string {
  return "  ".repeat(depth);
}

function countLabel(value: Container, size: number): string {
  if (Array.isArray(value)) return `${size} ${size === 1 ? "item" : "items"}`;
  return `${size} ${size === 1 ? "key" : "keys"}`;
}

/** A name for a toggle button: the member's path from the result ("items[3].name"). */
function childLabel(parent: string, depth: number, key: string | number): string {
  if (typeof key === "number") return `${depth === 0 ? "" : parent}[${key}]`;
  return depth === 0 ? key : `${parent}.${key}`;
}

/**
 * A JSON value as collapsible, type-coloured, indented JSON. Fully open, its
 * text is exactly `JSON.stringify(value, null, 2)` (the toggles are empty
 * buttons drawn by CSS), so selecting and copying it gives valid JSON.
 */
export function JsonTree({ value }: { value: unknown }) {
  return (
    <pre className="json-tree">
      <JsonEntry name={null} value={value} depth={0} last label="result" />
    </pre>
  );
}

interface JsonEntryProps {
  /** The member's key in its object; null for the root and array items. */
  name: string | null;
  value: unknown;
  depth: number;
  last: boolean;
  label: string;
}

function JsonEntry({ name, value, depth, last, label }: JsonEntryProps) {
  const size = isContainer(value) ? keysOf(value).length : 0;
  const [open, setOpen] = useState(depth < OPEN_DEPTH);
  const foldable = isContainer(value) && size > 0;
  return (
    <>
      {foldable && (
        <button
          type="button"
          className="json-toggle"
          aria-expanded={open}
          aria-label={label}
          title={open ? "Collapse" : "Expand"}
          onClick={() => setOpen((was) => !was)}
        />
      )}
      {name !== null && (
        <>
          <span className="json-key">{JSON.stringify(name)}</span>
          {": "}
        </>
      )}
      {foldable && open ? (
        <JsonChildren value={value} depth={depth} label={label} />
      ) : isContainer(value) ? (
        <span className="json-bracket">{Array.isArray(value) ? (size ? "[…]" : "[]") : size ? "{…}" : "{}"}</span>
      ) : (
        <JsonLeaf value={value} />
      )}
      {!last && ","}
      {foldable && !open && <span className="json-comment"> // {countLabel(value, size)}</span>}
    </>
  );
}

function JsonChildren({ value, depth, label }: { value: Container; depth: number; label: string }) {
  const [shown, setShown] = useState(CHILDREN_PAGE);
  const keys = keysOf(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  const rest = keys.length - shown;
  return (
    <>
      <span className="json-bracket">{open}</span>
      {keys.slice(0, shown).map((key, i) => (
        <span key={key}>
          {"\n"}
          {indent(depth + 1)}
          <JsonEntry
            name={typeof key === "string" ? key : null}
            value={childAt(value, key)}
            depth={depth + 1}
            last={i === keys.length - 1}
            label={childLabel(label, depth, key)}
          />
        </span>
      ))}
      {rest > 0 && (
        <>
          {"\n"}
          {indent(depth + 1)}
          <button type="button" className="button-link json-more" onClick={() => setShown((n) => n + CHILDREN_PAGE)}>
            Show {Math.min(rest, CHILDREN_PAGE)} more
          </button>
          <span className="json-comment"> // {rest.toLocaleString()} not shown</span>
        </>
      )}
      {"\n"}
      {indent(depth)}
      <span className="json-bracket">{close}</span>
    </>
  );
}

function JsonLeaf({ value }: { value: unknown }) {
  // What JSON itself would write: undefined (an absent result, a hole in an array) reads as null.
  const json = value === undefined ? "null" : (JSON.stringify(value) ?? "null");
  const type = value === null || value === undefined ? "null" : typeof value;
  return <span className={`json-${type}`}>{json}</span>;
}
