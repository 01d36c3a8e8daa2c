import { describe, expect, it } from "vitest";
import {
  addBranch,
  allModuleIds,
  cloneWithFreshIds,
  dependentsOf,
  EARLY_RETURN_REF,
  expressionsOf,
  findModule,
  insertModule,
  moveModule,
  newModule,
  removeBranch,
  removeModule,
  renameModule,
  setFailureModule,
  updateModule,
} from "./edits";
import { kitchenSink } from "./fixtures.testing";
import type { FlowDocument, FlowModule, ListStep } from "./types";

const step = (id: string, expr = "flow_input.x"): FlowModule => ({
  id,
  value: { type: "rawscript", language: "python3", content: "", input_transforms: { x: { type: "javascript", expr } } },
});

/** The document frozen deep, so an edit that mutates its input throws. */
function frozen(doc: FlowDocument): FlowDocument {
  const freeze = (v: unknown): unknown => {
    if (typeof v === "object" && v !== null) {
      Object.values(v).forEach(freeze);
      Object.freeze(v);
    }
    return v;
  };
  return freeze(structuredClone(doc)) as FlowDocument;
}

const OUTER: ListStep = { module: "outer", list: "modules" };
const INNER: ListStep = { module: "inner", list: "modules" };

describe("findModule and allModuleIds", () => {
  it("finds a module nested two containers deep, with its list path", () => {
    expect(findModule(kitchenSink(), "tick")?.position).toEqual({ list: [OUTER, INNER], index: 1 });
    expect(findModule(kitchenSink(), "l1")?.position).toEqual({
      list: [OUTER, INNER, { module: "fan", list: "branch", branch: 0 }],
      index: 0,
    });
    expect(findModule(kitchenSink(), "wait")?.position).toEqual({ list: [{ module: "pick", list: "default" }], index: 0 });
    expect(findModule(kitchenSink(), "on_fail")?.position).toEqual({ list: "failure", index: 0 });
    expect(findModule(kitchenSink(), "nope")).toBeNull();
  });

  it("lists every id in document order, the failure module last", () => {
    expect(allModuleIds(kitchenSink())).toEqual([
      "a", "saved", "pinned", "sub", "outer", "in1", "inner", "fan", "l1", "tick", "empty_loop",
      "pick", "big", "wait", "pass", "on_fail",
    ]);
  });
});

describe("insertModule", () => {
  it("inserts into a nested list without touching the input, sharing what did not change", () => {
    const doc = frozen(kitchenSink());
    const next = insertModule(doc, { list: [OUTER, INNER], index: 1 }, step("new"));
    expect(findModule(next, "new")?.position).toEqual({ list: [OUTER, INNER], index: 1 });
    expect(findModule(next, "tick")?.position.index).toBe(2);
    expect(next.value.modules[0]).toBe(doc.value.modules[0]);
    expect(next.value.failure_module).toBe(doc.value.failure_module);
  });

  it("adds the first step of an empty branch and clamps an index past the end", () => {
    const doc = frozen(kitchenSink());
    const at = { list: [{ module: "pick", list: "branch", branch: 1 } as ListStep], index: 9 };
    expect(findModule(insertModule(doc, at, step("first")), "first")?.position).toEqual({ ...at, index: 0 });
  });

  it("refuses a taken id, a list that does not exist, and a second failure module", () => {
    const doc = frozen(kitchenSink());
    expect(insertModule(doc, { list: [], index: 0 }, step("tick"))).toBe(doc);
    expect(insertModule(doc, { list: [{ module: "a", list: "modules" }], index: 0 }, step("z"))).toBe(doc);
    expect(insertModule(doc, { list: "failure", index: 0 }, step("z"))).toBe(doc);
    const none = setFailureModule(doc, null);
    expect(findModule(insertModule(none, { list: "failure", index: 0 }, step("z")), "z")?.position.list).toBe("failure");
  });
});

describe("removeModule", () => {
  it("removes a container with everything inside it", () => {
    const next = removeModule(frozen(kitchenSink()), "inner");
    expect(allModuleIds(next)).not.toContain("inner");
    expect(allModuleIds(next)).not.toContain("l1");
    expect(findModule(next, "empty_loop")?.position).toEqual({ list: [OUTER], index: 1 });
  });

  it("drops an early_return that named the module, and removes the failure module", () => {
    const doc = frozen(kitchenSink());
    expect(removeModule(doc, "a").value.early_return).toBeUndefined();
    expect(removeModule(doc, "on_fail").value).not.toHaveProperty("failure_module");
    expect(removeModule(doc, "ghost")).toBe(doc);
  });
});

