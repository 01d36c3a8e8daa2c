import { JOB_STATUSES, JOB_TRIGGERS } from "../../api/client";

/** Preset time ranges, counted back from the moment the list is fetched. */
export const TIME_RANGES = {
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000 },
} as const;

export type TimeRange = keyof typeof TIME_RANGES;

/**
 * The Runs page's filters, as kept in its URL query string (so a reload or a
 * shared link shows the same list). The names are the API's where they exist:
 *
 *   ?status=queued,running&path=u/ada/greet&trigger=rerun&tag=gpu&range=24h
 *   ?path_prefix=f/billing/&created_after=2025-01-01T00:00:00.000Z&created_before=…
 *
 * `range` is a preset (the last hour…) that stays relative to now; an absolute
 * range is `created_after` and/or `created_before`.
 */
export interface RunFilters {
  /** Empty: every status. */
  statuses: string[];
  /** The script path as typed: `u/ada/greet` is exact, `f/billing/*` a prefix. */
  path: string;
  /** "" for any trigger. */
  trigger: string;
  tag: string;
  /** "" for no preset. */
  range: TimeRange | "";
  /** ISO 8601 (UTC), or "". */
  createdAfter: string;
  createdBefore: string;
}

export const NO_FILTERS: RunFilters = {
  statuses: [],
  path: "",
  trigger: "",
  tag: "",
  range: "",
  createdAfter: "",
  createdBefore: "",
};

export function isTimeRange(value: string): value is TimeRange {
  return Object.hasOwn(TIME_RANGES, value);
}

function isoOrEmpty(value: string | null): string {
  if (!value) return "";
  const time = Date.parse(value);
  return Number.isNaN(time) ? "" : new Date(time).toISOString();
}

/** Reads the filters from a query string; unknown or malformed values are dropped. */
export function filtersFromSearch(search: URLSearchParams): RunFilters {
  const known = new Set<string>(JOB_STATUSES);
  const statuses = (search.get("status") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s, i, all) => known.has(s) && all.indexOf(s) === i);
  const prefix = search.get("path_prefix") ?? "";
  const range = search.get("range") ?? "";
  const trigger = search.get("trigger") ?? "";
  return {
    statuses: JOB_STATUSES.filter((s) => statuses.includes(s)),
    path: prefix ? `${prefix}*` : (search.get("path") ?? "").trim(),
    trigger: (JOB_TRIGGERS as readonly string[]).includes(trigger) ? trigger : "",
    tag: (search.get("tag") ?? "").trim(),
    range: isTimeRange(range) ? range : "",
    createdAfter: isoOrEmpty(search.get("created_after")),
    createdBefore: isoOrEmpty(search.get("created_before")),
  };
}

/** The script path filter as the API takes it: exact, or a prefix when it ends with `*`. */
export function pathQuery(path: string): { path?: string; path_prefix?: string } {
  const trimmed = path.trim();
  if (trimmed === "") return {};
  if (trimmed.endsWith("*")) {
    const prefix = trimmed.replace(/\*+$/, "");
    return prefix ? { path_prefix: prefix } : {};
  }
  return { path: trimmed };
}

/** The query string of the filters, in a fixed order; empty filters are left out. */
export function filtersToSearch(filters: RunFilters): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.statuses.length > 0) search.set("status", filters.statuses.join(","));
  for (const [key, value] of Object.entries(pathQuery(filters.path))) search.set(key, value);
  if (filters.trigger) search.set("trigger", filters.trigger);
  if (filters.tag.trim()) search.set("tag", filters.tag.trim());
  if (filters.range) {
    search.set("range", filters.range);
  } else {
    if (filters.createdAfter) search.set("created_after", filters.createdAfter);
    if (filters.createdBefore) search.set("created_before", filters.createdBefore);
  }
  return search;
}

export function hasFilters(filters: RunFilters): boolean {
  return filtersToSearch(filters).toString() !== "";
}

export interface JobListQuery {
  status?: string;
  path?: string;
  path_prefix?: string;
  trigger?: string;
  tag?: string;
  created_after?: string;
  created_before?: string;
}

/** The filters as `GET /jobs` query parameters; a preset range is resolved against `now`. */
export function filtersToQuery(filters: RunFilters, now: number = Date.now()): JobListQuery {
  const query: JobListQuery = { ...pathQuery(filters.path) };
  if (filters.statuses.length > 0) query.status = filters.statuses.join(",");
  if (filters.trigger) query.trigger = filters.trigger;
  if (filters.tag.trim()) query.tag = filters.tag.trim();
  if (filters.range) {
    query.created_after = new Date(now - TIME_RANGES[filters.range].ms).toISOString();
  } else {
    if (filters.createdAfter) query.created_after = filters.createdAfter;
    if (filters.createdBefore) query.created_before = filters.createdBefore;
  }
  return query;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** An ISO instant as a `<input type="datetime-local">` value, in the browser's time zone. */
export function isoToLocalInput(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return "";
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (local time) as an ISO instant; "" when empty or invalid. */
export function localInputToIso(value: string): string {
  if (!value) return "";
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? "" : new Date(time).toISOString();
}
