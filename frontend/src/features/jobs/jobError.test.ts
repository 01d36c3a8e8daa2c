import { describe, expect, it } from "vitest";
import { formatJobError, readJobError } from "./jobError";

describe("readJobError", () => {
  it("reads name, message and traceback", () => {
    expect(readJobError({ name: "KeyError", message: "'x'", traceback: "Traceback…" })).toEqual({
      name: "KeyError",
      message: "'x'",
      traceback: "Traceback…",
    });
  });

  it("tolerates missing or odd fields and rejects non-objects", () => {
    expect(readJobError({ message: 3 })).toEqual({ name: "Error", message: "", traceback: "" });
    expect(readJobError(null)).toBeNull();
    expect(readJobError(undefined)).toBeNull();
    expect(readJobError("boom")).toBeNull();
    expect(readJobError(["boom"])).toBeNull();
  });
});

describe("formatJobError", () => {
  it("puts name and message first, then the traceback", () => {
    expect(formatJobError({ name: "ValueError", message: "boom", traceback: "Traceback\n  line\n\n" })).toBe(
      "ValueError: boom\n\nTraceback\n  line",
    );
    expect(formatJobError({ name: "Timeout", message: "", traceback: "" })).toBe("Timeout");
  });
});
