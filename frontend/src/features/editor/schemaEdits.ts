/**
 * The user's edits of an inferred schema, mirroring the server's
 * `scripts_runtime/schema_edits.py`: an edit is what differs between the form
 * as edited and what the code alone infers. Edits are re-applied to every new
 * inference, so they survive code changes; a parameter removed from the code
 * takes its edits with it.
 */
import { isRecord, type Schema } from "../forms/schemaKind";

/** The keywords the server keeps per property (schema_edits.EDITABLE); anything else comes from the code. */
export const EDITABLE = [
  "title",
  "description",
  "placeholder",
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "default",
  "enumLabels",
  "customErrorMessage",
] as const;

export type EditableKey = (typeof EDITABLE)[number];

/** One property's edits: a keyword's new value, or null when the user removed an inferred one. */
export type FieldEdits = { [key: string]: unknown; __nested__?: SchemaEdits };

export interface SchemaEdits {
  fields: Record<string, FieldEdits>;
  /** The property order, when it is not the code's. */
  order?: string[];
  title?: string;
  description?: string;
}

export const NO_EDITS: SchemaEdits = { fields: {} };

/** JSON equality: schema values are plain JSON, and key order does not matter to the server's `!=`. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k], b[k]));
  }
  // Python's None and a missing key read the same (`dict.get`).
  return (a ?? null) === (b ?? null);
}

function props(schema: Schema): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  if (isRecord(schema.properties)) {
    for (const [name, prop] of Object.entries(schema.properties)) if (isRecord(prop)) out[name] = prop;
  }
  return out;
}

function nameList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((n) => typeof n === "string") ? (value as string[]) : null;
}

/** What the user changed in `saved` relative to `inferred` (schema_edits.schema_edits). */
export function deriveEdits(saved: Schema, inferred: Schema): SchemaEdits {
  const fields: Record<string, FieldEdits> = {};
  const savedProps = props(saved);
  const inferredProps = props(inferred);
  for (const [name, prop] of Object.entries(savedProps)) {
    const base = inferredProps[name] ?? {};
    const changed: FieldEdits = {};
    for (const key of EDITABLE) {
      if (!sameJson(prop[key], base[key])) changed[key] = prop[key] ?? null;
    }
    if ("properties" in prop) {
      const nested = deriveEdits(prop, base);
      if (Object.keys(nested.fields).length > 0 || nested.order) changed.__nested__ = nested;
    }
    if (Object.keys(changed).length > 0) fields[name] = changed;
  }
  const edits: SchemaEdits = { fields };
  const savedOrder = nameList(saved.order) ?? Object.keys(savedProps);
  const kept = savedOrder.filter((n) => n in inferredProps);
  const codeOrder = Object.keys(inferredProps).filter((n) => savedOrder.includes(n));
  if (!sameJson(kept, codeOrder)) edits.order = [...savedOrder];
  for (const key of ["title", "description"] as const) {
    const value = saved[key];
    if (typeof value === "string" && !sameJson(value, inferred[key])) edits[key] = value;
  }
  return edits;
}

/** `inferred` with the edits on top (schema_edits.apply_edits); edits of vanished parameters are dropped. */
export function applyEdits(inferred: Schema, edits: SchemaEdits): Schema {
  const out: Schema = structuredClone(inferred);
  const properties: Record<string, unknown> = isRecord(out.properties) ? out.properties : {};
  for (const [name, changed] of Object.entries(edits.fields)) {
    const prop = properties[name];
    if (!isRecord(prop)) continue; // removed from the code: its edits go with it
    const { __nested__: nested, ...keywords } = changed;
    for (const [key, value] of Object.entries(keywords)) {
      if (value === null || value === undefined) delete prop[key]; // the user removed an inferred keyword
      else prop[key] = structuredClone(value);
    }
    if (nested !== undefined) properties[name] = applyEdits(prop, nested);
  }
  if (edits.order && edits.order.length > 0) {
    const wanted = edits.order;
    const names = Object.keys(properties);
    const order = [...wanted.filter((n) => n in properties), ...names.filter((n) => !wanted.includes(n))];
    out.properties = Object.fromEntries(order.map((n) => [n, properties[n]]));
    out.order = order;
  }
  if (edits.title !== undefined) out.title = edits.title;
  if (edits.description !== undefined) out.description = edits.description;
  return out;
}

/**
 * `edits` with one keyword of one parameter set to `value` (undefined/null/"":
 * removed). A value equal to the code's own is no edit at all, so undoing a
 * change by hand leaves the edits as they were (and the editor clean).
 */
export function withFieldEdit(edits: SchemaEdits, inferred: Schema, name: string, key: EditableKey, value: unknown): SchemaEdits {
  const base = props(inferred)[name] ?? {};
  const next = value === "" || value === undefined ? null : value;
  const field: FieldEdits = { ...edits.fields[name] };
  if (sameJson(next, base[key])) delete field[key];
  else field[key] = next;
  const fields = { ...edits.fields };
  if (Object.keys(field).length === 0) delete fields[name];
  else fields[name] = field;
  return { ...edits, fields };
}

/** `edits` with the form's own title or description set ("" and the code's value: no edit). */
export function withFormEdit(edits: SchemaEdits, inferred: Schema, key: "title" | "description", value: string): SchemaEdits {
  const next = { ...edits };
  const code = typeof inferred[key] === "string" ? inferred[key] : "";
  if (value === code) delete next[key];
  else next[key] = value;
  return next;
}

/** `edits` with parameter `name` moved one place up (-1) or down (+1) in the form. */
export function withMove(edits: SchemaEdits, inferred: Schema, name: string, by: -1 | 1): SchemaEdits {
  const order = Object.keys(props(applyEdits(inferred, edits)));
  const from = order.indexOf(name);
  const to = from + by;
  if (from < 0 || to < 0 || to >= order.length) return edits;
  [order[from], order[to]] = [order[to]!, order[from]!];
  const next = { ...edits };
  if (sameJson(order, Object.keys(props(inferred)))) delete next.order;
  else next.order = order;
  return next;
}

/** The edits as one string that is the same for the same edits, whatever order keys were set in. */
export function editsKey(edits: SchemaEdits): string {
  return JSON.stringify(sortKeys(edits));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}