describe("moveModule", () => {
  it("moves down within a list, counting the gap it leaves", () => {
    const doc = frozen(kitchenSink());
    // The edge between `sub` and `outer` is insert index 4.
    const next = moveModule(doc, "a", { list: [], index: 4 });
    expect(next.value.modules.map((m) => m.id).slice(0, 5)).toEqual(["saved", "pinned", "sub", "a", "outer"]);
    expect(next.value.early_return).toBe("a");
  });

  it("moves up, and across lists into a nested body", () => {
    const doc = frozen(kitchenSink());
    expect(moveModule(doc, "pass", { list: [], index: 0 }).value.modules[0]?.id).toBe("pass");
    const next = moveModule(doc, "sub", { list: [OUTER, INNER], index: 0 });
    expect(findModule(next, "sub")?.position).toEqual({ list: [OUTER, INNER], index: 0 });
  });

  it("refuses moving a container into its own body or into itself, and a no-op move", () => {
    const doc = frozen(kitchenSink());
    expect(moveModule(doc, "outer", { list: [OUTER, INNER], index: 0 })).toBe(doc);
    expect(moveModule(doc, "inner", { list: [OUTER, INNER], index: 0 })).toBe(doc);
    expect(moveModule(doc, "a", { list: [], index: 1 })).toBe(doc);
    expect(moveModule(doc, "a", { list: [{ module: "a", list: "modules" }], index: 0 })).toBe(doc);
  });

  it("drops early_return when its step leaves the top level", () => {
    const next = moveModule(frozen(kitchenSink()), "a", { list: [OUTER], index: 0 });
    expect(next.value.early_return).toBeUndefined();
  });
});

describe("updateModule", () => {
  it("replaces a nested module and keeps the document when nothing changes", () => {
    const doc = frozen(kitchenSink());
    const next = updateModule(doc, "l1", (m) => ({ ...m, summary: "changed" }));
    expect(findModule(next, "l1")?.module.summary).toBe("changed");
    expect(findModule(doc, "l1")?.module.summary).toBe("Step l1");
    expect(updateModule(doc, "l1", (m) => m)).toBe(doc);
    expect(updateModule(doc, "ghost", (m) => ({ ...m, summary: "x" }))).toBe(doc);
  });
});

describe("renameModule", () => {
  it("renames and rewrites every results reference, in every form and place", () => {
    const next = renameModule(frozen(kitchenSink()), "a", "source");
    expect(allModuleIds(next)).toContain("source");
    expect(next.value.early_return).toBe("source");
    const sub = findModule(next, "sub")!.module;
    expect(sub.skip_if).toEqual({ expr: "results.source > 1" });
    expect(findModule(next, "outer")!.module.value).toMatchObject({ iterator: { expr: "results.source" } });
    expect(findModule(next, "pick")!.module.sleep).toEqual({ type: "javascript", expr: "results.source" });

    const saved = renameModule(frozen(kitchenSink()), "saved", "stored");
    expect(findModule(saved, "outer")!.module.value).toMatchObject({ parallelism: { expr: "results['stored']" } });
    const outer = renameModule(frozen(kitchenSink()), "outer", "all_orders");
    expect(findModule(outer, "pick")!.module.value).toMatchObject({
      branches: [{ expr: 'results["all_orders"].length > 2' }, { expr: "false" }],
    });
    expect(findModule(outer, "big")!.module.value).toMatchObject({ input_transforms: { x: { expr: "results.all_orders" } } });
  });

  it("leaves longer ids and other objects' fields alone", () => {
    const doc: FlowDocument = {
      value: { modules: [step("a"), step("b", "results.ab + results.a + myresults.a + x.results.a + results?.a")] },
    };
    const next = renameModule(doc, "a", "z");
    expect(findModule(next, "b")!.module.value).toMatchObject({
      input_transforms: { x: { expr: "results.ab + results.z + myresults.a + x.results.a + results?.z" } },
    });
  });

  it("refuses an invalid or taken id", () => {
    const doc = frozen(kitchenSink());
    expect(renameModule(doc, "a", "saved")).toBe(doc);
    expect(renameModule(doc, "a", "1abc")).toBe(doc);
    expect(renameModule(doc, "a", "a-b")).toBe(doc);
    expect(renameModule(doc, "ghost", "x")).toBe(doc);
  });
});

describe("dependentsOf", () => {
  it("lists the modules whose expressions read the result, nested and failure ones included", () => {
    const doc = kitchenSink();
    expect(dependentsOf(doc, "a")).toEqual(["sub", "outer", "pick", EARLY_RETURN_REF]);
    expect(dependentsOf(doc, "in1")).toEqual(["inner", "l1"]);
    expect(dependentsOf(doc, "outer")).toEqual(["pick", "big"]);
    expect(dependentsOf(doc, "pass")).toEqual([]);
    const failing = setFailureModule(doc, step("alert", "results.pass"));
    expect(dependentsOf(failing, "pass")).toEqual(["alert"]);
  });

  it("reads every expression of a module", () => {
    const outer = findModule(kitchenSink(), "outer")!.module;
    expect(expressionsOf(outer)).toEqual([
      { field: "iterator", expr: "results.a" },
      { field: "parallelism", expr: "results['saved']" },
    ]);
    const tick = findModule(kitchenSink(), "tick")!.module;
    expect(expressionsOf(tick).map((e) => e.field)).toEqual(["input_transforms.x", "stop_after_if"]);
  });
});

