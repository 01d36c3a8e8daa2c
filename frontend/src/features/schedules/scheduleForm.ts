import { isApiError, type Schedule, type ScheduleInput } from "../../api/client";
import { formatJson } from "../../lib/format";
import { parseArgs } from "../scripts/ArgsForm";

export const CATCH_UP = ["skip", "latest", "all"] as const;
export type CatchUp = (typeof CATCH_UP)[number];

/** The catch-up policies as the form offers them (the field's hint says what "missed" means). */
export const CATCH_UP_HELP: Readonly<Record<CatchUp, string>> = {
  skip: "Skip: run none of them",
  latest: "Latest: run the most recent once",
  all: "All: run each, oldest first",
};

type Args = Record<string, unknown>;

/**
 * The schedule form as typed: strings for what the user types (kept as is when the
 * API refuses it), JSON as text. Handlers keep the `args` they were stored with,
 * which the form does not edit.
 */
export interface ScheduleDraft {
  path: string;
  /** The script's path, or the flow's when `is_flow`. */
  script_path: string;
  is_flow: boolean;
  /** JSON text of the script's (or flow's) arguments. */
  args: string;
  cron: string;
  timezone: string;
  summary: string;
  enabled: boolean;
  catch_up: CatchUp;
  catch_up_max: string;
  no_overlap: boolean;
  /** A `datetime-local` value in the browser's time zone; "": not paused. */
  paused_until: string;
  on_failure: { path: string; times: string; args: Args };
  on_recovery: { path: string; args: Args };
  on_success: { path: string; args: Args };
  /** JSON text of a retry object; "": the script's own retries. */
  retry: string;
}

/** The browser's IANA time zone, the default of a new schedule's. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Every IANA zone the browser knows (for the time zone's suggestions), or none. */
export function knownTimeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

