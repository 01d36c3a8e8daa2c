/**
 * The plumbing every edit and projection shares: reading and replacing a module list by its
 * ListPath, and visiting every module of a document in order. All of it is immutable with
 * structural sharing: a list or module that does not change keeps its identity, so React and
 * the layout cache can tell what moved by `===`.
 */
import type { FlowDocument, FlowModule, ListPath, ListStep, Position } from "./types";

/** `[A-Za-z_][A-Za-z0-9_]*`, as the server checks module ids. */
export const MODULE_ID_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ChildList {
  step: ListStep;
  modules: FlowModule[];
}

/** The lists a container module holds, in display order (branchone: its branches, then default). */
export function childLists(module: FlowModule): ChildList[] {
  const value = module.value;
  const id = module.id;
  switch (value.type) {
    case "forloopflow":
    case "whileloopflow":
      return [{ step: { module: id, list: "modules" }, modules: value.modules ?? [] }];
    case "branchone":
      return [
        ...(value.branches ?? []).map((b, branch) => ({
          step: { module: id, list: "branch" as const, branch },
          modules: b.modules ?? [],
        })),
        { step: { module: id, list: "default" }, modules: value.default ?? [] },
      ];
    case "branchall":
      return (value.branches ?? []).map((b, branch) => ({
        step: { module: id, list: "branch" as const, branch },
        modules: b.modules ?? [],
      }));
    default:
      return [];
  }
}

export function isContainer(module: FlowModule): boolean {
  const t = module.value.type;
  return t === "forloopflow" || t === "whileloopflow" || t === "branchone" || t === "branchall";
}

/** The list `step` names inside `module`, or null when the module has no such list. */
export function childList(module: FlowModule, step: ListStep): FlowModule[] | null {
  if (module.id !== step.module) return null;
  const value = module.value;
  if (step.list === "modules") {
    return value.type === "forloopflow" || value.type === "whileloopflow" ? (value.modules ?? []) : null;
  }
  if (step.list === "default") return value.type === "branchone" ? (value.default ?? []) : null;
  if (value.type !== "branchone" && value.type !== "branchall") return null;
  return value.branches?.[step.branch]?.modules ?? null;
}

/** `module` with the list `step` names replaced (the caller has checked that it exists). */
export function withChildList(module: FlowModule, step: ListStep, modules: FlowModule[]): FlowModule {
  const value = module.value;
  if (step.list === "modules" || step.list === "default") {
    const key = step.list;
    return { ...module, value: { ...value, [key]: modules } as FlowModule["value"] };
  }
  if (value.type !== "branchone" && value.type !== "branchall") return module;
  const branches = value.branches.slice();
  const branch = branches[step.branch];
  if (branch === undefined) return module;
  branches[step.branch] = { ...branch, modules };
  return { ...module, value: { ...value, branches } };
}

function topLevel(doc: FlowDocument): FlowModule[] {
  return doc.value.modules ?? [];
}

/**
 * The module list at `list`, or null when the path does not lead anywhere. The first step
 * may also name the failure module (a container there has lists of its own).
 */
export function getList(doc: FlowDocument, list: ListPath): FlowModule[] | null {
  const failure = doc.value.failure_module;
  if (list === "failure") return failure ? [failure] : [];
  let current = topLevel(doc);
  for (const [i, step] of list.entries()) {
    const pool = i === 0 && failure ? [...current, failure] : current;
    const owner = pool.find((m) => m.id === step.module);
    const next = owner ? childList(owner, step) : null;
    if (next === null) return null;
    current = next;
  }
  return current;
}

function mapIn(
  modules: FlowModule[],
  steps: ListStep[],
  fn: (list: FlowModule[]) => FlowModule[],
): FlowModule[] | null {
  const [step, ...rest] = steps;
  if (step === undefined) return fn(modules);
  const index = modules.findIndex((m) => m.id === step.module);
  const owner = modules[index];
  if (owner === undefined) return null;
  const inner = childList(owner, step);
  if (inner === null) return null;
  const next = mapIn(inner, rest, fn);
  if (next === null) return null;
  if (next === inner) return modules;
  const copy = modules.slice();
  copy[index] = withChildList(owner, step, next);
  return copy;
}

