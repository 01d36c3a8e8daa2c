import { useEffect, useMemo, useState } from "react";
import { Link } from "react-router";
import { isTerminalStatus } from "../../../api/client";
import { Dialog } from "../../../components/Dialog";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { StatusBadge } from "../../../components/StatusBadge";
import { flowStepRows } from "../../jobs/flow/flowSteps";
import { jobUrl } from "../../jobs/links";
import { useJob } from "../../jobs/queries";
import { ArgsForm } from "../../scripts/ArgsForm";
import { isDirty, useFlowEditor } from "../model/store";
import { useRunFlow } from "../queries";
import { stepResultsOf } from "./stepResults";
import type { Deployed } from "./useDeploy";

interface TestRunDialogProps {
  workspaceId: string;
  /** Deploys the editor's document, then calls `after` with the new version (see useDeploy). */
  deploy: (options: { after: (flow: { path: string }) => Promise<string | null> }) => Promise<Deployed | null>;
  onStarted: (jobId: string) => void;
  onClose: () => void;
}

/**
 * The inputs form, then a run. A run is always of a deployed version: with unsaved changes
 * the choice is to deploy them first, or to run what is deployed.
 */
export function TestRunDialog({ workspaceId, deploy, onStarted, onClose }: TestRunDialogProps) {
  const schema = useFlowEditor((s) => s.doc.schema);
  const path = useFlowEditor((s) => s.path.trim());
  const deployed = useFlowEditor((s) => s.baseHash !== null);
  const dirty = useFlowEditor((s) => isDirty(s) || s.baseHash === null);
  const [deployFirst, setDeployFirst] = useState(true);
  const run = useRunFlow(workspaceId);
  const withDeploy = dirty && (deployFirst || !deployed);

  const start = async (args: Record<string, unknown>) => {
    if (!withDeploy) {
      run.mutate({ path, args }, { onSuccess: ({ id }) => onStarted(id) });
      return;
    }
    const done = await deploy({
      after: async (flow) => {
        try {
          return (await run.mutateAsync({ path: flow.path, args })).id;
        } catch {
          return null; // run.error shows why
        }
      },
    });
    if (done?.testRun) onStarted(done.testRun);
    // Refused: the page lists why (the problems, with their steps), behind this dialog.
    else if (done === null) onClose();
  };

  return (
    <Dialog title="Test run" onClose={onClose} className="flow-test-dialog">
      {dirty && (
        <div className="flow-test-warning">
          <p>
            {deployed
              ? "You have changes that are not deployed: a run uses the deployed version."
              : "The flow is not deployed yet: it is deployed before it runs."}
          </p>
          {deployed && (
            <label className="checkbox">
              <input type="checkbox" checked={deployFirst} onChange={(e) => setDeployFirst(e.target.checked)} /> Deploy my
              changes first
            </label>
          )}
        </div>
      )}
      <ArgsForm
        label="Test run inputs"
        submitLabel={withDeploy ? "Deploy and run" : "Run"}
        schema={schema}
        pending={run.isPending}
        error={run.error}
        onEdit={() => {
          if (run.isError) run.reset();
        }}
        onSubmit={(args) => void start(args)}
        actions={
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        }
      />
    </Dialog>
  );
}

/** The test run under the canvas: its status and steps; once it ends, each step's result feeds the autocomplete. */
export function TestRunDrawer({ workspaceId, jobId, onClose }: { workspaceId: string; jobId: string; onClose: () => void }) {
  const job = useJob(workspaceId, jobId);
  const setTestResult = useFlowEditor((s) => s.setTestResult);
  const rows = useMemo(() => flowStepRows(job.data?.flow_status), [job.data?.flow_status]);
  const finished = job.data !== undefined && isTerminalStatus(job.data.status);
  const flowStatus = finished ? job.data?.flow_status : undefined;
  useEffect(() => {
    if (flowStatus === undefined) return;
    for (const [id, result] of Object.entries(stepResultsOf(flowStatus))) setTestResult(id, result);
  }, [flowStatus, setTestResult]);

  return (
    <section className="flow-test-drawer" aria-label="Test run" data-testid="test-run-drawer">
      <div className="flow-test-drawer-header">
        <h2>Test run</h2>
        {job.data && <StatusBadge status={job.data.status} />}
        <Link to={jobUrl(workspaceId, jobId)}>Open the run page</Link>
        <button type="button" className="button button-small" aria-label="Close the test run" onClick={onClose}>
          ✕
        </button>
      </div>
      {job.isError ? (
        <ErrorMessage error={job.error} />
      ) : rows.length === 0 ? (
        <p className="muted">{finished ? "No step ran." : "Waiting for the first step…"}</p>
      ) : (
        <ul className="flow-test-steps">
          {rows.map((row) => (
            <li key={row.key} style={{ paddingLeft: `${row.depth}rem` }}>
              <span className="mono">{row.key}</span> <StatusBadge status={row.status} />
            </li>
          ))}
        </ul>
      )}
      {finished && job.data?.status !== "success" && job.data?.error && (
        <pre className="code code-error">{String(job.data.error.message ?? JSON.stringify(job.data.error))}</pre>
      )}
    </section>
  );
}
