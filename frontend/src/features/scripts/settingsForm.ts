import { isApiError, type ScriptSettings } from "../../api/client";
import { LIMIT_NAMES, type LimitName } from "../../lib/limits";

/**
 * The Settings form's fields as typed (strings, so that what the user typed is
 * kept as is when the API refuses it). An empty number means "not set": the
 * platform default for a limit, no retries, no concurrency limit.
 */
export interface SettingsDraft {
  /** "": the workspace's default network. */
  network: "" | "none" | "internet";
  limits: Record<LimitName, string>;
  constant: { attempts: string; seconds: string };
  exponential: { attempts: string; multiplier: string; seconds: string; random_factor: string; max_seconds: string };
  tag: string;
  priority: string;
  /** Keep warm runners for the latest version (Python). */
  warm: boolean;
  concurrency: { limit: string; key: string };
}

/** Defaults the API applies to an exponential policy's omitted fields (placeholders). */
export const EXPONENTIAL_DEFAULTS = { multiplier: 1, seconds: 2, random_factor: 0, max_seconds: 3600 };

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : typeof value === "string" ? value : "";
}

/** The draft of stored settings (`ScriptOut.settings`, typed by the API as any object). */
export function draftFromSettings(raw: unknown): SettingsDraft {
  const settings = record(raw);
  const limits = record(settings.limits);
  const retry = record(settings.retry);
  const constant = record(retry.constant);
  const exponential = record(retry.exponential);
  const concurrency = record(settings.concurrency);
  const network = settings.network === "none" || settings.network === "internet" ? settings.network : "";
  return {
    network,
    limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, text(limits[name])])) as Record<LimitName, string>,
    constant: { attempts: text(constant.attempts), seconds: text(constant.seconds) },
    exponential: {
      attempts: text(exponential.attempts),
      multiplier: text(exponential.multiplier),
      seconds: text(exponential.seconds),
      random_factor: text(exponential.random_factor),
      max_seconds: text(exponential.max_seconds),
    },
    tag: text(settings.tag),
    priority: text(settings.priority),
    warm: settings.warm === true,
    concurrency: { limit: text(concurrency.limit), key: text(concurrency.key) },
  };
}

/**
 * A number field's value for the API; undefined when empty. Anything else that is
 * not a number is sent as typed, for the API to refuse with a message.
 */
function num(value: string): number | undefined {
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  const n = Number(trimmed);
  return (Number.isFinite(n) ? n : trimmed) as number;
}

function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

function blank(values: Record<string, string>): boolean {
  return Object.values(values).every((v) => v.trim() === "");
}

/** The body of `PUT …/scripts/settings/p/{path}`: the whole settings, replacing the stored ones. */
export function settingsFromDraft(draft: SettingsDraft): ScriptSettings {
  const limits = defined(Object.fromEntries(LIMIT_NAMES.map((name) => [name, num(draft.limits[name])])));
  const constant = blank(draft.constant)
    ? null
    : defined({ attempts: num(draft.constant.attempts), seconds: num(draft.constant.seconds) });
  const exponential = blank(draft.exponential)
    ? null
    : defined({
        attempts: num(draft.exponential.attempts),
        multiplier: num(draft.exponential.multiplier),
        seconds: num(draft.exponential.seconds),
        random_factor: num(draft.exponential.random_factor),
        max_seconds: num(draft.exponential.max_seconds),
      });
  const concurrency = blank(draft.concurrency)
    ? null
    : defined({ limit: num(draft.concurrency.limit), key: draft.concurrency.key.trim() || undefined });
  return {
    limits,
    network: draft.network === "" ? null : draft.network,
    // A part left out (its fields all empty) is sent as absent; a half-filled one as typed.
    retry: constant === null && exponential === null ? null : defined({ constant: constant ?? undefined, exponential: exponential ?? undefined }),
    tag: draft.tag.trim() || null,
    priority: num(draft.priority) ?? 0,
    warm: draft.warm,
    concurrency,
  } as ScriptSettings;
}

/** Every input of the form, by the API's name for it (`limits.memory_mb`, `retry.constant.attempts`…). */
export const FIELD_KEYS: readonly string[] = [
  "network",
  ...LIMIT_NAMES.map((name) => `limits.${name}`),
  "retry.constant.attempts",
  "retry.constant.seconds",
  "retry.exponential.attempts",
  "retry.exponential.multiplier",
  "retry.exponential.seconds",
  "retry.exponential.random_factor",
  "retry.exponential.max_seconds",
  "tag",
  "priority",
  "warm",
  "concurrency.limit",
  "concurrency.key",
];

/** The form's groups of inputs: an error about a whole group is shown at its top. */
export const GROUP_KEYS: readonly string[] = ["limits", "retry", "retry.constant", "retry.exponential", "concurrency"];

/** Where an error about the API field `path` is shown: the field, else its nearest group, else "" (the form). */
export function placeError(path: string): string {
  let key = path.replace(/^settings(\.|$)/, "").replace(/^(body\.)?(payload\.)?/, "");
  while (key !== "") {
    if (FIELD_KEYS.includes(key) || GROUP_KEYS.includes(key)) return key;
    key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
  }
  return "";
}

/** Errors to show, by form key ("" = the whole form). */
export type SettingsErrors = Record<string, string>;

function locPath(loc: unknown): string {
  if (!Array.isArray(loc)) return "";
  // ninja names the body "body" and the parameter "payload": neither is a settings field.
  const parts = loc.map(String);
  while (parts[0] === "body" || parts[0] === "payload") parts.shift();
  return parts.join(".");
}

/**
 * Places the API's refusal of a save. A 400 comes in two shapes:
 * - from the settings check: `{message, detail: {field: "settings.tag", problems?: [...]}}`,
 *   where a limits problem reads "limits.memory_mb is 99999, above …";
 * - from request validation: `{message, detail: [{loc: ["body", "payload", "priority"], msg}, …]}`.
 * Anything else (403, 404, a network error) is about the whole form.
 */
export function settingsErrors(error: unknown): SettingsErrors {
  if (!(error instanceof Error)) return {};
  if (!isApiError(error, 400)) return { "": error.message };
  const detail = error.detail;
  const errors: SettingsErrors = {};
  if (Array.isArray(detail)) {
    const items = detail.map(record).filter((item) => item.loc !== undefined);
    for (const item of items) {
      const key = placeError(locPath(item.loc));
      const message = items.length === 1 ? error.message : text(item.msg) || error.message;
      errors[key] = errors[key] ? `${errors[key]}; ${message}` : message;
    }
    return items.length > 0 ? errors : { "": error.message };
  }
  const info = record(detail);
  const problems = Array.isArray(info.problems) ? info.problems.filter((p) => typeof p === "string") : [];
  for (const problem of problems) {
    const name = /^(?:max_)?limits\.([a-z_]+)\b/.exec(problem)?.[1];
    const key = name ? placeError(`limits.${name}`) : "";
    if (key !== "" && key !== "limits") errors[key] = problems.length === 1 ? error.message : problem;
  }
  if (Object.keys(errors).length > 0) return errors;
  const key = typeof info.field === "string" ? placeError(info.field) : "";
  return { [key]: error.message };
}
