import { describe, expect, it } from "vitest";
import { isoToLocal, localToIso } from "./datetime";
import { fromArgs, hasField, initialValues, toArgs, validate } from "./schemaForm";
import { enumOptions, resolveField } from "./schemaKind";

/** What Kiln derives from examples/scripts/greet.py (as documented). */
const GREET = {
  type: "object",
  properties: {
    name: { type: "string", description: "Who to greet." },
    count: { type: "integer", default: 3 },
    ratio: { type: "number", default: 0.5 },
    verbose: { type: "boolean", default: false },
    tags: { type: "array", items: { type: "string" }, default: [] },
    mode: { enum: ["fast", "safe"], type: "string", default: "safe" },
    tone: { enum: ["warm", "formal"], type: "string", originalType: "enum", default: "warm" },
    when: { type: "string", format: "date" },
    address: {
      type: "object",
      properties: { street: { type: "string" }, city: { type: "string" } },
      required: ["street", "city"],
    },
  },
  required: ["name"],
  additionalProperties: false,
};

const MORE = {
  type: "object",
  properties: {
    blob: { type: "string", contentEncoding: "base64" },
    day: { anyOf: [{ type: "string", format: "date" }, { type: "null" }], default: null },
    anything: {},
    meta: { type: "object" },
    db: { type: "string", format: "resource-postgresql" },
    at: { type: "string", format: "date-time" },
    level: { anyOf: [{ const: 1, title: "Low" }, { const: 2, title: "High" }] },
    size: { type: "integer", minimum: 1, maximum: 10 },
    code: { type: "string", minLength: 2, maxLength: 4, pattern: "^[A-Z]+$" },
    points: { type: "array", items: { type: "number" } },
    people: {
      type: "array",
      items: { type: "object", properties: { who: { type: "string" } }, required: ["who"] },
    },
  },
  required: ["blob"],
};

describe("resolveField", () => {
  it("gives each kind of schema its widget", () => {
    const kinds = Object.fromEntries(
      Object.entries({ ...GREET.properties, ...MORE.properties }).map(([name, s]) => [name, resolveField(s).kind]),
    );
    expect(kinds).toEqual({
      name: "string",
      count: "integer",
      ratio: "number",
      verbose: "boolean",
      tags: "array",
      mode: "enum",
      tone: "enum",
      when: "date",
      address: "object",
      blob: "bytes",
      day: "date",
      anything: "json",
      meta: "json",
      db: "resource",
      at: "datetime",
      level: "enum",
      size: "integer",
      code: "string",
      points: "array",
      people: "array",
    });
    expect(resolveField({ type: "string", format: "email" }).kind).toBe("email");
    expect(resolveField({ type: "string", format: "uri" }).kind).toBe("uri");
    expect(resolveField({ type: "string", "x-multiline": true }).kind).toBe("textarea");
    expect(resolveField({ type: "string", format: "password" }).kind).toBe("password");
    // A resource parameter as Python, TypeScript and SQL scripts declare it: an object of a format.
    expect(resolveField({ type: "object", format: "resource-postgresql" }).kind).toBe("resource");
    expect(resolveField({ format: "resource-s3" }).kind).toBe("resource");
    expect(resolveField({ type: ["integer", "null"] })).toMatchObject({ kind: "integer", nullable: true });
    expect(resolveField({ anyOf: [{ type: "integer" }, { type: "string" }] }).kind).toBe("json");
    const optionalLiteral = { anyOf: [{ const: "a" }, { const: "b" }, { type: "null" }], default: null };
    expect(resolveField(optionalLiteral)).toMatchObject({ kind: "enum", nullable: true });
    expect(enumOptions(resolveField(optionalLiteral).schema).map((o) => o.value)).toEqual(["a", "b"]);
  });

  it("keeps an Optional's annotations on its non-null branch", () => {
    const field = resolveField({ ...MORE.properties.day, description: "Which day" });
    expect(field).toMatchObject({ kind: "date", nullable: true });
    expect(field.schema).toMatchObject({ format: "date", description: "Which day", default: null });
  });

  it("labels enum options from enumLabels, x-enum-labels or the consts' titles", () => {
    expect(enumOptions({ enum: ["a", "b"], enumLabels: { a: "Alpha" } })).toEqual([
      { value: "a", label: "Alpha" },
      { value: "b", label: "b" },
    ]);
    expect(enumOptions({ enum: [1], "x-enum-labels": { "1": "One" } })).toEqual([{ value: 1, label: "One" }]);
    expect(enumOptions(MORE.properties.level)).toEqual([
      { value: 1, label: "Low" },
      { value: 2, label: "High" },
    ]);
  });
});

