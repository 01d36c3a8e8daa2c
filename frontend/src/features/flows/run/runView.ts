/**
 * A flow run's `flow_status` laid over the flow's graph: a status per module (and per lane),
 * for the loop iterations being looked at. Pure, so the live page only re-derives it when
 * the run is refetched.
 *
 * `flow_status.steps` keys a step by its place: `fetch`, `score/3/score_one` (iteration 3 of
 * loop `score`), `decide/0/approve` (branch 0 of `decide`), `decide/default/nothing`.
 */
import type { NodeRunStatus } from "../canvas/types";
import { laneId } from "../model/graph";
import type { FlowDocument, FlowModule } from "../model/types";

export type StepNode = Record<string, unknown>;

export interface RunView {
  statuses: Record<string, NodeRunStatus>;
  /** Each module's place in flow_status as shown now (its key for the iterations chosen). */
  places: Record<string, string>;
  /** The flow_status node of each place that has started. */
  steps: Record<string, StepNode>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** How long a step took, once it has finished. */
export function stepDuration(node: StepNode | undefined): number | null {
  const started = Date.parse(text(node?.started_at) ?? "");
  const finished = Date.parse(text(node?.finished_at) ?? "");
  return Number.isFinite(started) && Number.isFinite(finished) && finished >= started ? finished - started : null;
}

function stepsOf(flowStatus: unknown): Record<string, StepNode> {
  const out: Record<string, StepNode> = {};
  for (const [key, node] of Object.entries(record(record(flowStatus)?.steps) ?? {})) {
    const value = record(node);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Statuses for every module of `doc` in the run `flowStatus`. `shown` picks the iteration each
 * loop's body shows (by loop id); a loop not in it shows its latest iteration.
 */
export function runView(doc: FlowDocument, flowStatus: unknown, shown: Record<string, number> = {}): RunView {
  const steps = stepsOf(flowStatus);
  const statuses: Record<string, NodeRunStatus> = {};
  const places: Record<string, string> = {};

  // A module that has not started is waiting (inside a loop or branch it has no node yet).
  const visit = (modules: FlowModule[] | undefined, prefix: string) => {
    for (const module of modules ?? []) {
      const key = `${prefix}${module.id}`;
      const node = steps[key];
      const status: NodeRunStatus = { status: text(node?.status) ?? "waiting", duration_ms: stepDuration(node) };
      statuses[module.id] = status;
      places[module.id] = key;
      const value = module.value;
      if (value.type === "forloopflow" || value.type === "whileloopflow") {
        const count = Object.keys(record(node?.iters) ?? {}).length;
        const iteration = Math.max(0, Math.min(shown[module.id] ?? count - 1, count - 1));
        status.iterations = count;
        if (count > 0) status.iteration = iteration;
        visit(value.modules, `${key}/${iteration}/`);
      } else if (value.type === "branchone") {
        const chosen = node?.branch === undefined ? undefined : String(node.branch);
        const lanes: (number | "default")[] = [...(value.branches ?? []).map((_, i) => i), "default"];
        for (const lane of lanes) {
          const picked = chosen === undefined ? undefined : chosen === String(lane);
          const laneStatus: NodeRunStatus = { status: picked ? status.status : "waiting" };
          if (picked !== undefined) laneStatus.chosen = picked;
          statuses[laneId(module.id, lane)] = laneStatus;
          visit(lane === "default" ? value.default : value.branches[lane]?.modules, `${key}/${lane}/`);
        }
      } else if (value.type === "branchall") {
        const parts = record(node?.iters) ?? {};
        (value.branches ?? []).forEach((branch, i) => {
          const part = record(parts[String(i)]);
          const laneStatus: NodeRunStatus = { status: text(part?.status) ?? "waiting" };
          if (part) laneStatus.chosen = true;
          statuses[laneId(module.id, i)] = laneStatus;
          visit(branch.modules, `${key}/${i}/`);
        });
      }
    }
  };
  visit(doc.value.modules, "");

  // The failure module has a status only in a run that went on to it.
  const failure = doc.value.failure_module;
  if (failure && steps[failure.id]) {
    visit([failure], "");
  } else if (failure) {
    places[failure.id] = failure.id;
  }
  return { statuses, places, steps };
}
