import { jobSummary } from "../../test/utils";

/** A `ScheduleOut`, writable by the caller, unless overridden. */
export function schedule(overrides: Record<string, unknown> = {}) {
  return {
    path: "u/ada/nightly",
    summary: "Nightly report",
    script_path: "u/ada/greet",
    is_flow: false,
    args: { name: "world" },
    cron: "0 30 2 * * *",
    description: "at 02:30:00",
    timezone: "Europe/Paris",
    enabled: true,
    paused_until: null,
    catch_up: "skip",
    catch_up_max: 100,
    no_overlap: false,
    retry: null,
    on_failure: null,
    on_recovery: null,
    on_success: null,
    next_fire_at: "2099-01-02T01:30:00Z",
    failures: 0,
    edited_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    updated_at: "2025-01-02T10:00:00Z",
    access: "owner",
    ...overrides,
  };
}

/** `GET …/scripts` as the form's script picker reads it. */
export const SCRIPTS = [
  {
    path: "u/ada/greet",
    language: "python3",
    hash: "a1b2c3d4e5f60718",
    summary: "Say hello",
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 1,
  },
  {
    path: "f/ops/page_oncall",
    language: "python3",
    hash: "0718a1b2c3d4e5f6",
    summary: "",
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 2,
  },
];

/** `GET …/flows` as the form's flow picker reads it. */
export const FLOWS = [
  {
    path: "f/ops/digest",
    hash: "f10aa1b2c3d4e5f6",
    summary: "Order digest",
    created_by: "ada@example.com",
    created_at: "2025-01-02T10:00:00Z",
    versions: 1,
  },
];

/** `GET …/schedules/preview` for `*\/5 * * * *` in Europe/Paris across the spring DST change. */
export const PREVIEW = {
  cron: "*/5 * * * *",
  timezone: "Europe/Paris",
  description: "every 5 minutes",
  next: ["2025-03-30T00:55:00Z", "2025-03-30T01:00:00Z"],
  next_local: ["2025-03-30T01:55:00+01:00", "2025-03-30T03:00:00+02:00"],
};

/** A run of the schedule: its tick's job. */
export function scheduleRun(overrides: Record<string, unknown> = {}) {
  return jobSummary({ trigger: "schedule", schedule_id: 1, schedule_tick: "2025-01-02T01:30:00Z", ...overrides });
}

export const EVENTS = [
  {
    id: 4,
    kind: "handler",
    tick_at: "2025-01-03T01:30:00Z",
    count: 1,
    detail: { handler: "on_failure", job_id: "aaaaaaaa-0000-4000-8000-000000000004" },
    created_at: "2025-01-03T01:30:05Z",
  },
  {
    id: 3,
    kind: "not_started",
    tick_at: "2025-01-02T01:30:00Z",
    count: 1,
    detail: { reason: "script 'u/ada/greet' not found" },
    created_at: "2025-01-02T01:30:01Z",
  },
  {
    id: 2,
    kind: "skipped_missed",
    tick_at: "2025-01-01T01:30:00Z",
    count: 5,
    detail: { last: "2025-01-01T01:50:00Z", more: false, policy: "skip" },
    created_at: "2025-01-01T02:00:00Z",
  },
  {
    id: 1,
    kind: "skipped_overlap",
    tick_at: "2025-01-01T00:30:00Z",
    count: 1,
    detail: { job_id: "bbbbbbbb-0000-4000-8000-000000000001" },
    created_at: "2025-01-01T00:30:00Z",
  },
];