describe("initialValues", () => {
  it("prefills the defaults and nothing else", () => {
    expect(initialValues(GREET)).toEqual({
      count: 3,
      ratio: 0.5,
      verbose: false,
      tags: [],
      mode: "safe",
      tone: "warm",
    });
  });

  it("leaves a null default empty and holds an any field's default as JSON text", () => {
    expect(initialValues({ properties: { day: MORE.properties.day, any: { default: { a: 1 } } } })).toEqual({
      any: '{\n  "a": 1\n}',
    });
  });

  it("prefills a nested object's own defaults", () => {
    const schema = { properties: { opts: { type: "object", properties: { n: { type: "integer", default: 2 } } } } };
    expect(initialValues(schema)).toEqual({ opts: { n: 2 } });
  });

  it("copes with no schema", () => {
    expect(initialValues(null)).toEqual({});
    expect(initialValues({})).toEqual({});
  });
});

describe("validate", () => {
  it("accepts the defaults plus the required name", () => {
    expect(validate(GREET, { ...initialValues(GREET), name: "Ada" })).toEqual({});
  });

  it("reports a missing required field, an empty string counting as missing", () => {
    expect(validate(GREET, {})).toEqual({ name: "Required" });
    expect(validate(GREET, { name: "" })).toEqual({ name: "Required" });
    expect(validate(MORE, {})).toEqual({ blob: "Required" });
  });

  it("reports wrong types", () => {
    expect(validate(GREET, { name: 3, count: "3", ratio: "x", verbose: "yes", tags: "a" })).toEqual({
      name: "Must be text",
      count: "Must be a whole number",
      ratio: "Must be a number",
      verbose: "Must be true or false",
      tags: "Must be a list",
    });
    expect(validate(GREET, { name: "a", count: 1.5 })).toEqual({ count: "Must be a whole number" });
  });

  it("checks minimum and maximum, lengths and patterns", () => {
    const base = { blob: "AA==" };
    expect(validate(MORE, { ...base, size: 0 })).toEqual({ size: "Must be at least 1" });
    expect(validate(MORE, { ...base, size: 11 })).toEqual({ size: "Must be at most 10" });
    expect(validate(MORE, { ...base, size: 10 })).toEqual({});
    expect(validate(MORE, { ...base, code: "A" })).toEqual({ code: "At least 2 characters" });
    expect(validate(MORE, { ...base, code: "ABCDE" })).toEqual({ code: "At most 4 characters" });
    expect(validate(MORE, { ...base, code: "ab" })).toEqual({ code: "Must match ^[A-Z]+$" });
  });

  it("checks enum membership", () => {
    expect(validate(GREET, { name: "a", mode: "slow" })).toEqual({ mode: "Must be one of: fast, safe" });
    expect(validate(MORE, { blob: "AA==", level: 3 })).toEqual({ level: "Must be one of: Low, High" });
    expect(validate(MORE, { blob: "AA==", level: 2 })).toEqual({});
  });

  it("reports invalid JSON in an any field", () => {
    const errors = validate(MORE, { blob: "AA==", anything: '{"a": ', meta: "[1]" });
    expect(errors.anything).toMatch(/^Invalid JSON/);
    expect(errors.meta).toBeUndefined();
  });

  it("names nested and listed fields by path", () => {
    expect(validate(GREET, { name: "a", address: { street: "Main St" } })).toEqual({ "address.city": "Required" });
    expect(validate(GREET, { name: "a", tags: ["x", "y", undefined] })).toEqual({
      "tags.2": "Fill in or remove this row",
    });
    expect(validate(MORE, { blob: "AA==", points: [1, "two"], people: [{ who: "Ada" }, {}] })).toEqual({
      "points.1": "Must be a number",
      "people.1.who": "Required",
    });
  });

  it("does not check an optional object left empty", () => {
    expect(validate(GREET, { name: "a", address: {} })).toEqual({});
    expect(validate(GREET, { name: "a", address: { street: "", city: undefined } })).toEqual({});
  });

  it("checks a date's shape", () => {
    expect(validate(GREET, { name: "a", when: "2025-13" })).toEqual({ when: "Must be a date (YYYY-MM-DD)" });
    expect(validate(MORE, { blob: "AA==", day: "2025-01-02" })).toEqual({});
  });
});

