import { describe, expect, it } from "vitest";
import { matchingSuggestions, trailingName } from "./ExpressionInput";
import { pathTokens, selectionForPath } from "./errorPaths";
import { flowDraftKey, loadFlowDraft, sameFlow, storeFlowDraft } from "./flowDraft";
import { stepResultsOf } from "./stepResults";
import { expressionSuggestions } from "./suggestions";
import { digestDoc } from "./testFlows";
import { staticArgs, switchMode } from "./transforms";
import type { FlowDocument } from "../model/types";

const NESTED: FlowDocument = {
  value: {
    modules: [
      { id: "fetch", value: { type: "identity" } },
      {
        id: "each",
        value: {
          type: "forloopflow",
          iterator: { type: "javascript", expr: "results.fetch" },
          modules: [{ id: "score", value: { type: "rawscript", language: "python3", content: "", input_transforms: {} } }],
        },
      },
    ],
    failure_module: { id: "alert", value: { type: "identity" } },
  },
};

describe("selectionForPath", () => {
  it("splits a field path into keys and indexes", () => {
    expect(pathTokens("value.modules[1].value.modules[0].value.iterator")).toEqual([
      "value", "modules", 1, "value", "modules", 0, "value", "iterator",
    ]);
  });

  it("finds the innermost step on the way to the field", () => {
    expect(selectionForPath(NESTED, "value.modules[1].value.iterator")).toBe("each");
    expect(selectionForPath(NESTED, "value.modules[1].value.modules[0].value.content")).toBe("score");
    expect(selectionForPath(NESTED, "value.failure_module.value.type")).toBe("alert");
  });

  it("selects the inputs for the schema, and nothing for a document-wide problem or a stale path", () => {
    expect(selectionForPath(NESTED, "schema.properties.count")).toBe("flow:input");
    expect(selectionForPath(NESTED, "")).toBeNull();
    expect(selectionForPath(NESTED, "value.modules[7].id")).toBeNull();
  });
});

describe("expressionSuggestions", () => {
  it("offers the inputs, the earlier steps' results with their keys, and previous_result", () => {
    const doc = digestDoc();
    expect(expressionSuggestions(doc, "fetch", {})).toEqual(["flow_input.count"]);
    expect(expressionSuggestions(doc, "send", { fetch: { rows: [], total: 2 } })).toEqual([
      "flow_input.count",
      "results.fetch",
      "results.fetch.rows",
      "results.fetch.total",
      "previous_result",
    ]);
  });

  it("adds the iteration inside a loop, and the error in the failure module", () => {
    expect(expressionSuggestions(NESTED, "score", {})).toEqual(
      expect.arrayContaining(["flow_input.iter.value", "flow_input.iter.index", "results.fetch", "results.each"]),
    );
    expect(expressionSuggestions(NESTED, "alert", {})).toEqual(expect.arrayContaining(["error", "error.message"]));
  });

  it("matches what is being typed at the end of the expression", () => {
    const all = ["flow_input.count", "results.fetch", "results.fetch.total"];
    expect(trailingName("1 + results.fe")).toBe("results.fe");
    expect(matchingSuggestions("1 + results.fe", all)).toEqual(["results.fetch", "results.fetch.total"]);
    expect(matchingSuggestions("", all)).toEqual(all);
    expect(matchingSuggestions("1 + ", all)).toEqual([]);
  });
});

describe("stepResultsOf", () => {
  it("reads each step's result from a finished run, the last iteration winning", () => {
    const status = {
      steps: {
        fetch: { id: "fetch", status: "success", result: [1, 2] },
        "each/0/score": { id: "score", status: "success", result: { big: false } },
        "each/1/score": { id: "score", status: "success", result: { big: true } },
        waiting: { id: "waiting", status: "waiting" },
      },
    };
    expect(stepResultsOf(status)).toEqual({ fetch: [1, 2], score: { big: true } });
    expect(stepResultsOf(null)).toEqual({});
  });
});

describe("input transforms", () => {
  it("switches between a static value and an expression, keeping what can be kept", () => {
    expect(switchMode({ type: "static", value: { a: 1 } }, "javascript", "")).toEqual({ type: "javascript", expr: '{"a":1}' });
    expect(switchMode(undefined, "javascript", "flow_input.name")).toEqual({ type: "javascript", expr: "flow_input.name" });
    expect(switchMode({ type: "javascript", expr: "[1, 2]" }, "static", "")).toEqual({ type: "static", value: [1, 2] });
    expect(switchMode({ type: "javascript", expr: "results.a" }, "static", "")).toEqual({ type: "static" });
  });

  it("takes a test's arguments from the static inputs", () => {
    expect(
      staticArgs({ a: { type: "static", value: 1 }, b: { type: "javascript", expr: "x" }, c: { type: "static" } }),
    ).toEqual({ a: 1 });
  });
});

describe("flow drafts", () => {
  it("stores and reads a draft under its flow's key, and ignores garbage", () => {
    const key = flowDraftKey("demo", null);
    expect(key).toBe("kiln.flowdraft.demo.new");
    storeFlowDraft(key, { path: "f/a/b", doc: digestDoc(), baseHash: null }, new Date("2025-01-02T10:00:00Z"));
    expect(loadFlowDraft(key)).toMatchObject({ path: "f/a/b", savedAt: "2025-01-02T10:00:00.000Z" });
    window.localStorage.setItem(key, "{not json");
    expect(loadFlowDraft(key)).toBeNull();
    window.localStorage.clear();
  });

  it("compares documents by content, not key order", () => {
    const a = { path: "p", doc: { summary: "s", value: { modules: [] } } };
    const b = { path: "p", doc: { value: { modules: [] }, summary: "s" } };
    expect(sameFlow(a, b)).toBe(true);
    expect(sameFlow(a, { ...b, path: "q" })).toBe(false);
  });
});
