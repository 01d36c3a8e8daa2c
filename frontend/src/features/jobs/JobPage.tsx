import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { isTerminalStatus, type JobDetail } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonLines } from "../../components/Skeleton";
import { ProgressBar } from "../../components/ProgressBar";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { WaitingReason } from "../../components/WaitingReason";
import { formatDateTime, formatDuration, formatJson } from "../../lib/format";
import { scriptUrl } from "../scripts/links";
import { useCurrentWorkspace, workspaceUrl } from "../workspace/CurrentWorkspace";
import { formatJobError, readJobError } from "./jobError";
import { jobUrl } from "./links";
import {
  JOB_POLL_INTERVAL_MS,
  JOB_POLL_WHILE_STREAMING_MS,
  jobKeys,
  useCancelJob,
  useJob,
  useRerunJob,
  type RerunInput,
} from "./queries";
import { FlowParentLine } from "./flow/FlowParentLine";
import { FlowSteps } from "./flow/FlowSteps";
import { JobSettings } from "./JobSettings";
import { LogViewer } from "./logs/LogViewer";
import { RerunForm } from "./RerunForm";
import { ResultViewer } from "./result/ResultViewer";
import { retryProgress } from "./retry";
import { useLiveLogs, type LiveLogMode } from "./useLiveLogs";

// React Flow and elkjs load with a flow run's graph, not with the app.
const FlowRunGraph = lazy(() => import("../flows/run/FlowRunGraph").then((m) => ({ default: m.FlowRunGraph })));

/**
 * `/w/:ws/runs/:id`: one job. While it runs, its log streams in live (websocket,
 * else polling) and the job itself is refetched until it is finished.
 */
export function JobPage() {
  const { id = "" } = useParams();
  // A re-run opens another job on this same route: start its page afresh.
  return <JobView key={id} id={id} />;
}

