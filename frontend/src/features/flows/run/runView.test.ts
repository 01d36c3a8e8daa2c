import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ORDER_DIGEST_YAML } from "../model/fixtures.testing";
import { laneId } from "../model/graph";
import type { FlowDocument } from "../model/types";
import { runView } from "./runView";

const doc = parse(ORDER_DIGEST_YAML) as FlowDocument;
const T0 = "2025-01-02T10:00:00+00:00";
const T1 = "2025-01-02T10:00:01.500000+00:00";

const STATUS = {
  steps: {
    fetch: { id: "fetch", status: "success", job: "j1", started_at: T0, finished_at: T1, result: [1, 2] },
    score: { id: "score", status: "success", iters: { "0": { status: "success" }, "1": { status: "success" }, "2": { status: "failure" } } },
    "score/0/score_one": { status: "success" },
    "score/1/score_one": { status: "skipped" },
    "score/2/score_one": { status: "failure", error: { message: "boom" } },
    decide: { id: "decide", status: "running", branch: 0 },
    "decide/0/approve": { status: "suspended" },
    send: { id: "send", status: "waiting" },
  },
};

describe("runView", () => {
  it("gives each step its status and duration, a loop its iterations, its body the latest one", () => {
    const view = runView(doc, STATUS);
    expect(view.statuses.fetch).toEqual({ status: "success", duration_ms: 1500 });
    expect(view.statuses.score).toMatchObject({ status: "success", iterations: 3, iteration: 2 });
    expect(view.statuses.score_one?.status).toBe("failure");
    expect(view.places.score_one).toBe("score/2/score_one");
    expect(view.statuses.send?.status).toBe("waiting");
    expect(view.steps["score/2/score_one"]).toMatchObject({ error: { message: "boom" } });
  });

  it("shows the iteration asked for, kept within the ones that ran", () => {
    expect(runView(doc, STATUS, { score: 1 }).statuses.score_one?.status).toBe("skipped");
    expect(runView(doc, STATUS, { score: 1 }).places.score_one).toBe("score/1/score_one");
    expect(runView(doc, STATUS, { score: 9 }).statuses.score).toMatchObject({ iteration: 2 });
  });

  it("marks the branch taken and dims the others; a branch not yet chosen is neither", () => {
    const view = runView(doc, STATUS);
    expect(view.statuses[laneId("decide", 0)]).toEqual({ status: "running", chosen: true });
    expect(view.statuses[laneId("decide", "default")]).toEqual({ status: "waiting", chosen: false });
    expect(view.statuses.approve?.status).toBe("suspended");
    expect(view.statuses.nothing?.status).toBe("waiting");
    const before = runView(doc, { steps: { fetch: { status: "running" } } });
    expect(before.statuses[laneId("decide", 0)]).toEqual({ status: "waiting" });
    expect(before.statuses.score).toMatchObject({ status: "waiting", iterations: 0 });
  });

  it("gives the failure module a status only in a run that reached it", () => {
    expect(runView(doc, STATUS).statuses.failure).toBeUndefined();
    const failed = runView(doc, { steps: { ...STATUS.steps, failure: { status: "success" } } });
    expect(failed.statuses.failure?.status).toBe("success");
  });

  it("reads a branchall's branches from its parts", () => {
    const all: FlowDocument = {
      value: {
        modules: [
          { id: "fan", value: { type: "branchall", branches: [{ modules: [] }, { modules: [] }] } },
        ],
      },
    };
    const view = runView(all, { steps: { fan: { status: "running", iters: { "0": { status: "success" } } } } });
    expect(view.statuses[laneId("fan", 0)]).toEqual({ status: "success", chosen: true });
    expect(view.statuses[laneId("fan", 1)]).toEqual({ status: "waiting" });
  });
});