describe("toArgs", () => {
  it("sends the defaults and the typed values with their types", () => {
    expect(toArgs(GREET, { ...initialValues(GREET), name: "Ada", tags: ["a", "b"], when: "2025-01-02" })).toEqual({
      name: "Ada",
      count: 3,
      ratio: 0.5,
      verbose: false,
      tags: ["a", "b"],
      mode: "safe",
      tone: "warm",
      when: "2025-01-02",
    });
  });

  it("drops empty optional fields and an optional object left empty", () => {
    expect(toArgs(GREET, { name: "Ada", count: undefined, when: "", address: { street: "" } })).toEqual({
      name: "Ada",
    });
    expect(toArgs(GREET, { name: "Ada", address: { street: "Main", city: "Paris" } })).toEqual({
      name: "Ada",
      address: { street: "Main", city: "Paris" },
    });
  });

  it("parses JSON fields and converts numbers typed as text", () => {
    expect(
      toArgs(MORE, { blob: "AA==", anything: '{"a": [1]}', meta: "", size: "4", points: ["1.5", 2], level: 1 }),
    ).toEqual({ blob: "AA==", anything: { a: [1] }, size: 4, points: [1.5, 2], level: 1 });
  });

  it("keeps bytes, resources, date-times and Optionals as they are", () => {
    const at = "2025-01-02T10:30:00+01:00";
    expect(toArgs(MORE, { blob: "aGk=", db: "f/data/pg", at, day: "2025-01-02" })).toEqual({
      blob: "aGk=",
      db: "f/data/pg",
      at,
      day: "2025-01-02",
    });
    expect(toArgs(MORE, { blob: "aGk=", day: undefined })).toEqual({ blob: "aGk=" });
  });

  it("keeps arguments the schema does not list", () => {
    expect(toArgs({ properties: { a: { type: "string" } } }, { a: "x", extra: 1 })).toEqual({ a: "x", extra: 1 });
  });
});

describe("fromArgs", () => {
  it("turns a job's arguments back into the form's value", () => {
    const args = { name: "Ada", anything: { a: 1 }, day: null, address: { street: "Main", city: "Paris" } };
    const schema = { properties: { ...GREET.properties, ...MORE.properties } };
    expect(fromArgs(schema, args)).toEqual({
      name: "Ada",
      anything: '{\n  "a": 1\n}',
      address: { street: "Main", city: "Paris" },
    });
    expect(toArgs(schema, fromArgs(schema, args))).toEqual({
      name: "Ada",
      anything: { a: 1 },
      address: { street: "Main", city: "Paris" },
    });
  });
});

describe("hasField", () => {
  it("knows the paths the API may name", () => {
    expect(hasField(GREET, "name")).toBe(true);
    expect(hasField(GREET, "address.city")).toBe(true);
    expect(hasField(GREET, "tags.2")).toBe(true);
    expect(hasField(GREET, "nope")).toBe(false);
    expect(hasField(GREET, "name.x")).toBe(false);
  });
});

describe("date-time", () => {
  it("sends the local wall clock with the local offset, and reads any offset back", () => {
    const iso = localToIso("2025-01-02T10:30");
    expect(iso).toMatch(/^2025-01-02T10:30:00(Z|[+-]\d\d:\d\d)$/);
    expect(new Date(iso).getTime()).toBe(new Date(2025, 0, 2, 10, 30).getTime());
    expect(isoToLocal(iso)).toBe("2025-01-02T10:30");
    expect(isoToLocal(new Date(2025, 0, 2, 10, 30, 15).toISOString())).toBe("2025-01-02T10:30:15");
    expect(localToIso("")).toBe("");
    expect(isoToLocal("nope")).toBe("");
  });
});

describe("resource fields", () => {
  const DB = { type: "object", properties: { db: { type: "object", format: "resource-postgresql" } }, required: ["db"] };

  it("hold a reference or other text as it is, and an object as its JSON text", () => {
    expect(fromArgs(DB, { db: "$res:f/ops/reports_db" })).toEqual({ db: "$res:f/ops/reports_db" });
    expect(fromArgs(DB, { db: { host: "db" } })).toEqual({ db: '{\n  "host": "db"\n}' });
  });

  it("send a reference as text and custom JSON as what it parses to", () => {
    expect(toArgs(DB, { db: "$res:f/ops/reports_db" })).toEqual({ db: "$res:f/ops/reports_db" });
    expect(toArgs(DB, { db: ' {"host": "db"}' })).toEqual({ db: { host: "db" } });
    expect(toArgs(DB, fromArgs(DB, { db: { host: "db", port: 5432 } }))).toEqual({ db: { host: "db", port: 5432 } });
  });

  it("report custom JSON that does not parse, and a missing required resource", () => {
    expect(validate(DB, { db: "$res:f/ops/reports_db" })).toEqual({});
    expect(validate(DB, { db: '{"host": ' }).db).toMatch(/^Invalid JSON/);
    expect(validate(DB, {})).toEqual({ db: "Required" });
  });
});
