import { describe, expect, it } from "vitest";
import { flowStepRows, isActiveStep, restartableSteps, STEP_STATUSES } from "./flowSteps";

const T0 = "2025-01-02T10:00:00+00:00";
const T1 = "2025-01-02T10:00:01.500000+00:00";

/** A flow_status as GET …/jobs/{id} returns it: a fetch, a loop of two, a branch, an approval. */
const STATUS = {
  started_at: T0,
  steps: {
    fetch: { id: "fetch", type: "rawscript", status: "success", job: "job-fetch", started_at: T0, finished_at: T1 },
    score: {
      id: "score",
      type: "forloopflow",
      status: "success",
      started_at: T0,
      finished_at: T1,
      items: [1, 2],
      iters: { "0": { status: "success" }, "1": { status: "success" } },
    },
    "score/0/score_one": { id: "score_one", type: "script", status: "success", job: "job-s0", started_at: T0 },
    "score/1/score_one": { id: "score_one", type: "script", status: "success", cached: true, started_at: T0 },
    decide: { id: "decide", type: "branchone", status: "running", branch: 0, started_at: T0 },
    "decide/0/approve": {
      id: "approve",
      type: "identity",
      status: "suspended",
      started_at: T0,
      approvals: [{ approver: "bob@example.com" }],
      required_events: 2,
    },
  },
};

describe("flowStepRows", () => {
  it("lists the started steps in order, with their depth, parent and slot", () => {
    const rows = flowStepRows(STATUS);
    expect(rows.map((r) => [r.key, r.depth, r.parent, r.slot, r.id])).toEqual([
      ["fetch", 0, null, null, "fetch"],
      ["score", 0, null, null, "score"],
      ["score/0/score_one", 1, "score", "0", "score_one"],
      ["score/1/score_one", 1, "score", "1", "score_one"],
      ["decide", 0, null, null, "decide"],
      ["decide/0/approve", 1, "decide", "0", "approve"],
    ]);
  });

  it("reads a step's type, status, job, timings and tags", () => {
    const [fetch, , first, second] = flowStepRows(STATUS);
    expect(fetch).toMatchObject({
      type: "rawscript",
      status: "success",
      job: "job-fetch",
      startedAt: T0,
      finishedAt: T1,
      durationMs: 1500,
      cached: false,
      reused: false,
      approvals: null,
      requiredEvents: null,
      error: null,
    });
    // Not finished: no duration.
    expect(first).toMatchObject({ job: "job-s0", durationMs: null });
    // A cache hit ran no job.
    expect(second).toMatchObject({ cached: true, job: null });
  });

  it("counts a loop's iterations and names a branchone's chosen branch", () => {
    const rows = flowStepRows(STATUS);
    expect(rows.find((r) => r.key === "score")).toMatchObject({ iterations: 2, branch: null });
    expect(rows.find((r) => r.key === "decide")).toMatchObject({ iterations: null, branch: "0" });
    const fallback = flowStepRows({ steps: { pick: { type: "branchone", status: "success", branch: "default" } } });
    expect(fallback[0]?.branch).toBe("default");
    const empty = flowStepRows({ steps: { poll: { type: "whileloopflow", status: "running", iters: {} } } });
    expect(empty[0]?.iterations).toBe(0);
  });

  it("says how many approvals a suspended step has and needs", () => {
    const approve = flowStepRows(STATUS).find((r) => r.key === "decide/0/approve");
    expect(approve).toMatchObject({ status: "suspended", approvals: 1, requiredEvents: 2 });
    const single = flowStepRows({ steps: { ok: { type: "identity", status: "suspended", approvals: [] } } });
    expect(single[0]).toMatchObject({ approvals: 0, requiredEvents: 1 });
  });

  it("nests steps at any depth and groups parallel iterations under their loop", () => {
    const rows = flowStepRows({
      steps: {
        outer: { type: "forloopflow", status: "running", iters: { "0": {}, "1": {} } },
        "outer/0/inner": { type: "branchall", status: "running", iters: {} },
        "outer/1/inner": { type: "branchall", status: "running", iters: {} },
        "outer/0/inner/1/leaf": { type: "rawscript", status: "running", job: "j1" },
        "outer/1/inner/0/leaf": { type: "rawscript", status: "running", job: "j2" },
        "outer/0/inner/default/other": { type: "rawscript", status: "skipped" },
      },
    });
    expect(rows.map((r) => `${"  ".repeat(r.depth)}${r.key}`)).toEqual([
      "outer",
      "  outer/0/inner",
      "    outer/0/inner/1/leaf",
      "    outer/0/inner/default/other",
      "  outer/1/inner",
      "    outer/1/inner/0/leaf",
    ]);
    expect(rows[3]).toMatchObject({ parent: "outer/0/inner", slot: "default", id: "other", status: "skipped" });
  });

  it("keeps every status the server sends, and an error's message", () => {
    const steps: Record<string, Record<string, unknown>> = Object.fromEntries(
      STEP_STATUSES.map((status) => [status, { type: "rawscript", status }]),
    );
    steps.canceled = {
      type: "identity",
      status: "canceled",
      error: { name: "Canceled", message: "rejected by bob at step 'canceled'" },
    };
    const rows = flowStepRows({ steps });
    expect(rows.map((r) => r.status)).toEqual([...STEP_STATUSES]);
    expect(rows.find((r) => r.key === "canceled")?.error).toBe("rejected by bob at step 'canceled'");
    expect(rows.filter((r) => isActiveStep(r.status)).map((r) => r.key)).toEqual(["running", "suspended", "sleeping"]);
  });

  it("marks steps reused by a restart", () => {
    const rows = flowStepRows({ steps: { fetch: { type: "rawscript", status: "success", reused: true } } });
    expect(rows[0]?.reused).toBe(true);
  });

  it("copes with no status, no steps and malformed nodes", () => {
    expect(flowStepRows(null)).toEqual([]);
    expect(flowStepRows({})).toEqual([]);
    expect(flowStepRows({ steps: [] })).toEqual([]);
    const rows = flowStepRows({ steps: { a: "nonsense", b: {}, "gone/0/c": { status: "success" } } });
    // A step whose container is missing is still listed, where it started.
    expect(rows.map((r) => [r.key, r.status, r.type, r.depth])).toEqual([
      ["b", "unknown", "", 0],
      ["gone/0/c", "success", "", 1],
    ]);
  });
});

describe("restartableSteps", () => {
  it("offers the top-level steps the run started, in order", () => {
    expect(restartableSteps(STATUS)).toEqual(["fetch", "score", "decide"]);
  });

  it("leaves out the failure module of a run that reached it", () => {
    const status = {
      phase: "failure",
      steps: {
        fetch: { status: "success" },
        send: { status: "failure" },
        failure: { status: "success" },
      },
    };
    expect(restartableSteps(status)).toEqual(["fetch", "send"]);
  });

  it("offers nothing when no step started", () => {
    expect(restartableSteps(null)).toEqual([]);
    expect(restartableSteps({ steps: {} })).toEqual([]);
  });
});
