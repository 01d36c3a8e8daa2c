import { describe, expect, it } from "vitest";
import { worker } from "./testData";
import {
  busyPercent,
  hiddenJobsText,
  pollIntervalMs,
  sortWorkers,
  summarize,
  summaryText,
  WORKERS_FALLBACK_POLL_MS,
  WORKERS_MIN_POLL_MS,
  type Worker,
} from "./workers";

const w = (overrides: Record<string, unknown>) => worker(overrides) as Worker;

describe("summarize", () => {
  it("counts live workers and their busy and total slots; gone ones only as gone", () => {
    const summary = summarize([
      w({ id: "a:1", busy: 1, slots: 4 }),
      w({ id: "b:2", busy: 2, slots: 2 }),
      w({ id: "c:3", busy: 3, slots: 8, alive: false }),
    ]);
    expect(summary).toEqual({ live: 2, gone: 1, busy: 3, slots: 6 });
  });

  it("is all zeros without workers", () => {
    expect(summarize([])).toEqual({ live: 0, gone: 0, busy: 0, slots: 0 });
  });
});

describe("summaryText", () => {
  it("says how many are live and how busy, and how many stopped when there are some", () => {
    expect(summaryText({ live: 2, gone: 0, busy: 3, slots: 8 })).toBe("2 live workers · 3 / 8 slots busy");
    expect(summaryText({ live: 1, gone: 1, busy: 0, slots: 1 })).toBe("1 live worker · 0 / 1 slot busy · 1 stopped");
  });
});

describe("busyPercent", () => {
  it("is the share of busy slots, 0 for a worker without slots", () => {
    expect(busyPercent({ busy: 1, slots: 4 })).toBe(25);
    expect(busyPercent({ busy: 4, slots: 4 })).toBe(100);
    expect(busyPercent({ busy: 0, slots: 0 })).toBe(0);
  });
});

describe("sortWorkers", () => {
  it("puts live workers first, then orders by hostname and id, without touching its input", () => {
    const input = [
      w({ id: "zed:1", hostname: "zed" }),
      w({ id: "alpha:9", hostname: "alpha", alive: false }),
      w({ id: "beta:2", hostname: "beta" }),
      w({ id: "beta:1", hostname: "beta" }),
    ];
    expect(sortWorkers(input).map((x) => x.id)).toEqual(["beta:1", "beta:2", "zed:1", "alpha:9"]);
    expect(input[0]!.id).toBe("zed:1");
  });
});

describe("hiddenJobsText", () => {
  it("adds to the listed jobs, or stands alone when none is listed", () => {
    expect(hiddenJobsText(2, 1)).toBe("and 2 more in other workspaces");
    expect(hiddenJobsText(1, 0)).toBe("1 running in other workspaces");
  });
});

describe("pollIntervalMs", () => {
  it("is the heartbeat, with a floor, and a fallback until the API has said", () => {
    expect(pollIntervalMs(15)).toBe(15_000);
    expect(pollIntervalMs(0.1)).toBe(WORKERS_MIN_POLL_MS);
    expect(pollIntervalMs(undefined)).toBe(WORKERS_FALLBACK_POLL_MS);
    expect(pollIntervalMs(0)).toBe(WORKERS_FALLBACK_POLL_MS);
  });
});
