import { useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { isTerminalStatus } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { ProgressBar } from "../../components/ProgressBar";
import { SkeletonLines } from "../../components/Skeleton";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDuration } from "../../lib/format";
import { formatJobError, readJobError } from "../jobs/jobError";
import { jobUrl } from "../jobs/links";
import { LogViewer } from "../jobs/logs/LogViewer";
import { jobKeys, useJob } from "../jobs/queries";
import { ResultViewer } from "../jobs/result/ResultViewer";
import { useLiveLogs } from "../jobs/useLiveLogs";

/** The run an operator started from an app: status, progress, result or error, and its logs. */
export function AppRun({ workspaceId, jobId }: { workspaceId: string; jobId: string }) {
  const queryClient = useQueryClient();
  const job = useJob(workspaceId, jobId);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: jobKeys.detail(workspaceId, jobId) });
  const live = useLiveLogs({
    workspace: workspaceId,
    jobId,
    enabled: job.data !== undefined && !isTerminalStatus(job.data.status),
    seed: job.data?.logs ?? "",
    onDone: refresh,
    onFlow: refresh,
  });

  if (job.isPending) return <SkeletonLines lines={3} label="Starting…" />;
  if (job.isError) return <ErrorMessage error={job.error} onRetry={() => void job.refetch()} />;
  const data = job.data;
  const finished = isTerminalStatus(data.status);
  const error = readJobError(data.error);
  const logs = live.log.text.length > data.logs.length ? live.log.text : data.logs;
  const progress = !finished && live.progress !== null ? live.progress : data.progress;

  return (
    <section className="panel app-run" aria-label="Result" data-testid="app-run">
      <div className="app-run-header">
        <h2>Result</h2>
        <StatusBadge status={data.status} />
        {finished && <span className="muted">{formatDuration(data.duration_ms)}</span>}
        <Link className="app-run-link muted" to={jobUrl(workspaceId, jobId)}>
          Run {jobId.slice(0, 8)}
        </Link>
      </div>
      {progress !== null && progress !== undefined && !finished && <ProgressBar value={progress} />}
      {data.status === "success" ? (
        <ResultViewer result={data.result} />
      ) : error ? (
        <pre className="code code-wrap code-error" data-testid="job-error">
          {formatJobError(error)}
        </pre>
      ) : !finished ? (
        <p className="muted">Running…</p>
      ) : null}
      <details className="app-run-logs" open={!finished}>
        <summary>Logs</summary>
        <LogViewer text={logs} finished={finished} fileName={`${jobId}.log`} data-testid="job-logs" />
      </details>
    </section>
  );
}
