import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { jobUrl } from "../links";
import { useRestartFlow } from "./queries";

interface RestartFromStepProps {
  workspaceId: string;
  jobId: string;
  /** The top-level steps the run started, in order. */
  steps: string[];
}

/** A finished flow run: run it again from a top-level step on (the steps before are reused), then open the new run. */
export function RestartFromStep({ workspaceId, jobId, steps }: RestartFromStepProps) {
  const id = useId();
  const navigate = useNavigate();
  const restart = useRestartFlow(workspaceId, jobId);
  const [step, setStep] = useState(steps[0] ?? "");

  return (
    <form
      className="inline-form"
      aria-label="Restart from a step"
      onSubmit={(event) => {
        event.preventDefault();
        restart.mutate(step, { onSuccess: ({ id: newId }) => void navigate(jobUrl(workspaceId, newId)) });
      }}
    >
      <div className="field field-inline">
        <label htmlFor={id}>Restart from…</label>
        <select id={id} className="mono" value={step} onChange={(e) => setStep(e.target.value)}>
          {steps.map((key) => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button" disabled={restart.isPending || step === ""}>
        {restart.isPending ? "Restarting…" : "Restart"}
      </button>
      <span className="muted">The steps before it keep their results.</span>
      {restart.error && <ErrorMessage error={restart.error} />}
    </form>
  );
}
