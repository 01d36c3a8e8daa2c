/**
 * The form's value and the script's arguments, both read from its JSON Schema.
 *
 * The form value mirrors the arguments (numbers are numbers, booleans booleans,
 * arrays arrays, nested objects records) with two exceptions: a field of no
 * particular type ("any", or an object without properties) holds the JSON text
 * being typed, parsed by `toArgs`; and a resource field holds text too (a
 * `$res:<path>` reference, or a custom value: an object as its JSON text). An
 * empty field (`undefined`, `""`, `null`) is omitted from the arguments, so the
 * script's own default applies.
 */
import { enumOptions, isRecord, itemsSchema, properties, resolveField, type Schema } from "./schemaKind";

export type FormValue = Record<string, unknown>;
/** Messages by field path: `name`, `address.city`, `tags.2`. */
export type FormErrors = Record<string, string>;

export function joinPath(parent: string, key: string | number): string {
  return parent === "" ? String(key) : `${parent}.${key}`;
}

/** `record` with `key` set to `value`, or without `key` when `value` is undefined. */
export function withKey(record: FormValue | undefined, key: string, value: unknown): FormValue {
  const next: FormValue = { ...record };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** Nothing filled in anywhere below: an optional object left like this is omitted. */
function isBlank(value: unknown): boolean {
  if (isEmpty(value)) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.values(value).every(isBlank);
}

/** The form's first value: each field's `default` (as the form holds it), nothing where there is none. */
export function initialValues(schema: unknown): FormValue {
  const value: FormValue = {};
  for (const { name, schema: property } of properties(resolveField(schema).schema)) {
    const field = resolveField(property);
    if ("default" in field.schema) {
      const initial = fromArg(property, field.schema.default);
      if (initial !== undefined) value[name] = initial;
    } else if (field.kind === "object") {
      const nested = initialValues(field.schema);
      if (Object.keys(nested).length > 0) value[name] = nested;
    }
  }
  return value;
}

/** Existing arguments (a job's, or typed as JSON) as the form holds them; unknown keys are kept as they are. */
export function fromArgs(schema: unknown, args: Record<string, unknown>): FormValue {
  const converted = fromArg(schema, args);
  return isRecord(converted) ? converted : {};
}

function fromArg(raw: unknown, arg: unknown): unknown {
  const { kind, schema } = resolveField(raw);
  if (arg === null || arg === undefined) return undefined;
  if (kind === "json") return JSON.stringify(arg, null, 2);
  if (kind === "resource") return typeof arg === "string" ? arg : JSON.stringify(arg, null, 2);
  if (kind === "array" && Array.isArray(arg)) return arg.map((item) => fromArg(itemsSchema(schema), item));
  if (kind === "object" && isRecord(arg)) {
    const value: FormValue = { ...arg };
    for (const { name, schema: property } of properties(schema)) {
      const converted = fromArg(property, arg[name]);
      if (converted === undefined) delete value[name];
      else value[name] = converted;
    }
    return value;
  }
  return arg;
}

/** The arguments to send: empty optional fields dropped, JSON fields parsed, numbers as numbers. */
export function toArgs(schema: unknown, value: FormValue): Record<string, unknown> {
  const args = toArg(schema, value, true);
  return isRecord(args) ? args : {};
}

function toArg(raw: unknown, value: unknown, required: boolean): unknown {
  const { kind, schema } = resolveField(raw);
  if (isEmpty(value)) return undefined;
  switch (kind) {
    case "json":
      if (typeof value !== "string") return value;
      // Unparseable text goes as it is: `validate` stops it before a submit.
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    case "resource":
      // A custom value typed as JSON is sent as what it parses to; any other text as it is.
      if (typeof value !== "string" || !looksLikeJson(value)) return value;
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    case "integer":
    case "number":
      return typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
    case "array":
      if (!Array.isArray(value)) return value;
      return value.map((item) => toArg(itemsSchema(schema), item, true)).filter((item) => item !== undefined);
    case "object": {
      if (!isRecord(value)) return value;
      if (!required && isBlank(value)) return undefined;
      const args: Record<string, unknown> = { ...value };
      for (const { name, schema: property, required: needed } of properties(schema)) {
        const arg = toArg(property, value[name], needed);
        if (arg === undefined) delete args[name];
        else args[name] = arg;
      }
      return args;
    }
    default:
      return value;
  }
}

/** What is wrong with the value, by field path; `{}` when it can be sent. */
export function validate(schema: unknown, value: FormValue): FormErrors {
  const errors: FormErrors = {};
  check(schema, value, "", true, errors);
  return errors;
}

const TYPE_MESSAGES: Partial<Record<string, string>> = {
  integer: "Must be a whole number",
  number: "Must be a number",
  boolean: "Must be true or false",
  array: "Must be a list",
  object: "Must be an object",
};

function check(raw: unknown, value: unknown, path: string, required: boolean, errors: FormErrors): void {
  const { kind, schema } = resolveField(raw);
  if (isEmpty(value)) {
    if (required) errors[path] = "Required";
    return;
  }
  const wrongType = typeError(kind, value);
  if (wrongType !== null) {
    errors[path] = wrongType;
    return;
  }
  const message = constraintError(kind, schema, value);
  if (message !== null) {
    errors[path] = message;
    return;
  }
  if (kind === "array") {
    const items = itemsSchema(schema);
    (value as unknown[]).forEach((item, i) => {
      if (isEmpty(item)) errors[joinPath(path, i)] = "Fill in or remove this row";
      else check(items, item, joinPath(path, i), true, errors);
    });
  } else if (kind === "object" && (required || !isBlank(value))) {
    for (const { name, schema: property, required: needed } of properties(schema)) {
      check(property, (value as FormValue)[name], joinPath(path, name), needed, errors);
    }
  }
}

function typeError(kind: string, value: unknown): string | null {
  switch (kind) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? null : TYPE_MESSAGES.integer!;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : TYPE_MESSAGES.number!;
    case "boolean":
      return typeof value === "boolean" ? null : TYPE_MESSAGES.boolean!;
    case "array":
      return Array.isArray(value) ? null : TYPE_MESSAGES.array!;
    case "object":
      return isRecord(value) ? null : TYPE_MESSAGES.object!;
    case "enum":
      return null;
    case "json":
      return jsonError(value);
    case "resource":
      if (typeof value !== "string") return null;
      return looksLikeJson(value) ? jsonError(value) : null;
    default:
      return typeof value === "string" ? null : "Must be text";
  }
}

