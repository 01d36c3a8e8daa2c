/**
 * A flow run's `flow_status` (the API types it as a plain object) read into typed rows,
 * one per step that has started. Keys name a step's place: `fetch`, `score/3/score_one`
 * (iteration 3 of loop `score`), `decide/default/nothing` (the default branch of `decide`).
 */

/** The statuses of a step (a node of `flow_status.steps`). */
export const STEP_STATUSES = ["running", "suspended", "sleeping", "success", "failure", "skipped", "canceled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

const ACTIVE: ReadonlySet<string> = new Set(["running", "suspended", "sleeping"]);

/** running, suspended and sleeping steps still change; every other status is final. */
export function isActiveStep(status: string): boolean {
  return ACTIVE.has(status);
}

const LOOPS: ReadonlySet<string> = new Set(["forloopflow", "whileloopflow"]);

export interface FlowStepRow {
  /** Its place in the flow, e.g. `score/3/score_one`. */
  key: string;
  /** The module's id (the key's last part). */
  id: string;
  /** 0 at the top level, one more per enclosing loop or branch. */
  depth: number;
  /** The key of the loop or branch it runs in; null at the top level. */
  parent: string | null;
  /** Where in that parent: the iteration or branch index (`3`, `default`); null at the top level. */
  slot: string | null;
  /** The module type: `rawscript`, `forloopflow`, `branchone`… */
  type: string;
  /** A StepStatus, or whatever else the server says. */
  status: string;
  /** The child job that ran it, if any (loops, branches, cached and skipped steps have none). */
  job: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** null until it has finished (or when a time does not parse). */
  durationMs: number | null;
  /** A loop's iterations started so far; null for other types. */
  iterations: number | null;
  /** A branchone's chosen branch (`0`, `default`); null for other types or before it chose. */
  branch: string | null;
  /** Its result came from the cache (no job ran). */
  cached: boolean;
  /** Kept from the run it was restarted from. */
  reused: boolean;
  /** Approvals received; null when it is not an approval step. */
  approvals: number | null;
  /** Approvals needed (1 unless the module says); null when it is not an approval step. */
  requiredEvents: number | null;
  /** Its error's message (a failure, a rejection, an approval timeout). */
  error: string | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function duration(startedAt: string | null, finishedAt: string | null): number | null {
  if (startedAt === null || finishedAt === null) return null;
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** `score/3/score_one` → parent `score`, slot `3`, id `score_one`. */
function place(key: string): { parent: string | null; slot: string | null; id: string; depth: number } {
  const parts = key.split("/");
  const id = parts[parts.length - 1] ?? key;
  if (parts.length < 3) return { parent: null, slot: null, id, depth: 0 };
  return {
    parent: parts.slice(0, -2).join("/"),
    slot: parts[parts.length - 2] ?? null,
    id,
    depth: Math.floor((parts.length - 1) / 2),
  };
}

function row(key: string, node: Record<string, unknown>): FlowStepRow {
  const { parent, slot, id, depth } = place(key);
  const type = text(node.type) ?? "";
  const startedAt = text(node.started_at);
  const finishedAt = text(node.finished_at);
  const iters = record(node.iters);
  const approvals = Array.isArray(node.approvals) ? node.approvals.length : null;
  const branch = typeof node.branch === "number" || typeof node.branch === "string" ? String(node.branch) : null;
  return {
    key,
    id: text(node.id) ?? id,
    depth,
    parent,
    slot,
    type,
    status: text(node.status) ?? "unknown",
    job: text(node.job),
    startedAt,
    finishedAt,
    durationMs: duration(startedAt, finishedAt),
    iterations: LOOPS.has(type) ? Object.keys(iters ?? {}).length : null,
    branch: type === "branchone" ? branch : null,
    cached: node.cached === true,
    reused: node.reused === true,
    approvals,
    requiredEvents:
      approvals === null ? null : typeof node.required_events === "number" ? node.required_events : 1,
    error: text(record(node.error)?.message),
  };
}

function steps(flowStatus: unknown): Record<string, Record<string, unknown>> {
  const all = record(record(flowStatus)?.steps) ?? {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, node] of Object.entries(all)) {
    const value = record(node);
    if (value !== null) out[key] = value;
  }
  return out;
}

/**
 * The started steps, each followed by the steps inside it (its iterations' and branches'),
 * siblings in the order `flow_status.steps` lists them (the order they started). For a flow
 * whose loops run one iteration at a time that is the order of `flow_status.steps` itself;
 * parallel iterations that started interleaved are grouped under their loop.
 */
export function flowStepRows(flowStatus: unknown): FlowStepRow[] {
  const rows = Object.entries(steps(flowStatus)).map(([key, node]) => row(key, node));
  const known = new Set(rows.map((r) => r.key));
  const children = new Map<string | null, FlowStepRow[]>();
  for (const r of rows) {
    // A step whose container is missing (it should not be) is listed where it started.
    const under = r.parent !== null && known.has(r.parent) ? r.parent : null;
    children.set(under, [...(children.get(under) ?? []), r]);
  }
  const ordered: FlowStepRow[] = [];
  const visit = (parent: string | null) => {
    for (const child of children.get(parent) ?? []) {
      ordered.push(child);
      visit(child.key);
    }
  };
  visit(null);
  return ordered;
}

/**
 * The top-level steps a finished run can be restarted from: those it started, in order. In
 * a run that went on to its failure module (`phase: "failure"`), that module is the last
 * top-level step to start, and it is not a step of the flow's sequence: it is left out.
 */
export function restartableSteps(flowStatus: unknown): string[] {
  const keys = Object.keys(steps(flowStatus)).filter((key) => !key.includes("/"));
  return record(flowStatus)?.phase === "failure" ? keys.slice(0, -1) : keys;
}
