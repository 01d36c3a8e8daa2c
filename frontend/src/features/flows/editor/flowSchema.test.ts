import { describe, expect, it } from "vitest";
import {
  addInput,
  inputRows,
  parseDefault,
  removeInput,
  renameInput,
  setInputDefault,
  setInputRequired,
  setInputType,
} from "./flowSchema";

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: { count: { type: "integer", default: 5, description: "How many" }, when: { type: "string", format: "date" } },
  required: ["count"],
};

describe("the flow's input schema", () => {
  it("reads one row per property", () => {
    expect(inputRows(SCHEMA)).toEqual([
      { name: "count", type: "integer", default: 5, description: "How many", required: true },
      { name: "when", type: "date", default: undefined, description: "", required: false },
    ]);
    expect(inputRows(undefined)).toEqual([]);
  });

  it("adds inputs under free names and removes them with their required mark", () => {
    const added = addInput(addInput(SCHEMA));
    expect(Object.keys(added.properties as object)).toEqual(["count", "when", "input", "input_2"]);
    expect(removeInput(SCHEMA, "count")).toMatchObject({ properties: { when: {} }, required: [] });
  });

  it("renames in place, keeping the order and the required mark, and refuses a taken name", () => {
    const renamed = renameInput(SCHEMA, "count", "limit");
    expect(Object.keys(renamed.properties as object)).toEqual(["limit", "when"]);
    expect(renamed.required).toEqual(["limit"]);
    expect(renameInput(SCHEMA, "count", "when")).toBe(SCHEMA);
  });

  it("changes the type (dropping a default that would not fit), the default and required", () => {
    expect(setInputType(SCHEMA, "count", "boolean").properties).toMatchObject({ count: { type: "boolean", description: "How many" } });
    expect((setInputType(SCHEMA, "count", "boolean").properties as Record<string, object>).count).not.toHaveProperty("default");
    expect(setInputType(SCHEMA, "count", "array").properties).toMatchObject({ count: { type: "array", items: {} } });
    expect(setInputDefault(SCHEMA, "when", "2025-01-31").properties).toMatchObject({ when: { default: "2025-01-31" } });
    expect(setInputDefault(SCHEMA, "count", undefined).properties).toEqual({
      count: { type: "integer", description: "How many" },
      when: { type: "string", format: "date" },
    });
    expect(setInputRequired(SCHEMA, "when", true).required).toEqual(["count", "when"]);
    expect(setInputRequired(SCHEMA, "count", false).required).toEqual([]);
  });

  it("reads a typed default for the input's type", () => {
    expect(parseDefault("integer", "3")).toEqual({ value: 3 });
    expect(parseDefault("integer", "3.5")).toEqual({ error: "A whole number" });
    expect(parseDefault("number", "")).toEqual({ value: undefined });
    expect(parseDefault("boolean", "true")).toEqual({ value: true });
    expect(parseDefault("array", "[1]")).toEqual({ value: [1] });
    expect(parseDefault("object", "[1]")).toEqual({ error: "A JSON object" });
    expect(parseDefault("string", " hi ")).toEqual({ value: " hi " });
  });
});