export function emptyDraft(scriptPath = ""): ScheduleDraft {
  return {
    path: "",
    script_path: scriptPath,
    is_flow: false,
    args: "{}",
    cron: "",
    timezone: browserTimeZone(),
    summary: "",
    enabled: true,
    catch_up: "skip",
    catch_up_max: "100",
    no_overlap: false,
    paused_until: "",
    on_failure: { path: "", times: "1", args: {} },
    on_recovery: { path: "", args: {} },
    on_success: { path: "", args: {} },
    retry: "",
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function handlerDraft(value: unknown): { path: string; times: string; args: Args } {
  const handler = record(value);
  return {
    path: typeof handler.path === "string" ? handler.path : "",
    times: typeof handler.times === "number" ? String(handler.times) : "1",
    args: record(handler.args),
  };
}

/** `times` is on_failure's alone. */
function withoutTimes({ path, args }: { path: string; args: Args }): { path: string; args: Args } {
  return { path, args };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** An instant as a `datetime-local` value in the browser's time zone ("" when there is none). */
export function isoToLocalInput(iso: string | null): string {
  if (iso === null) return "";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const date = `${pad(at.getFullYear(), 4)}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  return `${date}T${time}${at.getSeconds() ? `:${pad(at.getSeconds())}` : ""}`;
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** A `datetime-local` value (the browser's wall clock) as an ISO instant in UTC; null if it is not one. */
export function localInputToIso(value: string): string | null {
  const match = LOCAL_INPUT.exec(value.trim());
  if (!match) return null;
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match.slice(1).map((p) => Number(p ?? "0"));
  const at = new Date(year, month - 1, day, hour, minute, second);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

export function draftFromSchedule(schedule: Schedule): ScheduleDraft {
  const catchUp = CATCH_UP.find((c) => c === schedule.catch_up) ?? "skip";
  return {
    path: schedule.path,
    script_path: schedule.script_path,
    is_flow: schedule.is_flow,
    args: formatJson(schedule.args),
    cron: schedule.cron,
    timezone: schedule.timezone,
    summary: schedule.summary,
    enabled: schedule.enabled,
    catch_up: catchUp,
    catch_up_max: String(schedule.catch_up_max),
    no_overlap: schedule.no_overlap,
    paused_until: isoToLocalInput(schedule.paused_until),
    on_failure: handlerDraft(schedule.on_failure),
    on_recovery: withoutTimes(handlerDraft(schedule.on_recovery)),
    on_success: withoutTimes(handlerDraft(schedule.on_success)),
    retry: schedule.retry === null ? "" : formatJson(schedule.retry),
  };
}

/** Errors to show, by form key (a field's API name, e.g. `on_failure.path`; "" = the whole form). */
export type FormErrors = Record<string, string>;

/**
 * A number field's value for the API. Anything that is not a number is sent as
 * typed, for the API to refuse with a message at that field.
 */
function num(value: string, fallback: number): number {
  const trimmed = value.trim();
  if (trimmed === "") return fallback;
  const n = Number(trimmed);
  return (Number.isFinite(n) ? n : trimmed) as number;
}

function handlerBody(path: string, args: Args, times?: string): ScheduleInput["on_failure"] {
  const trimmed = path.trim();
  if (trimmed === "") return null;
  return {
    path: trimmed,
    ...(Object.keys(args).length > 0 ? { args } : {}),
    ...(times !== undefined ? { times: num(times, 1) } : {}),
  };
}

export type DraftResult = { ok: true; body: ScheduleInput } | { ok: false; errors: FormErrors };

/**
 * The body of `POST …/schedules` or `PUT …/schedules/p/{path}` (the whole schedule),
 * or what is wrong with the draft before asking the API (JSON that does not parse,
 * a pause that is not a date). An empty handler is sent as null: a PUT removes it.
 */
export function bodyFromDraft(draft: ScheduleDraft): DraftResult {
  const errors: FormErrors = {};
  const args = parseArgs(draft.args);
  if (!args.ok) errors.args = args.message;

  let retry: Args | null = null;
  if (draft.retry.trim() !== "") {
    const parsed = parseArgs(draft.retry);
    if (parsed.ok) retry = parsed.args;
    else errors.retry = parsed.message.replace("The arguments must be", "Retry must be");
  }

  let pausedUntil: string | null = null;
  if (draft.paused_until.trim() !== "") {
    pausedUntil = localInputToIso(draft.paused_until);
    if (pausedUntil === null) errors.paused_until = "Not a date and time";
  }

  if (!args.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      path: draft.path.trim(),
      script_path: draft.script_path.trim(),
      is_flow: draft.is_flow,
      args: args.args,
      cron: draft.cron.trim(),
      timezone: draft.timezone.trim() || "UTC",
      summary: draft.summary.trim(),
      enabled: draft.enabled,
      paused_until: pausedUntil,
      catch_up: draft.catch_up,
      catch_up_max: num(draft.catch_up_max, 100),
      no_overlap: draft.no_overlap,
      retry,
      on_failure: handlerBody(draft.on_failure.path, draft.on_failure.args, draft.on_failure.times),
      on_recovery: handlerBody(draft.on_recovery.path, draft.on_recovery.args),
      on_success: handlerBody(draft.on_success.path, draft.on_success.args),
    },
  };
}

/** Every field of the form, by the API's name for it. */
export const FIELD_KEYS: readonly string[] = [
  "path",
  "script_path",
  "args",
  "cron",
  "timezone",
  "summary",
  "catch_up",
  "catch_up_max",
  "no_overlap",
  "paused_until",
  "retry",
  "on_failure.path",
  "on_failure.times",
  "on_recovery.path",
  "on_success.path",
];

/**
 * Where an error about the API field `field` is shown: that field; for a handler
 * (`on_failure`, `on_failure.args`) its path; for `retry.constant.attempts` the retry
 * field; else "" (above the buttons).
 */
export function placeError(field: string): string {
  let key = field.replace(/^(body\.)?(payload\.)?/, "");
  if (key === "tz") return "timezone";
  if (key === "is_flow") return "script_path"; // the checkbox sits with the path it qualifies
  while (key !== "") {
    if (FIELD_KEYS.includes(key)) return key;
    if (FIELD_KEYS.includes(`${key}.path`)) return `${key}.path`;
    key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
  }
  return "";
}

function locPath(loc: unknown): string {
  if (!Array.isArray(loc)) return "";
  // ninja names the body "body" and the parameter "payload": neither is a schedule field.
  const parts = loc.map(String);
  while (parts[0] === "body" || parts[0] === "payload") parts.shift();
  return parts.join(".");
}

/**
 * Places the API's refusal of a save. It names the field in one of two shapes:
 * - the schedule check (400, or 409 for a taken path): `{message, detail: {field: "on_failure.path"}}`;
 * - request validation: `{message, detail: [{loc: ["body", "payload", "catch_up_max"], msg}, …]}`.
 * Anything else (403, a network error) is about the whole form.
 */
export function scheduleErrors(error: unknown): FormErrors {
  if (!(error instanceof Error)) return {};
  if (!isApiError(error)) return { "": error.message };
  const detail = error.detail;
  if (Array.isArray(detail)) {
    const items = detail.map(record).filter((item) => item.loc !== undefined);
    const errors: FormErrors = {};
    for (const item of items) {
      const key = placeError(locPath(item.loc));
      const message = items.length === 1 || typeof item.msg !== "string" ? error.message : item.msg;
      errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
    }
    return items.length > 0 ? errors : { "": error.message };
  }
  const field = record(detail).field;
  return { [typeof field === "string" ? placeError(field) : ""]: error.message };
}