function withFailure(doc: FlowDocument, failure: FlowModule | undefined): FlowDocument {
  const { failure_module: _old, ...rest } = doc.value;
  return { ...doc, value: failure ? { ...doc.value, failure_module: failure } : rest };
}

/**
 * `doc` with the list at `list` replaced by `fn(list)`; `doc` itself when the path leads
 * nowhere or `fn` returns its argument. For "failure", `fn` sees a list of at most one.
 */
export function mapList(
  doc: FlowDocument,
  list: ListPath,
  fn: (list: FlowModule[]) => FlowModule[],
): FlowDocument {
  const failure = doc.value.failure_module;
  if (list === "failure") {
    const current = failure ? [failure] : [];
    const next = fn(current);
    if (next === current || (next.length === 0 && current.length === 0)) return doc;
    return withFailure(doc, next[0]);
  }
  const first = list[0];
  if (failure && first !== undefined && first.module === failure.id) {
    const next = mapIn([failure], list, fn);
    return next === null || next[0] === failure ? doc : withFailure(doc, next[0]);
  }
  const modules = topLevel(doc);
  const next = mapIn(modules, list, fn);
  return next === null || next === modules ? doc : { ...doc, value: { ...doc.value, modules: next } };
}

export interface Visit {
  module: FlowModule;
  position: Position;
  /** The enclosing container module ids, outermost first. */
  ancestors: string[];
}

function* visitList(modules: FlowModule[], list: ListStep[], ancestors: string[]): Generator<Visit> {
  for (const [index, module] of modules.entries()) {
    yield { module, position: { list, index }, ancestors };
    for (const child of childLists(module)) {
      yield* visitList(child.modules, [...list, child.step], [...ancestors, module.id]);
    }
  }
}

/** Every module of the document, depth first in document order, the failure module last. */
export function* visitModules(doc: FlowDocument): Generator<Visit> {
  yield* visitList(topLevel(doc), [], []);
  const failure = doc.value.failure_module;
  if (!failure) return;
  yield { module: failure, position: { list: "failure", index: 0 }, ancestors: [] };
  for (const child of childLists(failure)) yield* visitList(child.modules, [child.step], [failure.id]);
}

/** Every module inside `module` (not itself), depth first. */
export function* descendants(module: FlowModule): Generator<FlowModule> {
  for (const child of childLists(module)) {
    for (const inner of child.modules) {
      yield inner;
      yield* descendants(inner);
    }
  }
}

/**
 * `fn` applied to every module of `module`'s subtree, children first; unchanged subtrees
 * keep their identity.
 */
export function mapSubtree(module: FlowModule, fn: (m: FlowModule) => FlowModule): FlowModule {
  let current = module;
  for (const child of childLists(module)) {
    const mapped = mapModules(child.modules, fn);
    if (mapped !== child.modules) current = withChildList(current, child.step, mapped);
  }
  return fn(current);
}

export function mapModules(modules: FlowModule[], fn: (m: FlowModule) => FlowModule): FlowModule[] {
  let changed = false;
  const next = modules.map((m) => {
    const mapped = mapSubtree(m, fn);
    if (mapped !== m) changed = true;
    return mapped;
  });
  return changed ? next : modules;
}

/** `fn` applied to every module of the document (failure module included). */
export function mapAllModules(doc: FlowDocument, fn: (m: FlowModule) => FlowModule): FlowDocument {
  const modules = topLevel(doc);
  const nextModules = mapModules(modules, fn);
  const failure = doc.value.failure_module;
  const nextFailure = failure ? mapSubtree(failure, fn) : failure;
  if (nextModules === modules && nextFailure === failure) return doc;
  return {
    ...doc,
    value: { ...doc.value, modules: nextModules, ...(nextFailure ? { failure_module: nextFailure } : {}) },
  };
}

/** Two list paths name the same list. */
export function sameList(a: ListPath, b: ListPath): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
