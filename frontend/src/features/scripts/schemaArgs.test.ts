import { describe, expect, it } from "vitest";
import { schemaArgs } from "./schemaArgs";

describe("schemaArgs", () => {
  it("lists properties with type, required and default", () => {
    expect(
      schemaArgs({
        type: "object",
        properties: {
          name: { type: "string", description: "Who to greet" },
          tags: { type: "array", items: { type: "string" }, default: [] },
          when: { type: ["string", "null"], format: "date-time" },
          mode: { enum: ["a", "b"], default: "a" },
          anything: {},
        },
        required: ["name", "ghost"],
      }),
    ).toEqual([
      { name: "name", type: "string", required: true, defaultValue: null, description: "Who to greet" },
      { name: "tags", type: "string[]", required: false, defaultValue: "[]", description: null },
      { name: "when", type: "string | null (date-time)", required: false, defaultValue: null, description: null },
      { name: "mode", type: "enum", required: false, defaultValue: '"a"', description: null },
      { name: "anything", type: "any", required: false, defaultValue: null, description: null },
    ]);
  });

  it("returns nothing for schemas without properties", () => {
    expect(schemaArgs({})).toEqual([]);
    expect(schemaArgs(null)).toEqual([]);
    expect(schemaArgs({ properties: [] })).toEqual([]);
  });
});
