/**
 * What the run graph shows under the canvas for the node picked on it: the run's inputs, or a
 * step's status, timing, job, result and error. A step's result is in the run's flow_status
 * when the server kept it there; otherwise it is read from the step's own job.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api, unwrap, type JobDetail } from "../../../api/client";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatDuration, formatJson } from "../../../lib/format";
import { jobUrl } from "../../jobs/links";
import { jobKeys } from "../../jobs/queries";
import { ResultViewer } from "../../jobs/result/ResultViewer";
import { INPUT_ID } from "../model/graph";
import { stepDuration, type RunView } from "./runView";

interface StepDetailsProps {
  workspaceId: string;
  job: JobDetail;
  selected: string;
  view: RunView;
}

function errorText(error: unknown): string | null {
  if (typeof error === "string") return error;
  if (typeof error !== "object" || error === null) return null;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (typeof message !== "string") return formatJson(error);
  return typeof name === "string" && name !== "" ? `${name}: ${message}` : message;
}

export function StepDetails({ workspaceId, job, selected, view }: StepDetailsProps) {
  if (selected === INPUT_ID) {
    return (
      <section className="flow-run-details" aria-label="Inputs of the run">
        <h3>Inputs</h3>
        <pre className="code">
          <code>{formatJson(job.args)}</code>
        </pre>
      </section>
    );
  }
  const key = view.places[selected] ?? selected;
  const node = view.steps[key];
  const status = view.statuses[selected]?.status ?? "waiting";
  const childJob = typeof node?.job === "string" && node.job !== "" ? node.job : null;
  return (
    <section className="flow-run-details" aria-label={`Details of ${selected}`}>
      <h3>
        <span className="mono">{key}</span> <StatusBadge status={status} />
      </h3>
      {node === undefined ? (
        <p className="muted">
          This step has not started{key.includes("/") ? " in the iteration or branch shown" : ""}.
        </p>
      ) : (
        <>
          <dl className="meta">
            <div>
              <dt>Duration</dt>
              <dd>{formatDuration(stepDuration(node))}</dd>
            </div>
            {childJob && (
              <div>
                <dt>Job</dt>
                <dd>
                  <Link className="mono" to={jobUrl(workspaceId, childJob)} title={childJob}>
                    Open job {childJob.slice(0, 8)}
                  </Link>
                </dd>
              </div>
            )}
          </dl>
          {errorText(node.error) !== null && (
            <pre className="code code-wrap code-error" data-testid="step-error">
              {errorText(node.error)}
            </pre>
          )}
          {"result" in node ? (
            <StepResult result={node.result} name={key} />
          ) : (
            childJob && status === "success" && <ChildResult workspaceId={workspaceId} jobId={childJob} name={key} />
          )}
        </>
      )}
    </section>
  );
}

function StepResult({ result, name }: { result: unknown; name: string }) {
  return (
    <>
      <h4>Result</h4>
      <ResultViewer result={result} fileName={`result-${name.replaceAll("/", "-")}`} />
    </>
  );
}

/** A finished step's result read from its job (a finished job never changes: read once). */
function ChildResult({ workspaceId, jobId, name }: { workspaceId: string; jobId: string; name: string }) {
  const child = useQuery({
    queryKey: jobKeys.detail(workspaceId, jobId),
    queryFn: () =>
      unwrap(
        api.GET("/api/w/{workspace}/jobs/{job_id}", { params: { path: { workspace: workspaceId, job_id: jobId } } }),
      ),
    staleTime: Infinity,
  });
  if (child.isPending) return <p className="muted">Loading the result…</p>;
  if (child.isError) return <p className="muted">The step's result could not be loaded.</p>;
  return <StepResult result={child.data.result} name={name} />;
}
