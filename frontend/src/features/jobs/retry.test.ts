import { describe, expect, it } from "vitest";
import { formatDateTime } from "../../lib/format";
import { formatLimit } from "../../lib/limits";
import { describeRetryPolicy, retryProgress, totalRetries } from "./retry";

const POLICY = {
  constant: { attempts: 2, seconds: 5 },
  exponential: { attempts: 3, multiplier: 1, seconds: 2, random_factor: 10, max_seconds: 600 },
};

describe("retries", () => {
  it("counts and describes a policy", () => {
    expect(totalRetries(POLICY)).toBe(5);
    expect(totalRetries(null)).toBe(0);
    expect(totalRetries({ constant: { attempts: "2" } })).toBe(0);
    expect(describeRetryPolicy(POLICY)).toBe("2 every 5 s, then 3 exponential (1 × 2ⁿ s, at most 600 s, ±10%)");
    expect(describeRetryPolicy({ constant: { attempts: 1, seconds: 0 } })).toBe("1 at once");
    expect(describeRetryPolicy({})).toBeNull();
    expect(describeRetryPolicy(null)).toBeNull();
  });

  it("says where a job is in its retries", () => {
    const at = "2030-01-01T00:00:00Z";
    expect(retryProgress({ status: "queued", retries: 1, retry: POLICY, scheduled_for: at })).toBe(
      `retry 1 of 5, next at ${formatDateTime(at)}`,
    );
    expect(retryProgress({ status: "running", retries: 2, retry: POLICY, scheduled_for: at })).toBe("retry 2 of 5");
    expect(retryProgress({ status: "success", retries: 0, retry: POLICY })).toBe("none used of 5");
    expect(retryProgress({ status: "success", retries: 0, retry: null })).toBeNull();
  });
});

describe("formatLimit", () => {
  it("adds the unit", () => {
    expect(formatLimit("timeout_s", 60)).toBe("60 s");
    expect(formatLimit("memory_mb", 512)).toBe("512 MB");
    expect(formatLimit("open_files", 256)).toBe("256");
    expect(formatLimit("log_bytes", 1048576)).toBe("1 MiB");
    expect(formatLimit("log_bytes", 4096)).toBe("4 KiB");
    expect(formatLimit("log_bytes", 1500)).toBe("1,500 bytes");
  });
});
