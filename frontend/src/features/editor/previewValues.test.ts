import { describe, expect, it } from "vitest";
import { EMPTY_PREVIEW, reseed } from "./previewValues";

const schema = (properties: Record<string, unknown>) => ({ type: "object", properties });

describe("the preview form's values as the schema changes", () => {
  it("fills new fields with their defaults", () => {
    const first = reseed(EMPTY_PREVIEW, schema({ name: { type: "string" }, count: { type: "integer", default: 3 } }));
    expect(first.value).toEqual({ count: 3 });
  });

  it("keeps what the user typed, and lets untouched fields follow a new default", () => {
    const first = reseed(EMPTY_PREVIEW, schema({ name: { type: "string", default: "a" }, count: { type: "integer", default: 3 } }));
    const typed = { ...first, value: { ...first.value, name: "Ada" } };
    const next = reseed(typed, schema({ name: { type: "string", default: "b" }, count: { type: "integer", default: 5 } }));
    expect(next.value).toEqual({ name: "Ada", count: 5 });
  });

  it("drops the values of parameters that are gone", () => {
    const first = reseed(EMPTY_PREVIEW, schema({ old: { type: "integer", default: 1 } }));
    expect(reseed(first, schema({ name: { type: "string" } })).value).toEqual({});
  });
});
