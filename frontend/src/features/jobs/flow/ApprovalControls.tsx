import { useId, useState } from "react";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useCurrentUser } from "../../auth/CurrentUser";
import { parseArgs } from "../../scripts/ArgsForm";
import { useApprovalInfo, useDecideStep } from "./queries";

interface ApprovalControlsProps {
  workspaceId: string;
  jobId: string;
  /** The suspended step's key. */
  step: string;
}

/**
 * Approve or reject a suspended step in place, as the logged-in user: each click asks for a
 * fresh pair of signed URLs for them and calls one. When the step has a resume form, its
 * values are typed as JSON.
 */
export function ApprovalControls({ workspaceId, jobId, step }: ApprovalControlsProps) {
  const me = useCurrentUser();
  const id = useId();
  const info = useApprovalInfo(workspaceId, jobId, step, me.email);
  const decide = useDecideStep(workspaceId, jobId, me.email);
  const [values, setValues] = useState("{}");
  const [invalid, setInvalid] = useState<string | null>(null);
  const form = info.data?.resume_form ?? null;

  function approve() {
    let parsed: Record<string, unknown> = {};
    if (form !== null) {
      const result = parseArgs(values);
      if (!result.ok) {
        setInvalid(result.message.replace("The arguments must be", "The values must be"));
        return;
      }
      parsed = result.args;
    }
    setInvalid(null);
    decide.mutate({ step, decision: { approve: true, values: parsed } });
  }

  return (
    <div className="approval" data-testid={`approval-${step}`}>
      {form !== null && (
        <div className="field">
          <label htmlFor={id}>Resume values (JSON)</label>
          <textarea
            id={id}
            className="mono"
            rows={Math.min(8, Math.max(2, values.split("\n").length))}
            spellCheck={false}
            value={values}
            onChange={(e) => setValues(e.target.value)}
          />
        </div>
      )}
      {invalid && (
        <p className="form-error" role="alert">
          {invalid}
        </p>
      )}
      {info.error && <ErrorMessage error={info.error} onRetry={() => void info.refetch()} />}
      {decide.error && <ErrorMessage error={decide.error} />}
      <div className="approval-actions">
        <button type="button" className="button button-primary" onClick={approve} disabled={decide.isPending}>
          Approve
        </button>
        <button
          type="button"
          className="button"
          onClick={() => decide.mutate({ step, decision: { approve: false } })}
          disabled={decide.isPending}
          title="Reject: the run ends canceled"
        >
          Reject
        </button>
        {decide.isPending && <span className="muted">Sending…</span>}
      </div>
    </div>
  );
}
