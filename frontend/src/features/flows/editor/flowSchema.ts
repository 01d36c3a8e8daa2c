/**
 * The flow's inputs as the inputs panel edits them: rows over `doc.schema` (a JSON Schema
 * object, the run form's source). Each edit returns a new schema and keeps every keyword it
 * does not know about, so a hand-written schema survives the panel.
 */
import { isRecord, type Schema } from "../../forms/schemaKind";

export const INPUT_TYPES = ["string", "integer", "number", "boolean", "array", "object", "date"] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export interface InputRow {
  name: string;
  type: InputType;
  /** undefined: no default. */
  default: unknown;
  description: string;
  required: boolean;
}

export const EMPTY_SCHEMA: Schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {},
  required: [],
};

function propertiesOf(schema: Schema | undefined): Record<string, Schema> {
  if (!isRecord(schema) || !isRecord(schema.properties)) return {};
  return Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, isRecord(v) ? v : {}]));
}

function requiredOf(schema: Schema | undefined): string[] {
  return isRecord(schema) && Array.isArray(schema.required)
    ? schema.required.filter((n): n is string => typeof n === "string")
    : [];
}

/** The panel's type for a property; a date is a string of format date. */
export function inputType(property: Schema): InputType {
  if (property.type === "string" && property.format === "date") return "date";
  const type = property.type;
  return typeof type === "string" && (INPUT_TYPES as readonly string[]).includes(type) ? (type as InputType) : "string";
}

export function inputRows(schema: Schema | undefined): InputRow[] {
  const required = new Set(requiredOf(schema));
  return Object.entries(propertiesOf(schema)).map(([name, property]) => ({
    name,
    type: inputType(property),
    default: property.default,
    description: typeof property.description === "string" ? property.description : "",
    required: required.has(name),
  }));
}

function withProperties(schema: Schema | undefined, properties: Record<string, Schema>, required: string[]): Schema {
  return { ...EMPTY_SCHEMA, ...(isRecord(schema) ? schema : {}), type: "object", properties, required };
}

/** A name not taken yet: `input`, `input_2`, … */
export function freeInputName(schema: Schema | undefined, base = "input"): string {
  const taken = propertiesOf(schema);
  if (!(base in taken)) return base;
  let n = 2;
  while (`${base}_${n}` in taken) n += 1;
  return `${base}_${n}`;
}

export function addInput(schema: Schema | undefined, name = freeInputName(schema)): Schema {
  return withProperties(schema, { ...propertiesOf(schema), [name]: { type: "string" } }, requiredOf(schema));
}

export function removeInput(schema: Schema | undefined, name: string): Schema {
  const { [name]: _removed, ...rest } = propertiesOf(schema);
  return withProperties(
    schema,
    rest,
    requiredOf(schema).filter((n) => n !== name),
  );
}

/** Renames in place (the form keeps its order); a name already taken is refused (unchanged). */
export function renameInput(schema: Schema | undefined, from: string, to: string): Schema {
  const properties = propertiesOf(schema);
  if (from === to || to === "" || to in properties || !(from in properties)) return schema ?? EMPTY_SCHEMA;
  const renamed = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k === from ? to : k, v]));
  const required = requiredOf(schema).map((n) => (n === from ? to : n));
  return withProperties(schema, renamed, required);
}

function updateProperty(schema: Schema | undefined, name: string, update: (p: Schema) => Schema): Schema {
  const properties = propertiesOf(schema);
  if (!(name in properties)) return schema ?? EMPTY_SCHEMA;
  return withProperties(schema, { ...properties, [name]: update(properties[name]!) }, requiredOf(schema));
}

const TYPE_SCHEMAS: Record<InputType, Schema> = {
  string: { type: "string" },
  integer: { type: "integer" },
  number: { type: "number" },
  boolean: { type: "boolean" },
  array: { type: "array", items: {} },
  object: { type: "object" },
  date: { type: "string", format: "date" },
};

/** A new type drops the old type's keywords and its default (which would no longer fit). */
export function setInputType(schema: Schema | undefined, name: string, type: InputType): Schema {
  return updateProperty(schema, name, (p) => {
    const kept: Schema = {};
    for (const key of ["title", "description"]) if (key in p) kept[key] = p[key];
    return { ...TYPE_SCHEMAS[type], ...kept };
  });
}

export function setInputDefault(schema: Schema | undefined, name: string, value: unknown): Schema {
  return updateProperty(schema, name, ({ default: _old, ...p }) => (value === undefined ? p : { ...p, default: value }));
}

export function setInputDescription(schema: Schema | undefined, name: string, description: string): Schema {
  return updateProperty(schema, name, ({ description: _old, ...p }) =>
    description === "" ? p : { ...p, description },
  );
}

export function setInputRequired(schema: Schema | undefined, name: string, required: boolean): Schema {
  const rest = requiredOf(schema).filter((n) => n !== name);
  return withProperties(schema, propertiesOf(schema), required ? [...rest, name] : rest);
}

/** A default as typed in its text box, read for the input's type; an error for text that does not fit. */
export function parseDefault(type: InputType, text: string): { value: unknown } | { error: string } {
  if (text.trim() === "") return { value: undefined };
  switch (type) {
    case "integer":
    case "number": {
      const n = Number(text);
      if (Number.isNaN(n) || (type === "integer" && !Number.isInteger(n))) {
        return { error: type === "integer" ? "A whole number" : "A number" };
      }
      return { value: n };
    }
    case "boolean":
      return text === "true" ? { value: true } : text === "false" ? { value: false } : { error: "true or false" };
    case "array":
    case "object":
      try {
        const value: unknown = JSON.parse(text);
        const fits = type === "array" ? Array.isArray(value) : isRecord(value);
        return fits ? { value } : { error: type === "array" ? "A JSON list" : "A JSON object" };
      } catch {
        return { error: "Invalid JSON" };
      }
    default:
      return { value: text };
  }
}

/** A default as its text box shows it. */
export function formatDefault(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
