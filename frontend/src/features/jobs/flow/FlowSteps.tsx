import { useMemo } from "react";
import { Link } from "react-router";
import { isTerminalStatus, type JobDetail } from "../../../api/client";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatDuration } from "../../../lib/format";
import { jobUrl } from "../links";
import { ApprovalControls } from "./ApprovalControls";
import { flowStepRows, restartableSteps, type FlowStepRow } from "./flowSteps";
import { RestartFromStep } from "./RestartFromStep";

const COLUMNS = 5;

/** A flow run's steps as a tree (those that have started), with approvals in place and a restart. */
export function FlowSteps({ workspaceId, job }: { workspaceId: string; job: JobDetail }) {
  const rows = useMemo(() => flowStepRows(job.flow_status), [job.flow_status]);
  const restartable = useMemo(() => restartableSteps(job.flow_status), [job.flow_status]);
  const finished = isTerminalStatus(job.status);

  return (
    <>
      <h2>Steps</h2>
      {finished && restartable.length > 0 && (
        <RestartFromStep workspaceId={workspaceId} jobId={job.id} steps={restartable} />
      )}
      {rows.length === 0 ? (
        <p className="muted">{finished ? "No step ran." : "No step has started yet."}</p>
      ) : (
        <table className="table flow-steps" data-testid="flow-steps">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Details</th>
              <th scope="col" className="num">
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <StepRows key={row.key} workspaceId={workspaceId} job={job} row={row} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function StepRows({ workspaceId, job, row }: { workspaceId: string; job: JobDetail; row: FlowStepRow }) {
  const waiting = row.status === "suspended" && !isTerminalStatus(job.status);
  return (
    <>
      <tr data-step={row.key}>
        <td>
          <div className="step-key" style={{ paddingLeft: `${row.depth * 1.5}rem` }}>
            <span className="mono">{row.key}</span>
            {row.cached && <span className="tag">cached</span>}
            {row.reused && <span className="tag">reused</span>}
          </div>
        </td>
        <td>
          <span className="tag">{row.type}</span>
        </td>
        <td className="cell-status">
          <StatusBadge status={row.status} />
          {row.approvals !== null && (
            <div className="cell-sub">
              {row.approvals} of {row.requiredEvents} approval{row.requiredEvents === 1 ? "" : "s"}
            </div>
          )}
          {row.error && <div className="cell-sub step-error">{row.error}</div>}
        </td>
        <td>
          <StepDetails workspaceId={workspaceId} row={row} />
        </td>
        <td className="num nowrap">{formatDuration(row.durationMs)}</td>
      </tr>
      {waiting && (
        <tr className="approval-row">
          <td colSpan={COLUMNS}>
            <ApprovalControls workspaceId={workspaceId} jobId={job.id} step={row.key} />
          </td>
        </tr>
      )}
    </>
  );
}

function StepDetails({ workspaceId, row }: { workspaceId: string; row: FlowStepRow }) {
  const parts = [];
  if (row.iterations !== null) {
    parts.push(
      <span key="iters">
        {row.iterations} iteration{row.iterations === 1 ? "" : "s"}
      </span>,
    );
  }
  if (row.branch !== null) {
    parts.push(<span key="branch">{row.branch === "default" ? "default branch" : `branch ${row.branch}`}</span>);
  }
  if (row.job !== null) {
    parts.push(
      <Link key="job" className="mono" to={jobUrl(workspaceId, row.job)} title={row.job}>
        run {row.job.slice(0, 8)}
      </Link>,
    );
  }
  return parts.length > 0 ? <div className="step-details">{parts}</div> : <span className="muted">—</span>;
}
