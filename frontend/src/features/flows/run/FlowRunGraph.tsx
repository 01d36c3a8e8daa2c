/**
 * A flow run as the editor's graph, coloured live by each step's status. The graph comes
 * from the version of the flow that runs (`job.script_hash`); statuses from the run's
 * `flow_status`, which the job page refetches whenever a step moves. A loop's body shows one
 * iteration at a time (the latest, or the one picked with its arrows); the branch taken is
 * highlighted; picking a node shows its details below.
 *
 * Loaded lazily (React Flow and elkjs): JobPage renders it through React.lazy.
 */
import "./run.css";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, unwrap, type JobDetail } from "../../../api/client";
import { FlowCanvas } from "../canvas/FlowCanvas";
import type { NodeAction } from "../canvas/types";
import { specToGraph } from "../model/graph";
import type { FlowDocument, FlowValue } from "../model/types";
import { runView } from "./runView";
import { StepDetails } from "./StepDetails";

export const flowVersionKey = (workspace: string, hash: string) => ["w", workspace, "flows", "h", hash] as const;

type FlowVersion = { summary: string; description: string; schema: object; value: object };

function asDocument(version: FlowVersion): FlowDocument | null {
  const value = version.value as Partial<FlowValue>;
  if (!Array.isArray(value.modules)) return null;
  return {
    summary: version.summary,
    description: version.description,
    schema: version.schema as Record<string, unknown>,
    value: value as FlowValue,
  };
}

export function FlowRunGraph({ workspaceId, job }: { workspaceId: string; job: JobDetail }) {
  const version = useQuery({
    queryKey: flowVersionKey(workspaceId, job.script_hash),
    queryFn: () =>
      unwrap(
        api.GET("/api/w/{workspace}/flows/h/{hash}", {
          params: { path: { workspace: workspaceId, hash: job.script_hash } },
        }),
      ),
    // A version never changes.
    staleTime: Infinity,
  });
  const doc = useMemo(() => (version.data ? asDocument(version.data) : null), [version.data]);

  if (version.isPending) return <p className="muted">Loading the flow's graph…</p>;
  // Not an alert: the steps table below still tells the run's story.
  if (version.isError) return <p className="muted">The flow's graph is not available: {version.error.message}</p>;
  if (doc === null) return <p className="muted">This flow version has no steps to draw.</p>;
  return <RunGraph workspaceId={workspaceId} job={job} doc={doc} />;
}

function RunGraph({ workspaceId, job, doc }: { workspaceId: string; job: JobDetail; doc: FlowDocument }) {
  const graph = useMemo(() => specToGraph(doc), [doc]);
  const [shown, setShown] = useState<Record<string, number>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const view = useMemo(() => runView(doc, job.flow_status, shown), [doc, job.flow_status, shown]);

  const onNodeAction = (action: NodeAction) => {
    if (action.type === "iteration") setShown((s) => ({ ...s, [action.id]: action.iteration }));
  };

  return (
    <div className="flow-run-graph" data-testid="flow-run-graph">
      <FlowCanvas
        graph={graph}
        mode="run"
        selected={selected}
        onSelect={setSelected}
        statuses={view.statuses}
        onNodeAction={onNodeAction}
        label="Graph of the run"
      />
      {selected !== null ? (
        <StepDetails workspaceId={workspaceId} job={job} selected={selected} view={view} />
      ) : (
        <p className="muted flow-run-hint">Pick a step on the graph to see its job, result or error.</p>
      )}
    </div>
  );
}
