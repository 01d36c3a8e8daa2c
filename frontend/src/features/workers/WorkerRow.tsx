import { ProgressBar } from "../../components/ProgressBar";
import { RelativeTime } from "../../components/RelativeTime";
import { WorkerJobs } from "./WorkerJobs";
import { busyPercent, type Worker } from "./workers";

/** "live" while it beats, "stopping" once it got SIGTERM (it takes no new job; its running ones
 * finish or go back to the queue), "gone" once it stopped (kept a day, shown with "Show stopped workers"). */
export function WorkerStatus({ alive, stopping }: { alive: boolean; stopping: boolean }) {
  const status = !alive ? "gone" : stopping ? "stopping" : "live";
  const badge = { live: "badge-success", stopping: "badge-timeout", gone: "badge-canceled" }[status];
  return (
    <span className={`badge ${badge}`} data-status={status}>
      {status}
    </span>
  );
}

interface WorkerRowProps {
  worker: Worker;
  workspaceId: string;
}

export function WorkerRow({ worker, workspaceId }: WorkerRowProps) {
  return (
    <tr data-worker={worker.id}>
      <td>
        <span className="mono">{worker.hostname}</span>
        <div className="cell-sub mono">{worker.id}</div>
      </td>
      <td className="nowrap">
        <WorkerStatus alive={worker.alive} stopping={worker.stopping} />
      </td>
      <td>
        {worker.tags.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className="tags">
            {worker.tags.map((tag) => (
              <span key={tag} className="tag">
                {tag}
              </span>
            ))}
          </span>
        )}
      </td>
      <td className="nowrap">
        <span data-testid="worker-slots">
          {worker.busy} / {worker.slots}
        </span>
        <ProgressBar value={busyPercent(worker)} compact label={`Busy slots of ${worker.id}`} />
      </td>
      <td className="nowrap mono">{worker.version || <span className="muted">—</span>}</td>
      <td className="nowrap">
        <RelativeTime iso={worker.started_at} />
      </td>
      <td className="nowrap">
        <RelativeTime iso={worker.heartbeat_at} />
      </td>
      <td>
        <WorkerJobs worker={worker} workspaceId={workspaceId} />
      </td>
    </tr>
  );
}