/** A resource field's custom text that is meant as a JSON object (or list). */
export function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0];
  return start === "{" || start === "[";
}

function jsonError(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    JSON.parse(value);
    return null;
  } catch (error) {
    return `Invalid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function constraintError(kind: string, schema: Schema, value: unknown): string | null {
  if (kind === "enum") {
    const options = enumOptions(schema);
    const known = options.some((option) => JSON.stringify(option.value) === JSON.stringify(value));
    return known ? null : `Must be one of: ${options.map((o) => o.label).join(", ")}`;
  }
  if (typeof value === "number") return rangeError(schema, value);
  if (typeof value === "string" && kind !== "json" && kind !== "resource") return textError(schema, value);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) return `At least ${schema.minItems} items`;
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) return `At most ${schema.maxItems} items`;
  }
  return null;
}

function rangeError(schema: Schema, value: number): string | null {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (typeof minimum === "number" && value < minimum) return `Must be at least ${minimum}`;
  if (typeof maximum === "number" && value > maximum) return `Must be at most ${maximum}`;
  if (typeof exclusiveMinimum === "number" && value <= exclusiveMinimum) return `Must be more than ${exclusiveMinimum}`;
  if (typeof exclusiveMaximum === "number" && value >= exclusiveMaximum) return `Must be less than ${exclusiveMaximum}`;
  return null;
}

function textError(schema: Schema, value: string): string | null {
  // JSON Schema counts characters (code points), not UTF-16 units.
  const length = [...value].length;
  if (typeof schema.minLength === "number" && length < schema.minLength) return `At least ${schema.minLength} characters`;
  if (typeof schema.maxLength === "number" && length > schema.maxLength) return `At most ${schema.maxLength} characters`;
  if (typeof schema.pattern === "string" && !matches(schema.pattern, value)) return `Must match ${schema.pattern}`;
  if (schema.format === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return "Must be a date (YYYY-MM-DD)";
  return null;
}

function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true; // A pattern JavaScript cannot read is left to the API to check.
  }
}

/** Whether `path` (as the API's `detail.field` names it) is a field of the form. */
export function hasField(schema: unknown, path: string): boolean {
  let node = resolveField(schema);
  for (const segment of path.split(".")) {
    if (node.kind === "object") {
      const property = properties(node.schema).find((p) => p.name === segment);
      if (property === undefined) return false;
      node = resolveField(property.schema);
    } else if (node.kind === "array" && /^\d+$/.test(segment)) {
      node = resolveField(itemsSchema(node.schema));
    } else {
      return false;
    }
  }
  return true;
}
