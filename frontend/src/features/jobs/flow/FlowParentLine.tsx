import { Link } from "react-router";
import type { JobDetail } from "../../../api/client";
import { jobUrl } from "../links";

/** On a flow step's job: where it belongs ("Step score/3/score_one of flow run 1a2b3c4d"). */
export function FlowParentLine({ workspaceId, job }: { workspaceId: string; job: JobDetail }) {
  if (!job.parent_id) return null;
  return (
    <p className="flow-parent" data-testid="flow-parent">
      Step <code>{job.flow_step}</code> of flow run{" "}
      <Link className="mono" to={jobUrl(workspaceId, job.parent_id)} title={job.parent_id}>
        {job.parent_id.slice(0, 8)}
      </Link>
    </p>
  );
}
