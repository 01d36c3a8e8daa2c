import { formatDateTime } from "../../lib/format";

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/** Retries a policy allows: its constant ones plus its exponential ones (the API's `retry` object). */
export function totalRetries(retry: unknown): number {
  const policy = record(retry);
  if (policy === null) return 0;
  return num(record(policy.constant)?.attempts, 0) + num(record(policy.exponential)?.attempts, 0);
}

/** "2 every 5 s, then 3 exponential (1 × 2ⁿ s, at most 3600 s, ±10%)"; null for no retries. */
export function describeRetryPolicy(retry: unknown): string | null {
  const policy = record(retry);
  if (policy === null) return null;
  const parts: string[] = [];
  const constant = record(policy.constant);
  if (constant && num(constant.attempts, 0) > 0) {
    const seconds = num(constant.seconds, 0);
    parts.push(`${num(constant.attempts, 0)} ${seconds > 0 ? `every ${seconds} s` : "at once"}`);
  }
  const exp = record(policy.exponential);
  if (exp && num(exp.attempts, 0) > 0) {
    const jitter = num(exp.random_factor, 0);
    parts.push(
      `${num(exp.attempts, 0)} exponential (${num(exp.multiplier, 1)} × ${num(exp.seconds, 2)}ⁿ s, ` +
        `at most ${num(exp.max_seconds, 3600)} s${jitter ? `, ±${jitter}%` : ""})`,
    );
  }
  return parts.length > 0 ? parts.join(", then ") : null;
}

interface RetryState {
  status: string;
  retries: number;
  retry?: unknown;
  scheduled_for?: string | null;
}

/**
 * Where a job is in its retry policy: "retry 1 of 2, next at Jan 2, 10:00 AM" while it
 * waits for its back-off, "retry 1 of 2" afterwards, "none used of 2" before any; null
 * when the job has no retries.
 */
export function retryProgress(job: RetryState): string | null {
  const total = totalRetries(job.retry);
  if (total === 0 && job.retries === 0) return null;
  const of = total > 0 ? ` of ${total}` : "";
  if (job.retries === 0) return `none used${of}`;
  const next =
    job.status === "queued" && job.scheduled_for ? `, next at ${formatDateTime(job.scheduled_for)}` : "";
  return `retry ${job.retries}${of}${next}`;
}
