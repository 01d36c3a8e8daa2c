import { Link } from "react-router";
import type { Job } from "../../api/client";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDuration } from "../../lib/format";
import { scriptUrl } from "../scripts/links";
import { jobUrl } from "./links";

interface RunsTableProps {
  workspaceId: string;
  jobs: Job[];
}

export function RunsTable({ workspaceId, jobs }: RunsTableProps) {
  return (
    <table className="table" data-testid="runs-table">
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Script</th>
          <th scope="col">Created</th>
          <th scope="col" className="num">
            Duration
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id}>
            <td>
              <StatusBadge status={job.status} />
            </td>
            <td>
              <Link className="mono" to={scriptUrl(workspaceId, job.script_path)}>
                {job.script_path}
              </Link>
              <div className="cell-sub">by {job.created_by}</div>
            </td>
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
