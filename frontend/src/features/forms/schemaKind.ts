/**
 * Which widget a JSON Schema node gets. The schemas are the ones Kiln derives
 * from a script's `main` signature (JSON Schema 2020-12), so only the shapes
 * those produce are recognised; anything else is edited as raw JSON.
 */

export type Schema = Record<string, unknown>;

/** The kinds of field the form renders; each leaf kind has one widget in `widgets/`. */
export type FieldKind =
  | "string"
  | "textarea"
  | "email"
  | "uri"
  | "date"
  | "datetime"
  | "bytes"
  | "password"
  | "resource"
  | "integer"
  | "number"
  | "boolean"
  | "enum"
  | "array"
  | "object"
  | "json";

export interface ResolvedField {
  kind: FieldKind;
  /** The schema the widget reads: for an Optional, its non-null branch (with the outer title, description, default). */
  schema: Schema;
  /** `anyOf [X, null]` or `type: [X, "null"]`: empty means null/omitted. */
  nullable: boolean;
}

export interface EnumOption {
  value: unknown;
  label: string;
}

export function isRecord(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asSchema(value: unknown): Schema {
  return isRecord(value) ? value : {};
}

function isNullSchema(value: unknown): boolean {
  return isRecord(value) && (value.type === "null" || value.const === null);
}

const OUTER_KEYWORDS = ["title", "description", "default", "examples", "placeholder"] as const;

/** An Optional's non-null branch, keeping the annotations written on the union itself. */
function unwrapNullable(schema: Schema): { schema: Schema; nullable: boolean } {
  const union = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  const rest = union?.filter((branch) => !isNullSchema(branch)) ?? [];
  // Optional[X], or Optional[Literal["a", "b"]] (a union of consts and null).
  const single = rest.length === 1 ? asSchema(rest[0]) : null;
  const consts = rest.length > 1 && rest.every((b) => isRecord(b) && "const" in b) ? { anyOf: rest } : null;
  const inner = single ?? consts;
  if (union !== null && rest.length < union.length && inner !== null) {
    const outer: Schema = {};
    for (const key of OUTER_KEYWORDS) if (key in schema) outer[key] = schema[key];
    return { schema: { ...inner, ...outer }, nullable: true };
  }
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const types = schema.type.filter((t) => t !== "null");
    if (types.length === 1) return { schema: { ...schema, type: types[0] }, nullable: true };
  }
  return { schema, nullable: false };
}

function constBranches(schema: Schema): Schema[] | null {
  const union = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (union === null || union.length === 0) return null;
  return union.every((branch) => isRecord(branch) && "const" in branch) ? (union as Schema[]) : null;
}

const STRING_FORMATS: Record<string, FieldKind> = {
  date: "date",
  "date-time": "datetime",
  email: "email",
  uri: "uri",
  textarea: "textarea",
  password: "password",
};

/** `format: resource-<type>`: a resource of that type; `null` for any other schema. */
export function resourceType(schema: Schema): string | null {
  const format = typeof schema.format === "string" ? schema.format : "";
  return format.startsWith("resource-") && format.length > "resource-".length ? format.slice("resource-".length) : null;
}

function stringKind(schema: Schema): FieldKind {
  if (schema.contentEncoding === "base64") return "bytes";
  const format = typeof schema.format === "string" ? schema.format : "";
  if (format in STRING_FORMATS) return STRING_FORMATS[format]!;
  return schema["x-multiline"] === true ? "textarea" : "string";
}

export function resolveField(raw: unknown): ResolvedField {
  const { schema, nullable } = unwrapNullable(asSchema(raw));
  let kind: FieldKind;
  // A resource parameter is typed `object` (Python, TypeScript, SQL) or `string`: either way a picker.
  if (resourceType(schema) !== null && schema.type !== "array") kind = "resource";
  else if (Array.isArray(schema.enum) || constBranches(schema) !== null) kind = "enum";
  else if (schema.type === "string") kind = stringKind(schema);
  else if (schema.type === "integer" || schema.type === "number" || schema.type === "boolean") kind = schema.type;
  else if (schema.type === "array") kind = "array";
  else if ((schema.type === "object" || schema.type === undefined) && isRecord(schema.properties)) kind = "object";
  else kind = "json";
  return { kind, schema, nullable };
}

/** The choices of an `enum` (labels from `enumLabels` / `x-enum-labels`) or of `anyOf` consts (labels from `title`). */
export function enumOptions(schema: Schema): EnumOption[] {
  const branches = constBranches(schema);
  if (branches !== null) {
    return branches.map((b) => ({ value: b.const, label: typeof b.title === "string" ? b.title : String(b.const) }));
  }
  const labels = asSchema(schema.enumLabels ?? schema["x-enum-labels"]);
  const values = Array.isArray(schema.enum) ? schema.enum : [];
  return values.map((value) => {
    const label = labels[String(value)];
    return { value, label: typeof label === "string" ? label : String(value) };
  });
}

/** The schema's properties in declaration order, with whether each is required. */
export function properties(schema: Schema): { name: string; schema: Schema; required: boolean }[] {
  if (!isRecord(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    schema: asSchema(property),
    required: required.has(name),
  }));
}

/** Whether the arguments can be edited as a form: an object schema listing its properties. */
export function isFormSchema(schema: unknown): schema is Schema {
  return isRecord(schema) && isRecord(schema.properties);
}

export function itemsSchema(schema: Schema): Schema {
  return asSchema(schema.items);
}

/** The label of a field: its `title`, else its name. */
export function fieldLabel(schema: Schema, name: string): string {
  return typeof schema.title === "string" && schema.title !== "" ? schema.title : name;
}
