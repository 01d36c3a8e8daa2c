/** One row of the arguments table, read from a script's JSON Schema. */
export interface SchemaArg {
  name: string;
  type: string;
  required: boolean;
  /** JSON text of the default, or null when there is none. */
  defaultValue: string | null;
  description: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeOf(property: Record<string, unknown>): string {
  const { type, format } = property;
  let label: string;
  if (typeof type === "string") label = type;
  else if (Array.isArray(type)) label = type.filter((t) => typeof t === "string").join(" | ");
  else if (Array.isArray(property.enum)) label = "enum";
  else label = "any";
  if (label === "array" && isRecord(property.items) && typeof property.items.type === "string") {
    label = `${property.items.type}[]`;
  }
  return typeof format === "string" ? `${label} (${format})` : label;
}

/** Lists `properties` of an object JSON Schema in declaration order. */
export function schemaArgs(schema: unknown): SchemaArg[] {
  if (!isRecord(schema) || !isRecord(schema.properties)) return [];
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [],
  );
  return Object.entries(schema.properties).map(([name, raw]) => {
    const property = isRecord(raw) ? raw : {};
    return {
      name,
      type: typeOf(property),
      required: required.has(name),
      defaultValue: "default" in property ? JSON.stringify(property.default) : null,
      description: typeof property.description === "string" ? property.description : null,
    };
  });
}
