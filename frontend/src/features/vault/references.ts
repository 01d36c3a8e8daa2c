/**
 * `$var:<path>` and `$res:<path>`: strings in a job's arguments (and in a resource's value) that
 * the worker replaces with the variable's or resource's value when the job starts.
 */

export const VAR_PREFIX = "$var:";
export const RES_PREFIX = "$res:";

export function varRef(path: string): string {
  return `${VAR_PREFIX}${path}`;
}

export function resRef(path: string): string {
  return `${RES_PREFIX}${path}`;
}

/** The path a `$var:` string names; null for anything else. */
export function varPath(value: unknown): string | null {
  return typeof value === "string" && value.startsWith(VAR_PREFIX) ? value.slice(VAR_PREFIX.length) : null;
}

/** The path a `$res:` string names; null for anything else. */
export function resPath(value: unknown): string | null {
  return typeof value === "string" && value.startsWith(RES_PREFIX) ? value.slice(RES_PREFIX.length) : null;
}

/** `u/<user>/<name>` or `f/<folder>/<name>` (the server has the last word on the characters allowed). */
const PATH = /^(u|f)\/[^/\s]+\/[^\s]+$/;

/** What is wrong with a variable's or resource's path; null when it has the right shape. */
export function pathProblem(path: string): string | null {
  if (path.trim() === "") return "Required";
  return PATH.test(path.trim()) ? null : "A path is u/<user>/<name> or f/<folder>/<name>";
}
