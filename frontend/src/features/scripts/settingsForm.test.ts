import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { draftFromSettings, placeError, settingsErrors, settingsFromDraft } from "./settingsForm";

describe("settings draft", () => {
  it("round-trips stored settings", () => {
    const stored = {
      limits: { timeout_s: 30, log_bytes: 4096 },
      network: "internet" as const,
      retry: {
        constant: { attempts: 1, seconds: 0.5 },
        exponential: { attempts: 2, multiplier: 1.5, seconds: 3, random_factor: 20, max_seconds: 60 },
      },
      tag: "etl",
      priority: 100,
      warm: true,
      concurrency: { limit: 1, key: "k-$args[x]" },
    };
    expect(settingsFromDraft(draftFromSettings(stored))).toEqual(stored);
  });

  it("sends empty settings as the defaults", () => {
    expect(settingsFromDraft(draftFromSettings({}))).toEqual({
      limits: {},
      network: null,
      retry: null,
      tag: null,
      priority: 0,
      warm: false,
      concurrency: null,
    });
    expect(draftFromSettings(null).limits.memory_mb).toBe("");
  });

  it("sends half-filled parts as typed, for the API to say what is missing", () => {
    const draft = draftFromSettings({});
    draft.concurrency.key = "per-customer";
    draft.exponential.seconds = "4";
    expect(settingsFromDraft(draft)).toMatchObject({
      concurrency: { key: "per-customer" },
      retry: { exponential: { seconds: 4 } },
    });
  });
});

describe("settings errors", () => {
  it("places an API field at the form's input or its nearest group", () => {
    expect(placeError("settings.tag")).toBe("tag");
    expect(placeError("settings.limits.memory_mb")).toBe("limits.memory_mb");
    expect(placeError("settings.limits")).toBe("limits");
    expect(placeError("settings.retry.constant")).toBe("retry.constant");
    expect(placeError("body.payload.retry.exponential.attempts")).toBe("retry.exponential.attempts");
    expect(placeError("settings.limits.bogus")).toBe("limits");
    expect(placeError("settings")).toBe("");
    expect(placeError("whatever")).toBe("");
  });

  it("reads both shapes of a 400 and anything else as about the form", () => {
    expect(settingsErrors(new ApiError(400, "bad tag", { field: "settings.tag" }))).toEqual({ tag: "bad tag" });
    expect(
      settingsErrors(
        new ApiError(400, "invalid settings: limits.cpu_s must be at least 1 (got 0)", {
          field: "settings.limits",
          problems: ["limits.cpu_s must be at least 1 (got 0)", "limits.open_files must be at least 16 (got 1)"],
        }),
      ),
    ).toEqual({
      "limits.cpu_s": "limits.cpu_s must be at least 1 (got 0)",
      "limits.open_files": "limits.open_files must be at least 16 (got 1)",
    });
    expect(
      settingsErrors(
        new ApiError(400, "invalid request: …", [
          { loc: ["body", "payload", "concurrency", "limit"], msg: "Field required" },
          { loc: ["body", "payload", "priority"], msg: "Input should be less than or equal to 100" },
        ]),
      ),
    ).toEqual({ "concurrency.limit": "Field required", priority: "Input should be less than or equal to 100" });
    expect(settingsErrors(new ApiError(400, "invalid settings", { field: "settings" }))).toEqual({
      "": "invalid settings",
    });
    expect(settingsErrors(new ApiError(403, "forbidden"))).toEqual({ "": "forbidden" });
    expect(settingsErrors(null)).toEqual({});
  });
});
