import { useState } from "react";
import type { JobDetail } from "../../api/client";
import { Loading } from "../../components/Loading";
import { shortHash } from "../../lib/format";
import { ArgsForm } from "../scripts/ArgsForm";
import { useScriptVersion } from "../scripts/queries";
import type { RerunInput } from "./queries";

interface RerunFormProps {
  workspaceId: string;
  job: JobDetail;
  pending: boolean;
  error: Error | null;
  onEdit: () => void;
  onSubmit: (input: RerunInput) => void;
  onClose: () => void;
}

/**
 * The run form, filled with the job's arguments; submits a re-run of this job.
 * A script job's form comes from the schema of the version it ran; a flow or a
 * flow's inline step has no such schema and keeps the JSON editor (as does a
 * script whose version cannot be read).
 */
export function RerunForm({ workspaceId, job, pending, error, onEdit, onSubmit, onClose }: RerunFormProps) {
  const [latest, setLatest] = useState(false);
  const isScript = job.kind === "script";
  const version = useScriptVersion(workspaceId, job.script_hash, { enabled: isScript });
  if (isScript && version.isPending) return <Loading label="Loading the script's arguments…" />;

  return (
    <ArgsForm
      label="Re-run with edited arguments"
      submitLabel={pending ? "Starting…" : "Re-run"}
      schema={isScript ? version.data?.schema : undefined}
      initialArgs={job.args}
      pending={pending}
      error={error}
      onEdit={onEdit}
      onSubmit={(args) => onSubmit({ args, latest })}
      actions={
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
      }
    >
      <label className="checkbox">
        <input type="checkbox" checked={latest} onChange={(e) => setLatest(e.target.checked)} />
        Run the script&apos;s latest version (this run used <code>{shortHash(job.script_hash)}</code>)
      </label>
    </ArgsForm>
  );
}
