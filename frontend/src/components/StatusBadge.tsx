import type { JobStatus } from "../api/client";

const LABELS: Readonly<Record<JobStatus, string>> = {
  queued: "Queued",
  running: "Running",
  success: "Success",
  failure: "Failure",
  canceled: "Canceled",
  timeout: "Timeout",
  crashed: "Crashed",
};

/** A flow step's statuses that a job does not have. */
const STEP_LABELS: Readonly<Record<string, string>> = {
  waiting: "Waiting",
  suspended: "Suspended",
  sleeping: "Sleeping",
  skipped: "Skipped",
};

/** "Queued", "Running"…; an unknown status as is. */
export function statusLabel(status: string): string {
  if (Object.hasOwn(LABELS, status)) return LABELS[status as JobStatus];
  return Object.hasOwn(STEP_LABELS, status) ? (STEP_LABELS[status] ?? status) : status;
}

/**
 * Coloured pill for a job (or flow step) status; colours live in styles.css (.badge-<status>).
 * The API types status as a plain string: an unknown one is shown as is.
 */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
