import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { kitchenSink, ORDER_DIGEST_YAML } from "./fixtures.testing";
import type { FlowDocument } from "./types";
import { fromYaml, toYaml } from "./yamlText";

function read(text: string): FlowDocument {
  const out = fromYaml(text);
  if ("error" in out) throw new Error(out.error.message);
  return out.doc;
}

describe("toYaml", () => {
  it("writes summary, description, schema and value first, and modules' keys in their own order", () => {
    const doc: FlowDocument = {
      value: { modules: [{ value: { type: "identity" }, id: "a", summary: "s" }] },
      extra: 1,
      schema: { type: "object" },
      summary: "S",
    };
    expect(toYaml(doc)).toBe(
      ["summary: S", "schema:", "  type: object", "value:", "  modules:", "    - value:", "        type: identity",
        "      id: a", "      summary: s", "extra: 1", ""].join("\n"),
    );
  });

  it("keeps code as a literal block and long expressions on one line", () => {
    const text = toYaml(read(ORDER_DIGEST_YAML));
    expect(text).toContain("        content: |\n          def main(count: int):\n");
    const long = "results.a.filter((x) => x.total > 1000 && x.status === 'open').map((x) => x.id).slice(0, 50)";
    expect(toYaml({ value: { modules: [], skip_expr: long } })).toContain(`skip_expr: ${long}\n`);
  });

  it("writes a shared object out twice, not as an alias", () => {
    const shared = { type: "static" as const, value: 1 };
    const text = toYaml({
      value: { modules: [{ id: "a", value: { type: "script", path: "p", input_transforms: { x: shared, y: shared } } }] },
    });
    expect(text).not.toMatch(/[&*]a\d/);
  });
});

describe("fromYaml", () => {
  it("reads the order digest example as the document it is, and round-trips through toYaml", () => {
    const doc = read(ORDER_DIGEST_YAML);
    expect(doc).toEqual(parse(ORDER_DIGEST_YAML));
    expect(read(toYaml(doc))).toEqual(doc);
    expect(read(toYaml(kitchenSink()))).toEqual(kitchenSink());
  });

  it("says where a syntax error is", () => {
    expect(fromYaml("summary: x\nvalue:\n  modules: [\n")).toEqual({
      error: expect.objectContaining({ line: expect.any(Number), column: expect.any(Number) }),
    });
    const dup = fromYaml("summary: a\nsummary: b\nvalue: {modules: []}\n");
    expect(dup).toEqual({ error: { message: expect.stringMatching(/unique/), line: 2, column: 1 } });
  });

  it("refuses what the editor cannot walk, pointing at the line", () => {
    expect(fromYaml("- 1\n")).toEqual({ error: expect.objectContaining({ message: expect.stringMatching(/mapping/) }) });
    expect(fromYaml("summary: x\n")).toEqual({ error: expect.objectContaining({ message: expect.stringMatching(/^value/) }) });
    const badType = "value:\n  modules:\n    - id: a\n      value:\n        type: rawscript\n    - id: b\n      value:\n        type: nope\n";
    expect(fromYaml(badType)).toEqual({
      error: { message: 'value.modules[1].value.type: unknown module type "nope"', line: 8, column: 9 },
    });
    const dupId = "value:\n  modules:\n    - id: a\n      value: {type: identity}\n    - id: a\n      value: {type: identity}\n";
    expect(fromYaml(dupId)).toEqual({
      error: { message: 'value.modules[1].id: "a" is used by another step', line: 5, column: 11 },
    });
    const badBody = "value:\n  modules:\n    - id: l\n      value: {type: forloopflow, modules: 3}\n";
    expect(fromYaml(badBody)).toEqual({
      error: expect.objectContaining({ message: "value.modules[0].value.modules: must be a list of modules", line: 4 }),
    });
  });

  it("stops a document that expands without end", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "value: {modules: [], x: *d}"].join("\n");
    expect(fromYaml(bomb)).toHaveProperty("error");
  });
});
