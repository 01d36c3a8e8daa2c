import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allModuleIds, findModule, insertModule, removeModule, renameModule, updateModule } from "./edits";
import { kitchenSink } from "./fixtures.testing";
import { COALESCE_MS, createFlowEditorStore, HISTORY_LIMIT, isDirty } from "./store";
import type { FlowDocument, FlowModule } from "./types";

const step = (id: string): FlowModule => ({ id, value: { type: "identity" } });
const doc = (...ids: string[]): FlowDocument => ({ value: { modules: ids.map(step) } });

function setInput(value: string) {
  return (d: FlowDocument) =>
    updateModule(d, "a", (m) => ({
      ...m,
      value: { type: "script", path: "p", input_transforms: { x: { type: "static", value } } },
    }));
}

const inputOf = (d: FlowDocument) => (findModule(d, "a")?.module.value as { input_transforms?: { x?: { value?: unknown } } })
  .input_transforms?.x?.value;

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

describe("the flow editor store", () => {
  it("undoes and redoes edits, step inputs included", () => {
    const store = createFlowEditorStore({ doc: doc("a") });
    const s = () => store.getState();
    s().apply(setInput("one"));
    s().apply((d) => insertModule(d, { list: [], index: 1 }, step("b")));
    s().apply(setInput("two"));
    expect(inputOf(s().doc)).toBe("two");

    s().undo();
    expect(inputOf(s().doc)).toBe("one");
    expect(allModuleIds(s().doc)).toEqual(["a", "b"]);
    s().undo();
    expect(allModuleIds(s().doc)).toEqual(["a"]);
    s().undo();
    expect(inputOf(s().doc)).toBeUndefined();
    s().undo(); // nothing left: a no-op
    expect(s().past).toHaveLength(0);

    s().redo();
    s().redo();
    s().redo();
    expect(inputOf(s().doc)).toBe("two");
    expect(s().future).toHaveLength(0);
  });

  it("clears the redo stack on a new edit, and ignores an edit that changes nothing", () => {
    const store = createFlowEditorStore({ doc: doc("a") });
    const s = () => store.getState();
    s().apply(setInput("one"));
    s().undo();
    s().apply((d) => d);
    expect(s().future).toHaveLength(1);
    s().apply(setInput("other"));
    expect(s().future).toHaveLength(0);
  });

  it("merges typing in one field into one undo step, but not across fields or pauses", () => {
    const store = createFlowEditorStore({ doc: doc("a") });
    const s = () => store.getState();
    for (const text of ["h", "he", "hel", "hell", "hello"]) {
      s().apply(setInput(text), { coalesce: "a.x" });
      vi.advanceTimersByTime(COALESCE_MS / 2);
    }
    expect(s().past).toHaveLength(1);
    vi.advanceTimersByTime(COALESCE_MS);
    s().apply(setInput("hello!"), { coalesce: "a.x" });
    s().apply((d) => renameModule(d, "a", "a2"), { coalesce: "a.id" });
    expect(s().past).toHaveLength(3);
    s().undo();
    s().undo();
    expect(inputOf(s().doc)).toBe("hello");
    s().undo();
    expect(inputOf(s().doc)).toBeUndefined();
  });

  it("keeps at most HISTORY_LIMIT undo steps", () => {
    const store = createFlowEditorStore({ doc: doc("a") });
    for (let i = 0; i < HISTORY_LIMIT + 20; i += 1) store.getState().apply(setInput(String(i)));
    expect(store.getState().past).toHaveLength(HISTORY_LIMIT);
  });

  it("pastes a copy with fresh ids, nested ids too, and selects it", () => {
    const store = createFlowEditorStore({ doc: kitchenSink() });
    const s = () => store.getState();
    s().copy("inner");
    s().paste({ list: [], index: 0 });
    s().paste({ list: [], index: 0 });
    const ids = allModuleIds(s().doc);
    expect(ids.slice(0, 8)).toEqual(["inner_3", "fan_3", "l1_3", "tick_3", "inner_2", "fan_2", "l1_2", "tick_2"]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(s().selected).toBe("inner_3");
    s().undo();
    expect(allModuleIds(s().doc)).not.toContain("inner_3");
  });

  it("drops a selection whose module is gone and follows a rename", () => {
    const store = createFlowEditorStore({ doc: doc("a", "b") });
    const s = () => store.getState();
    s().select("a");
    s().apply((d) => renameModule(d, "a", "first"));
    expect(s().selected).toBe("first");
    s().apply((d) => removeModule(d, "first"));
    expect(s().selected).toBeNull();
    s().select("flow:input");
    s().undo();
    expect(s().selected).toBe("flow:input");
  });

  it("loads a flow with a fresh history, and is dirty until the document matches the deployed one", () => {
    const store = createFlowEditorStore();
    const s = () => store.getState();
    expect(isDirty(s())).toBe(true); // never deployed
    s().apply((d) => insertModule(d, { list: [], index: 0 }, step("x")));
    s().setTestResult("x", 1);
    s().load(doc("a"), { path: "f/a/b", baseHash: "h1", saved: true });
    expect(s()).toMatchObject({ path: "f/a/b", baseHash: "h1", past: [], future: [], testResults: {}, selected: null });
    expect(isDirty(s())).toBe(false);
    s().apply(setInput("one"));
    expect(isDirty(s())).toBe(true);
    s().markDeployed(s().doc, "h2");
    expect(isDirty(s())).toBe(false);
    expect(s().baseHash).toBe("h2");
    // Equal by value is not dirty, whatever the key order or undefined keys.
    s().apply((d) => ({ ...structuredClone(d), summary: undefined }));
    expect(isDirty(s())).toBe(false);
  });

  it("keeps a test result per module", () => {
    const store = createFlowEditorStore();
    store.getState().setTestResult("a", { ok: 1 });
    store.getState().setTestResult("b", 2);
    expect(store.getState().testResults).toEqual({ a: { ok: 1 }, b: 2 });
  });
});