function JobView({ id }: { id: string }) {
  const workspace = useCurrentWorkspace();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [streaming, setStreaming] = useState(false);
  const job = useJob(workspace.id, id, streaming ? JOB_POLL_WHILE_STREAMING_MS : JOB_POLL_INTERVAL_MS);
  const cancel = useCancelJob(workspace.id, id);
  const rerun = useRerunJob(workspace.id, id);
  const live = useLiveLogs({
    workspace: workspace.id,
    jobId: id,
    enabled: job.data !== undefined && !isTerminalStatus(job.data.status),
    seed: job.data?.logs ?? "",
    // The stream knows first that the job ended: fetch its result and final status now.
    onDone: () => void queryClient.invalidateQueries({ queryKey: jobKeys.detail(workspace.id, id) }),
    // A flow run's step moved: the message has statuses only, the run has the rest.
    onFlow: () => void queryClient.invalidateQueries({ queryKey: jobKeys.detail(workspace.id, id) }),
  });
  useEffect(() => setStreaming(live.mode === "live" || live.mode === "polling"), [live.mode]);

  function startRerun(input: RerunInput) {
    rerun.mutate(input, { onSuccess: ({ id: newId }) => void navigate(jobUrl(workspace.id, newId)) });
  }
  // Live while it runs (the websocket says at once), else what the job row says.
  const progress =
    job.data && !isTerminalStatus(job.data.status) && live.progress !== null
      ? live.progress
      : (job.data?.progress ?? null);

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
        {job.data && (
          <div className="page-actions">
            {!isTerminalStatus(job.data.status) && (
              <button type="button" className="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
                {cancel.isPending ? "Cancelling…" : "Cancel"}
              </button>
            )}
            <button
              type="button"
              className="button"
              onClick={() => {
                setEditing((open) => !open);
                rerun.reset();
              }}
              aria-expanded={editing}
              disabled={rerun.isPending}
            >
              Re-run with edited arguments
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => startRerun({})}
              disabled={rerun.isPending}
              title="Run the same version of the script with the same arguments"
            >
              {rerun.isPending && !editing ? "Starting…" : "Re-run"}
            </button>
          </div>
        )}
      </div>
      {cancel.error && <ErrorMessage error={cancel.error} />}
      {rerun.error && !editing && <ErrorMessage error={rerun.error} />}
      {editing && job.data && (
        <div className="panel rerun-panel">
          <h2>Re-run with edited arguments</h2>
          <RerunForm
            workspaceId={workspace.id}
            job={job.data}
            pending={rerun.isPending}
            error={rerun.error}
            onEdit={() => {
              if (rerun.isError) rerun.reset();
            }}
            onSubmit={startRerun}
            onClose={() => setEditing(false)}
          />
        </div>
      )}

      {job.isPending ? (
        <SkeletonLines lines={6} label="Loading run…" />
      ) : job.isError && job.data === undefined ? (
        <ErrorMessage error={job.error} onRetry={() => void job.refetch()} />
      ) : (
        <>
          {/* A failed refetch keeps the last data on screen and says why. */}
          {job.isError && <ErrorMessage error={job.error} onRetry={() => void job.refetch()} />}
          <JobDetails
            workspaceId={workspace.id}
            job={job.data}
            progress={progress}
            liveLogs={live.log.text}
            liveMode={live.mode}
          />
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
  progress: number | null;
  liveLogs: string;
  liveMode: LiveLogMode;
}

function JobDetails({ workspaceId, job, progress, liveLogs, liveMode }: JobDetailsProps) {
  const error = readJobError(job.error);
  const finished = isTerminalStatus(job.status);
  // Both are the log from its start, one possibly further along than the other.
  const logs = liveLogs.length > job.logs.length ? liveLogs : job.logs;
  const retries = retryProgress(job);
  // Claims by a worker that were not retries: recoveries after a lost worker.
  const workerAttempts = job.attempt - job.retries;

  return (
    <>
      {job.status === "queued" && job.waiting_reason && <WaitingReason reason={job.waiting_reason} />}
      {progress !== null && (
        <div className="job-progress" data-testid="job-progress">
          <ProgressBar value={progress} />
        </div>
      )}
      <FlowParentLine workspaceId={workspaceId} job={job} />
      <dl className="meta">
        <div>
          <dt>{job.kind === "flow" ? "Flow" : "Script"}</dt>
          <dd>
            {/* A flow, or a flow's inline step (`<flow>/<step>`), has no script page. */}
            {job.kind === "flow" || job.kind === "inline" ? (
              <span className="mono">{job.script_path}</span>
            ) : (
              <Link className="mono" to={scriptUrl(workspaceId, job.script_path)}>
                {job.script_path}
              </Link>
            )}
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
        <div>
          <dt>Tag</dt>
          <dd>
            <span className="tag">{job.tag}</span>
          </dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd data-testid="job-trigger">
            {job.trigger}
            {job.rerun_of && (
              <>
                {" of "}
                <Link className="mono" to={jobUrl(workspaceId, job.rerun_of)} title={job.rerun_of}>
                  {job.rerun_of.slice(0, 8)}
                </Link>
              </>
            )}
          </dd>
        </div>
        {retries !== null && (
          <div>
            <dt>Retries</dt>
            <dd data-testid="job-retries">{retries}</dd>
          </div>
        )}
        {workerAttempts > 1 && (
          <div>
            <dt>Attempt</dt>
            <dd title="A job whose worker was lost is tried again, up to this many times">
              {workerAttempts} of {job.max_attempts}
            </dd>
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
          <ResultViewer result={job.result} fileName={`result-${job.id.slice(0, 8)}`} data-testid="job-result" />
        </>
      )}

      {error && (
        <>
          <h2>{finished ? "Error" : "Error of the last attempt"}</h2>
          <pre className="code code-wrap code-error" data-testid="job-error">
            {formatJobError(error)}
          </pre>
        </>
      )}

      {job.kind === "flow" && (
        <>
          <h2>Graph</h2>
          <Suspense fallback={<p className="muted">Loading the graph…</p>}>
            <FlowRunGraph workspaceId={workspaceId} job={job} />
          </Suspense>
          <FlowSteps workspaceId={workspaceId} job={job} />
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
      <LogViewer text={logs} finished={finished} fileName={`job-${job.id.slice(0, 8)}.log`} data-testid="job-logs" />

      {/* A flow run runs no code of its own: its steps' pages show their sandbox and limits. */}
      {job.kind !== "flow" && <JobSettings job={job} />}
    </>
  );
}