describe("branches", () => {
  it("adds a branch that is false until edited, and removes one with its steps", () => {
    const doc = frozen(kitchenSink());
    const added = addBranch(doc, "pick");
    expect(findModule(added, "pick")!.module.value).toMatchObject({ branches: [{}, {}, { expr: "false", modules: [] }] });
    const removed = removeBranch(doc, "pick", 0);
    expect(allModuleIds(removed)).not.toContain("big");
    expect(findModule(removed, "pick")!.module.value).toMatchObject({ branches: [{ expr: "false" }] });
    expect(addBranch(doc, "a")).toBe(doc);
    expect(removeBranch(doc, "pick", 5)).toBe(doc);
  });

  it("keeps a branchall's last branch", () => {
    const doc = removeBranch(frozen(kitchenSink()), "fan", 1);
    expect(removeBranch(doc, "fan", 0)).toBe(doc);
  });
});

describe("setFailureModule", () => {
  it("replaces, removes, and refuses an id of the sequence", () => {
    const doc = frozen(kitchenSink());
    expect(setFailureModule(doc, step("alert")).value.failure_module?.id).toBe("alert");
    expect(setFailureModule(doc, step("on_fail", "error")).value.failure_module?.id).toBe("on_fail");
    expect(setFailureModule(doc, null).value).not.toHaveProperty("failure_module");
    expect(setFailureModule(doc, step("a"))).toBe(doc);
  });
});

describe("newModule", () => {
  const empty: FlowDocument = { value: { modules: [] } };

  it("picks the first free letter, then step_<n>", () => {
    expect(newModule("rawscript", empty).id).toBe("a");
    expect(newModule("rawscript", { value: { modules: [step("a"), step("c")] } }).id).toBe("b");
    const full: FlowDocument = { value: { modules: [..."abcdefghijklmnopqrstuvwxyz"].map((l) => step(l)) } };
    expect(newModule("rawscript", full).id).toBe("step_27");
  });

  it("starts each kind as the palette promises", () => {
    expect(newModule("rawscript", empty, { language: "bash" }).value).toMatchObject({
      type: "rawscript",
      language: "bash",
      content: expect.stringContaining('name="${1:-world}"'),
    });
    expect(newModule("rawscript", empty).value).toMatchObject({ language: "python3", content: expect.stringContaining("def main") });
    for (const language of ["deno", "go", "postgresql", "sqlite"]) {
      expect((newModule("rawscript", empty, { language }).value as { content: string }).content).not.toBe("");
    }
    expect(newModule("script", empty, { path: "u/ada/x" }).value).toEqual({ type: "script", path: "u/ada/x", input_transforms: {} });
    expect(newModule("flow", empty, { path: "f/ada/y" }).value).toMatchObject({ type: "flow", path: "f/ada/y" });
    expect(newModule("approval", empty)).toMatchObject({ value: { type: "identity" }, suspend: { required_events: 1, timeout: 3600 } });
    expect(newModule("forloopflow", empty).value).toMatchObject({ iterator: { type: "javascript", expr: "[]" }, modules: [] });
    expect(newModule("whileloopflow", empty).value).toMatchObject({ type: "whileloopflow", modules: [] });
    expect(newModule("branchone", empty).value).toEqual({
      type: "branchone",
      branches: [{ summary: "", expr: "true", modules: [] }],
      default: [],
    });
    expect(newModule("branchall", empty).value).toMatchObject({ type: "branchall", branches: [{ modules: [] }, { modules: [] }] });
  });
});

describe("cloneWithFreshIds", () => {
  it("gives a copied container and its inside new ids, and its inner references follow", () => {
    const doc = kitchenSink();
    const copy = cloneWithFreshIds(findModule(doc, "inner")!.module, doc);
    const ids = [copy.id, ...allModuleIds({ value: { modules: [copy] } }).slice(1)];
    expect(ids).toEqual(["inner_2", "fan_2", "l1_2", "tick_2"]);
    const tick = findModule({ value: { modules: [copy] } }, "tick_2")!.module;
    expect(tick.value).toMatchObject({ input_transforms: { x: { expr: "results.fan_2" } } });
    // A reference to a step outside the copy stays.
    expect(copy.stop_after_all_iters_if).toEqual({ expr: "results.in1 === 0" });
    expect(findModule(insertModule(doc, { list: [], index: 0 }, copy), "inner_2")).not.toBeNull();
  });

  it("renames all at once when a new id is another copied module's old one", () => {
    const source: FlowModule = { id: "x", value: { type: "whileloopflow", modules: [step("x_2", "results.x")] } };
    const doc: FlowDocument = { value: { modules: [step("x")] } };
    const copy = cloneWithFreshIds(source, doc);
    expect(copy.id).toBe("x_2");
    const inner = (copy.value as { modules: FlowModule[] }).modules[0]!;
    expect(inner.id).toBe("x_3");
    expect(inner.value).toMatchObject({ input_transforms: { x: { expr: "results.x_2" } } });
  });
});
