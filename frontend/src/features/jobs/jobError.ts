/** A failed job's error as the worker reports it: `{name, message, traceback}`. */
export interface JobError {
  name: string;
  message: string;
  traceback: string;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * Reads the job's `error` object. The API types it as any object (or null),
 * so missing or non-string fields become empty strings.
 */
export function readJobError(error: unknown): JobError | null {
  if (typeof error !== "object" || error === null || Array.isArray(error)) return null;
  const record = error as Record<string, unknown>;
  return {
    name: text(record.name) || "Error",
    message: text(record.message),
    traceback: text(record.traceback),
  };
}

/** "ValueError: boom", then the traceback after a blank line when there is one. */
export function formatJobError({ name, message, traceback }: JobError): string {
  const head = message ? `${name}: ${message}` : name;
  return traceback ? `${head}\n\n${traceback.replace(/\s+$/, "")}` : head;
}
