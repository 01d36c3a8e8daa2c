import { describe, expect, it } from "vitest";
import {
  applyEdits,
  deriveEdits,
  editsKey,
  NO_EDITS,
  withFieldEdit,
  withFormEdit,
  withMove,
  type SchemaEdits,
} from "./schemaEdits";

const INFERRED = {
  type: "object",
  properties: {
    name: { type: "string", description: "Who to greet" },
    count: { type: "integer", default: 3 },
    mode: { type: "string", enum: ["fast", "safe"] },
  },
  required: ["name"],
};

describe("applyEdits", () => {
  it("puts the user's keywords on top of the inferred schema", () => {
    const edits: SchemaEdits = {
      fields: { count: { title: "How many", minimum: 1, maximum: 10 }, mode: { enumLabels: { fast: "Fast" } } },
    };
    const out = applyEdits(INFERRED, edits);
    expect(out.properties).toEqual({
      name: { type: "string", description: "Who to greet" },
      count: { type: "integer", default: 3, title: "How many", minimum: 1, maximum: 10 },
      mode: { type: "string", enum: ["fast", "safe"], enumLabels: { fast: "Fast" } },
    });
    expect(out.required).toEqual(["name"]);
  });

  it("removes an inferred keyword the user cleared (null)", () => {
    const out = applyEdits(INFERRED, { fields: { name: { description: null } } });
    expect(out.properties).toMatchObject({ name: { type: "string" } });
    expect((out.properties as Record<string, object>).name).not.toHaveProperty("description");
  });

  it("drops the edits of a parameter the code no longer has", () => {
    const out = applyEdits(INFERRED, { fields: { gone: { title: "Old" }, name: { title: "Name" } } });
    expect(Object.keys(out.properties as object)).toEqual(["name", "count", "mode"]);
    expect(out.properties).toMatchObject({ name: { title: "Name" } });
  });

  it("reorders the properties, new ones last, and records the order", () => {
    const out = applyEdits(INFERRED, { fields: {}, order: ["mode", "gone", "name"] });
    expect(Object.keys(out.properties as object)).toEqual(["mode", "name", "count"]);
    expect(out.order).toEqual(["mode", "name", "count"]);
  });

  it("sets the form's title and description, and leaves the inferred schema untouched", () => {
    const out = applyEdits(INFERRED, { fields: { name: { title: "N" } }, title: "Greeter", description: "Says hi" });
    expect(out).toMatchObject({ title: "Greeter", description: "Says hi" });
    expect(INFERRED.properties.name).toEqual({ type: "string", description: "Who to greet" });
  });

  it("applies nested edits to an object parameter", () => {
    const inferred = {
      type: "object",
      properties: { address: { type: "object", properties: { city: { type: "string" } } } },
    };
    const out = applyEdits(inferred, {
      fields: { address: { title: "Address", __nested__: { fields: { city: { title: "City" } } } } },
    });
    expect(out.properties).toEqual({
      address: { type: "object", title: "Address", properties: { city: { type: "string", title: "City" } } },
    });
  });
});

describe("deriveEdits", () => {
  it("finds what differs from the code's schema, like the server", () => {
    const saved = applyEdits(INFERRED, {
      fields: { count: { title: "How many", minimum: 1 }, name: { description: null } },
      order: ["count", "name", "mode"],
      title: "Greeter",
    });
    expect(deriveEdits(saved, INFERRED)).toEqual({
      fields: { count: { title: "How many", minimum: 1 }, name: { description: null } },
      order: ["count", "name", "mode"],
      title: "Greeter",
    });
  });

  it("finds no edits in a schema the code alone produced", () => {
    expect(deriveEdits(INFERRED, INFERRED)).toEqual(NO_EDITS);
  });

  it("round-trips: applying derived edits to a fresh inference gives the saved schema back", () => {
    const saved = applyEdits(INFERRED, { fields: { mode: { enumLabels: { safe: "Safe" }, default: "safe" } } });
    expect(applyEdits(INFERRED, deriveEdits(saved, INFERRED))).toEqual(saved);
  });

  it("reads every editable keyword of a saved schema when there is nothing to compare with", () => {
    expect(deriveEdits({ properties: { a: { type: "string", title: "A" } } }, {})).toEqual({
      fields: { a: { title: "A" } },
    });
  });
});

describe("editing helpers", () => {
  it("records a change and forgets it once it is back to the code's value", () => {
    const edited = withFieldEdit(NO_EDITS, INFERRED, "count", "default", 5);
    expect(edited.fields).toEqual({ count: { default: 5 } });
    expect(withFieldEdit(edited, INFERRED, "count", "default", 3)).toEqual(NO_EDITS);
  });

  it("records clearing an inferred keyword as null, and an empty new one as nothing", () => {
    expect(withFieldEdit(NO_EDITS, INFERRED, "name", "description", "").fields).toEqual({
      name: { description: null },
    });
    expect(withFieldEdit(NO_EDITS, INFERRED, "name", "title", "")).toEqual(NO_EDITS);
  });

  it("moves a field and drops the order once it is the code's again", () => {
    const moved = withMove(NO_EDITS, INFERRED, "mode", -1);
    expect(moved.order).toEqual(["name", "mode", "count"]);
    expect(withMove(moved, INFERRED, "mode", 1)).toEqual(NO_EDITS);
    expect(withMove(NO_EDITS, INFERRED, "name", -1)).toBe(NO_EDITS);
  });

  it("sets the form's title, and drops it when cleared", () => {
    const titled = withFormEdit(NO_EDITS, INFERRED, "title", "Greeter");
    expect(titled.title).toBe("Greeter");
    expect(withFormEdit(titled, INFERRED, "title", "")).toEqual(NO_EDITS);
  });

  it("keys equal edits the same whatever order they were made in", () => {
    const a = withFieldEdit(withFieldEdit(NO_EDITS, INFERRED, "count", "minimum", 1), INFERRED, "count", "maximum", 9);
    const b = withFieldEdit(withFieldEdit(NO_EDITS, INFERRED, "count", "maximum", 9), INFERRED, "count", "minimum", 1);
    expect(editsKey(a)).toBe(editsKey(b));
  });
});
