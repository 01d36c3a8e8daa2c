/**
 * The flow document as Kiln stores it: a compatible subset of Windmill's OpenFlow
 * (platform/kiln/flows/spec.py is the validator and the reference; docs/flows.md the
 * user's guide). The editor's graph is a projection of this document, never a second
 * source of truth: every edit is a pure function from one FlowDocument to the next.
 *
 * Unknown keys are kept as they are (the types are open with `[key: string]: unknown`
 * where the server accepts more), so a document round-trips through the editor unchanged.
 */

export type InputTransform =
  | { type: "static"; value?: unknown }
  | { type: "javascript"; expr: string };

export type InputTransforms = Record<string, InputTransform>;

export interface RawScriptValue {
  type: "rawscript";
  language: string;
  content: string;
  input_transforms?: InputTransforms;
  tag?: string;
  lock?: string;
  path?: string;
  [key: string]: unknown;
}

export interface ScriptValue {
  type: "script";
  path?: string;
  hash?: string;
  input_transforms?: InputTransforms;
  tag_override?: string;
  [key: string]: unknown;
}

export interface SubflowValue {
  type: "flow";
  path: string;
  input_transforms?: InputTransforms;
  [key: string]: unknown;
}

export interface ForLoopValue {
  type: "forloopflow";
  iterator: InputTransform;
  modules: FlowModule[];
  skip_failures?: boolean;
  parallel?: boolean;
  parallelism?: number | InputTransform;
  [key: string]: unknown;
}

export interface WhileLoopValue {
  type: "whileloopflow";
  modules: FlowModule[];
  skip_failures?: boolean;
  [key: string]: unknown;
}

export interface Branch {
  summary?: string;
  /** A JavaScript predicate (branchone: required; branchall: optional). */
  expr?: string;
  modules: FlowModule[];
  skip_failure?: boolean;
  [key: string]: unknown;
}

export interface BranchOneValue {
  type: "branchone";
  branches: Branch[];
  default: FlowModule[];
  [key: string]: unknown;
}

export interface BranchAllValue {
  type: "branchall";
  branches: Branch[];
  parallel?: boolean;
  [key: string]: unknown;
}

export interface IdentityValue {
  type: "identity";
  flow?: boolean;
  [key: string]: unknown;
}

export type ModuleValue =
  | RawScriptValue
  | ScriptValue
  | SubflowValue
  | ForLoopValue
  | WhileLoopValue
  | BranchOneValue
  | BranchAllValue
  | IdentityValue;

export type ModuleKind = ModuleValue["type"];

export interface StopCondition {
  expr: string;
  skip_if_stopped?: boolean;
  error_message?: string;
}

export interface Retry {
  constant?: { attempts?: number; seconds?: number };
  exponential?: { attempts?: number; multiplier?: number; seconds?: number; random_factor?: number };
}

export interface Suspend {
  required_events?: number;
  timeout?: number;
  resume_form?: { schema: Record<string, unknown> };
  user_auth_required?: boolean;
  hide_cancel?: boolean;
  self_approval_disabled?: boolean;
  continue_on_disapprove_timeout?: boolean;
  [key: string]: unknown;
}

export interface FlowModule {
  id: string;
  value: ModuleValue;
  summary?: string;
  stop_after_if?: StopCondition;
  stop_after_all_iters_if?: StopCondition;
  skip_if?: { expr: string };
  sleep?: number | InputTransform;
  cache_ttl?: number;
  timeout?: number;
  retry?: Retry;
  continue_on_error?: boolean;
  suspend?: Suspend;
  mock?: { enabled?: boolean; return_value?: unknown };
  [key: string]: unknown;
}

export interface FlowValue {
  modules: FlowModule[];
  failure_module?: FlowModule;
  early_return?: string;
  concurrent_limit?: number;
  concurrency_key?: string;
  skip_expr?: string;
  [key: string]: unknown;
}

/** What `POST /api/w/{ws}/flows` takes (plus `path`) and `GET .../flows/p/{path}` gives. */
export interface FlowDocument {
  summary?: string;
  description?: string;
  /** The flow's inputs: a JSON Schema object (its run form is generated from it). */
  schema?: Record<string, unknown>;
  value: FlowValue;
  [key: string]: unknown;
}

/**
 * Where a module list lives in the document, from the top: [] is value.modules;
 * each step goes into a container module's list. A location names a *list*; with an
 * index it names a position in it (an insertion point, or a module).
 *
 *   []                                    value.modules
 *   [{ module: "score", list: "modules" }]           the for-loop `score`'s body
 *   [{ module: "decide", list: "branch", branch: 0 }] branch 0 of `decide`
 *   [{ module: "decide", list: "default" }]          decide's default branch
 *   "failure"                                        value.failure_module (a list of at most one)
 */
export type ListStep =
  | { module: string; list: "modules" }
  | { module: string; list: "branch"; branch: number }
  | { module: string; list: "default" };

export type ListPath = ListStep[] | "failure";

export interface Position {
  list: ListPath;
  index: number;
}

/** The module kinds the palette offers; "approval" is an identity step with `suspend`. */
export type PaletteKind =
  | "rawscript"
  | "script"
  | "flow"
  | "forloopflow"
  | "whileloopflow"
  | "branchone"
  | "branchall"
  | "approval";
