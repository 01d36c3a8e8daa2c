import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { isTerminalStatus, type JobDetail } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDateTime, formatDuration, formatJson } from "../../lib/format";
import { scriptUrl } from "../scripts/links";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import { formatJobError, readJobError } from "./jobError";
import { JOB_POLL_INTERVAL_MS, JOB_POLL_WHILE_STREAMING_MS, jobKeys, useCancelJob, useJob } from "./queries";
import { useLiveLogs, type LiveLogMode } from "./useLiveLogs";

/**
 * `/w/:ws/runs/:id`: one job. While it runs, its log streams in live (websocket,
 * else polling) and the job itself is refetched until it is finished.
 */
export function JobPage() {
  const workspace = useCurrentWorkspace();
  const { id = "" } = useParams();
  const queryClient = useQueryClient();
  const [streaming, setStreaming] = useState(false);
  const job = useJob(workspace.id, id, streaming ? JOB_POLL_WHILE_STREAMING_MS : JOB_POLL_INTERVAL_MS);
  const cancel = useCancelJob(workspace.id, id);
  const live = useLiveLogs({
    workspace: workspace.id,
    jobId: id,
    enabled: job.data !== undefined && !isTerminalStatus(job.data.status),
    seed: job.data?.logs ?? "",
    // The stream knows first that the job ended: fetch its result and final status now.
    onDone: () => void queryClient.invalidateQueries({ queryKey: jobKeys.detail(workspace.id, id) }),
  });
  useEffect(() => setStreaming(live.mode === "live" || live.mode === "polling"), [live.mode]);

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`${workspaceUrl(workspace.id)}/runs`}>Runs</Link>
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-header">
        <h1>
          Run <span className="mono muted" title={id}>{id.slice(0, 8)}</span>
        </h1>
        {job.data && <StatusBadge status={job.data.status} />}
        {job.data && !isTerminalStatus(job.data.status) && (
          <button type="button" className="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? "Cancelling…" : "Cancel"}
          </button>
        )}
      </div>
      {cancel.error && <ErrorMessage error={cancel.error} />}

      {job.isPending ? (
        <Loading label="Loading run…" />
      ) : job.isError && job.data === undefined ? (
        <ErrorMessage error={job.error} onRetry={() => void job.refetch()} />
      ) : (
        <>
          {/* A failed refetch keeps the last data on screen and says why. */}
          {job.isError && <ErrorMessage error={job.error} onRetry={() => void job.refetch()} />}
          <JobDetails workspaceId={workspace.id} job={job.data} liveLogs={live.log.text} liveMode={live.mode} />
        </>
      )}
    </section>
  );
}

function optionalTime(iso: string | null) {
  return iso === null ? <span className="muted">—</span> : <time dateTime={iso}>{formatDateTime(iso)}</time>;
}

interface JobDetailsProps {
  workspaceId: string;
  job: JobDetail;
  liveLogs: string;
  liveMode: LiveLogMode;
}

function JobDetails({ workspaceId, job, liveLogs, liveMode }: JobDetailsProps) {
  const error = readJobError(job.error);
  const finished = isTerminalStatus(job.status);
  // Both are the log from its start, one possibly further along than the other.
  const logs = liveLogs.length > job.logs.length ? liveLogs : job.logs;

  return (
    <>
      <dl className="meta">
        <div>
          <dt>Script</dt>
          <dd>
            <Link className="mono" to={scriptUrl(workspaceId, job.script_path)}>
              {job.script_path}
            </Link>
          </dd>
        </div>
        <div>
          <dt>Hash</dt>
          <dd>
            <code>{job.script_hash}</code>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <RelativeTime iso={job.created_at} /> by {job.created_by}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{optionalTime(job.started_at)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{optionalTime(job.finished_at)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="job-duration">{formatDuration(job.duration_ms)}</dd>
        </div>
        {job.attempt > 1 && (
          <div>
            <dt>Attempt</dt>
            <dd>{job.attempt}</dd>
          </div>
        )}
        {job.worker_id && (
          <div>
            <dt>Worker</dt>
            <dd>
              <code>{job.worker_id}</code>
            </dd>
          </div>
        )}
      </dl>

      <h2>Arguments</h2>
      <pre className="code" data-testid="job-args">
        <code>{formatJson(job.args)}</code>
      </pre>

      {job.status === "success" && (
        <>
          <h2>Result</h2>
          <pre className="code" data-testid="job-result">
            <code>{formatJson(job.result)}</code>
          </pre>
        </>
      )}

      {error && (
        <>
          <h2>Error</h2>
          <pre className="code code-wrap code-error" data-testid="job-error">
            {formatJobError(error)}
          </pre>
        </>
      )}

      <h2>
        Logs{" "}
        {!finished && (liveMode === "live" || liveMode === "polling") && (
          <span className="muted" data-testid="log-stream">
            {liveMode === "live" ? "live" : "refreshing"}
          </span>
        )}
      </h2>
      {job.log_dropped > 0 && (
        <p className="muted">Output truncated: the log reached its size limit ({job.log_dropped} dropped).</p>
      )}
      <pre className="code code-wrap logs" data-testid="job-logs">
        {logs || <span className="muted">{finished ? "No output." : "Waiting for output…"}</span>}
      </pre>
    </>
  );
}
