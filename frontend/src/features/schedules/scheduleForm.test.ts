import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import {
  bodyFromDraft,
  draftFromSchedule,
  emptyDraft,
  isoToLocalInput,
  localInputToIso,
  placeError,
  scheduleErrors,
} from "./scheduleForm";
import { schedule } from "./testData";
import { wallClock } from "./time";

describe("schedule form helpers", () => {
  it("turns the browser's wall clock into a UTC instant and back", () => {
    const iso = localInputToIso("2025-06-01T09:30");
    expect(iso).toBe(new Date(2025, 5, 1, 9, 30).toISOString());
    expect(isoToLocalInput(iso)).toBe("2025-06-01T09:30");
    expect(isoToLocalInput(localInputToIso("2025-06-01T09:30:15"))).toBe("2025-06-01T09:30:15");
    expect(localInputToIso("tomorrow")).toBeNull();
    expect(isoToLocalInput(null)).toBe("");
  });

  it("sends an empty draft's handlers and retry as null and its time zone as UTC when empty", () => {
    const result = bodyFromDraft({ ...emptyDraft("u/ada/greet"), timezone: " ", cron: " @daily " });
    expect(result).toEqual({
      ok: true,
      body: expect.objectContaining({
        script_path: "u/ada/greet",
        cron: "@daily",
        timezone: "UTC",
        args: {},
        paused_until: null,
        catch_up: "skip",
        catch_up_max: 100,
        retry: null,
        on_failure: null,
        on_recovery: null,
        on_success: null,
      }),
    });
  });

  it("round-trips a stored schedule", () => {
    const stored = schedule({
      paused_until: "2025-06-01T07:30:00Z",
      catch_up: "latest",
      on_recovery: { path: "f/ops/page_oncall", args: {} },
      retry: { constant: { attempts: 1 } },
    });
    const result = bodyFromDraft(draftFromSchedule(stored));
    expect(result.ok && result.body).toMatchObject({
      path: "u/ada/nightly",
      args: { name: "world" },
      paused_until: "2025-06-01T07:30:00.000Z",
      catch_up: "latest",
      on_recovery: { path: "f/ops/page_oncall" },
      retry: { constant: { attempts: 1 } },
    });
  });

  it("places the API's field at the form's input", () => {
    expect(placeError("cron")).toBe("cron");
    expect(placeError("tz")).toBe("timezone");
    expect(placeError("on_failure")).toBe("on_failure.path");
    expect(placeError("on_success.args")).toBe("on_success.path");
    expect(placeError("retry.constant.attempts")).toBe("retry");
    expect(placeError("enabled")).toBe("");
    expect(scheduleErrors(new ApiError(409, "a schedule 'u/ada/x' exists", { field: "path" }))).toEqual({
      path: "a schedule 'u/ada/x' exists",
    });
    expect(scheduleErrors(new ApiError(0, "Network error: offline"))).toEqual({ "": "Network error: offline" });
  });

  it("writes the server's wall-clock times without converting them", () => {
    expect(wallClock("2025-03-30T03:00:00+02:00")).toEqual({
      text: expect.stringMatching(/30.*2025.*03:00:00/),
      offset: "+02:00",
    });
    expect(wallClock("not a time")).toEqual({ text: "not a time", offset: "" });
  });
});
