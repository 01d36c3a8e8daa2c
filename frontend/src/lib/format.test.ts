import { describe, expect, it } from "vitest";
import { formatDuration, formatJson, formatRelative, shortHash } from "./format";

describe("format", () => {
  it("formats durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_300)).toBe("12.3 s");
    expect(formatDuration(125_000)).toBe("2m 5s");
    expect(formatDuration(3_725_000)).toBe("1h 2m");
  });

  it("formats relative times", () => {
    const now = Date.parse("2025-01-02T12:00:00Z");
    expect(formatRelative("2025-01-02T11:59:50Z", now)).toBe("just now");
    expect(formatRelative("2025-01-02T11:55:00Z", now)).toMatch(/5/);
    expect(formatRelative("not a date", now)).toBe("not a date");
  });

  it("shortens hashes to 8 characters", () => {
    expect(shortHash("0123456789abcdef")).toBe("01234567");
  });

  it("pretty-prints JSON, showing an absent value as null", () => {
    expect(formatJson({ a: [1, 2] })).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatJson("hi")).toBe('"hi"');
    expect(formatJson(undefined)).toBe("null");
  });
});
