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

/** "Queued", "Running"…; an unknown status as is. */
export function statusLabel(status: string): string {
  return Object.hasOwn(LABELS, status) ? LABELS[status as JobStatus] : status;
}

/**
 * Coloured pill for a job status; colours live in styles.css (.badge-<status>).
 * The API types status as a plain string: an unknown one is shown as is.
 */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
