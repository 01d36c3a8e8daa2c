import { Link } from "react-router";
import { RelativeTime } from "../../components/RelativeTime";
import { jobUrl } from "../jobs/links";
import { hiddenJobsText, type Worker } from "./workers";

interface WorkerJobsProps {
  worker: Worker;
  /** The workspace of the page: jobs from another one say where they run. */
  workspaceId: string;
}

/** What a worker is running now, each job linking to its run page; those the viewer may not see are only counted. */
export function WorkerJobs({ worker, workspaceId }: WorkerJobsProps) {
  const { jobs, hidden_jobs: hidden } = worker;
  if (jobs.length === 0 && hidden === 0) {
    return <span className="muted">{worker.alive ? "idle" : "—"}</span>;
  }
  return (
    <>
      {jobs.map((job) => (
        <div key={job.id} data-job-id={job.id} className="nowrap">
          <Link className="mono" to={jobUrl(job.workspace, job.id)}>
            {job.path}
          </Link>{" "}
          <span className="tag">{job.kind === "flow" ? "flow" : job.language}</span>
          <div className="cell-sub">
            {job.started_at ? (
              <>
                started <RelativeTime iso={job.started_at} />
              </>
            ) : (
              "starting"
            )}
            {job.workspace !== workspaceId && ` · in ${job.workspace}`}
          </div>
        </div>
      ))}
      {hidden > 0 && <div className="cell-sub">{hiddenJobsText(hidden, jobs.length)}</div>}
    </>
  );
}
