import type { JobStatus } from "../api/client";

const LABELS: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  success: "Success",
  failure: "Failure",
  canceled: "Canceled",
  timeout: "Timeout",
  crashed: "Crashed",
};

/** Coloured pill for a job status; colours live in styles.css (.badge-<status>). */
export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {LABELS[status] ?? status}
    </span>
  );
}
