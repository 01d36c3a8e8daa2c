import { useEffect, useId, useState } from "react";
import { Link } from "react-router";
import { isTerminalStatus } from "../../../api/client";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatJson } from "../../../lib/format";
import { jobUrl } from "../../jobs/links";
import { useJob } from "../../jobs/queries";
import { parseArgs } from "../../scripts/ArgsForm";
import { useFlowEditor } from "../model/store";
import type { RawScriptValue } from "../model/types";
import { useRunPreview } from "../queries";
import { staticArgs } from "./transforms";

/** The preview job: its status, then its result, which becomes the step's last test result. */
function TestJob({ workspaceId, jobId, stepId }: { workspaceId: string; jobId: string; stepId: string }) {
  const job = useJob(workspaceId, jobId);
  const setTestResult = useFlowEditor((s) => s.setTestResult);
  const done = job.data !== undefined && isTerminalStatus(job.data.status);
  const result = job.data?.status === "success" ? job.data.result : undefined;
  useEffect(() => {
    if (done && result !== undefined) setTestResult(stepId, result);
  }, [done, result, setTestResult, stepId]);
  if (job.isError) return <ErrorMessage error={job.error} />;
  if (job.data === undefined) return <p className="muted">Starting…</p>;
  return (
    <div className="flow-step-test-result" data-testid="step-test-result">
      <p>
        <StatusBadge status={job.data.status} /> <Link to={jobUrl(workspaceId, jobId)}>Open the run</Link>
      </p>
      {done && (
        <pre className="code">
          <code>{formatJson(job.data.status === "success" ? job.data.result : job.data.error)}</code>
        </pre>
      )}
    </div>
  );
}

interface StepTestProps {
  workspaceId: string;
  stepId: string;
  value: RawScriptValue;
}

/**
 * Runs the step's code as it is in the editor (POST /jobs/run/preview), without deploying.
 * Expressions are not evaluated here, so the arguments are asked for as JSON, starting from
 * the static inputs.
 */
export function StepTest({ workspaceId, stepId, value }: StepTestProps) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const preview = useRunPreview(workspaceId);

  const start = () => {
    setText(formatJson(staticArgs(value.input_transforms)));
    setJobId(null);
    preview.reset();
    setOpen(true);
  };
  const run = () => {
    const parsed = parseArgs(text);
    if (!parsed.ok) {
      setInvalid(parsed.message);
      return;
    }
    setInvalid(null);
    preview.mutate(
      { language: value.language, content: value.content, args: parsed.args },
      { onSuccess: ({ id: job }) => setJobId(job) },
    );
  };

  if (!open) {
    return (
      <button type="button" className="button button-small" onClick={start}>
        Test this step
      </button>
    );
  }
  return (
    <section className="flow-panel-section flow-step-test" aria-label="Test this step">
      <h3>Test this step</h3>
      <div className="field">
        <label htmlFor={id}>Test arguments (JSON)</label>
        <textarea id={id} className="mono" rows={4} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
        <div className="field-hint">Expressions are not evaluated in a test: give their values here.</div>
      </div>
      {invalid !== null && <p className="form-error">{invalid}</p>}
      {preview.error && <ErrorMessage error={preview.error} />}
      <div className="form-actions">
        <button type="button" className="button button-primary" disabled={preview.isPending} onClick={run}>
          Run test
        </button>
        <button type="button" className="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      {jobId !== null && <TestJob key={jobId} workspaceId={workspaceId} jobId={jobId} stepId={stepId} />}
    </section>
  );
}
