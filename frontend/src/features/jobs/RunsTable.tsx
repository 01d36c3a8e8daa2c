import { Link } from "react-router";
import type { Job } from "../../api/client";
import { ProgressBar } from "../../components/ProgressBar";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { WaitingReason } from "../../components/WaitingReason";
import { formatDateTimeSeconds, formatDuration } from "../../lib/format";
import { scriptUrl } from "../scripts/links";
import { jobUrl } from "./links";

interface RunsTableProps {
  workspaceId: string;
  jobs: Job[];
  /** A schedule's runs: add the tick each ran for (a handler's run has none). */
  showTick?: boolean;
}

export function RunsTable({ workspaceId, jobs, showTick = false }: RunsTableProps) {
  return (
    <table className="table" data-testid="runs-table">
      <thead>
        <tr>
          <th scope="col">Status</th>
          {showTick && <th scope="col">Tick</th>}
          <th scope="col">Script</th>
          <th scope="col">Tag</th>
          <th scope="col">Trigger</th>
          <th scope="col">Created</th>
          <th scope="col" className="num">
            Duration
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id} data-job-id={job.id}>
            <td className="nowrap cell-status">
              <StatusBadge status={job.status} />
              {job.status === "running" && job.progress != null && (
                <ProgressBar value={job.progress} compact label={`Progress of run ${job.id.slice(0, 8)}`} />
              )}
              {job.retries > 0 && <div className="cell-sub">retry {job.retries}</div>}
            </td>
            {showTick && (
              <td className="nowrap" data-testid="run-tick">
                {job.schedule_tick ? (
                  <time dateTime={job.schedule_tick}>{formatDateTimeSeconds(job.schedule_tick)}</time>
                ) : (
                  <span className="muted">handler</span>
                )}
              </td>
            )}
            <td>
              {job.kind === "flow" || job.kind === "inline" ? (
                <>
                  {/* No page for a flow or its inline steps: the path is plain text, the run's page is the link. */}
                  <span className="mono">{job.script_path}</span>{" "}
                  <span className="tag">{job.kind === "flow" ? "flow" : "flow step"}</span>
                </>
              ) : (
                <Link className="mono" to={scriptUrl(workspaceId, job.script_path)}>
                  {job.script_path}
                </Link>
              )}
              <div className="cell-sub">by {job.created_by}</div>
              {job.status === "queued" && job.waiting_reason && <WaitingReason reason={job.waiting_reason} compact />}
            </td>
            <td>
              <span className="tag">{job.tag}</span>
            </td>
            <td className="nowrap">{job.trigger}</td>
            <td className="nowrap">
              <Link to={jobUrl(workspaceId, job.id)}>
                <RelativeTime iso={job.created_at} />
              </Link>
            </td>
            <td className="num nowrap">{formatDuration(job.duration_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
