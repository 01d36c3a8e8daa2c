/**
 * The JavaScript expressions of one module (not of the modules inside it), and the
 * `results.<id>` references in them: what "who uses this step" and "rename this step" read.
 */
import type { Branch, FlowModule, InputTransform, ModuleValue, StopCondition } from "./types";

export interface ModuleExpression {
  /** Where it lives in the module, e.g. `input_transforms.count`, `iterator`, `branches[0].expr`. */
  field: string;
  expr: string;
}

function transformExpr(t: unknown): string | null {
  if (typeof t !== "object" || t === null) return null;
  const transform = t as InputTransform;
  return transform.type === "javascript" && typeof transform.expr === "string" ? transform.expr : null;
}

/** Every expression of `module` itself: inputs, iterator, parallelism, branch predicates, options. */
export function expressionsOf(module: FlowModule): ModuleExpression[] {
  const out: ModuleExpression[] = [];
  const push = (field: string, expr: string | null | undefined) => {
    if (typeof expr === "string") out.push({ field, expr });
  };
  const value = module.value;
  const inputs = "input_transforms" in value ? value.input_transforms : undefined;
  if (inputs && typeof inputs === "object") {
    for (const [name, t] of Object.entries(inputs)) push(`input_transforms.${name}`, transformExpr(t));
  }
  if (value.type === "forloopflow") {
    push("iterator", transformExpr(value.iterator));
    push("parallelism", transformExpr(value.parallelism));
  }
  if (value.type === "branchone" || value.type === "branchall") {
    (value.branches ?? []).forEach((b, i) => push(`branches[${i}].expr`, b.expr));
  }
  push("skip_if", module.skip_if?.expr);
  push("stop_after_if", module.stop_after_if?.expr);
  push("stop_after_all_iters_if", module.stop_after_all_iters_if?.expr);
  push("sleep", transformExpr(module.sleep));
  return out;
}

function mapTransform<T>(t: T, fn: (expr: string) => string): T {
  const expr = transformExpr(t);
  if (expr === null) return t;
  const next = fn(expr);
  return next === expr ? t : { ...t, expr: next };
}

function mapCondition<T extends StopCondition | { expr: string } | undefined>(c: T, fn: (e: string) => string): T {
  if (!c || typeof c.expr !== "string") return c;
  const next = fn(c.expr);
  return next === c.expr ? c : { ...c, expr: next };
}

function mapValue(value: ModuleValue, fn: (expr: string) => string): ModuleValue {
  let next: ModuleValue = value;
  if ("input_transforms" in value && value.input_transforms && typeof value.input_transforms === "object") {
    const inputs = value.input_transforms;
    let changed = false;
    const mapped = Object.fromEntries(
      Object.entries(inputs).map(([name, t]) => {
        const m = mapTransform(t, fn);
        if (m !== t) changed = true;
        return [name, m];
      }),
    );
    if (changed) next = { ...next, input_transforms: mapped } as ModuleValue;
  }
  if (next.type === "forloopflow") {
    const iterator = mapTransform(next.iterator, fn);
    const parallelism = mapTransform(next.parallelism, fn);
    if (iterator !== next.iterator || parallelism !== next.parallelism) next = { ...next, iterator, parallelism };
  }
  if ((next.type === "branchone" || next.type === "branchall") && next.branches) {
    const before: Branch[] = next.branches;
    const branches = before.map((b) => {
      if (typeof b.expr !== "string") return b;
      const expr = fn(b.expr);
      return expr === b.expr ? b : { ...b, expr };
    });
    if (branches.some((b, i) => b !== before[i])) next = { ...next, branches } as ModuleValue;
  }
  return next;
}

/** `module` with every expression of its own rewritten by `fn` (itself when none changes). */
export function mapExpressions(module: FlowModule, fn: (expr: string) => string): FlowModule {
  const value = mapValue(module.value, fn);
  const skip_if = mapCondition(module.skip_if, fn);
  const stop_after_if = mapCondition(module.stop_after_if, fn);
  const stop_after_all_iters_if = mapCondition(module.stop_after_all_iters_if, fn);
  const sleep = mapTransform(module.sleep, fn);
  if (
    value === module.value &&
    skip_if === module.skip_if &&
    stop_after_if === module.stop_after_if &&
    stop_after_all_iters_if === module.stop_after_all_iters_if &&
    sleep === module.sleep
  ) {
    return module;
  }
  const next: FlowModule = { ...module, value };
  // Only keys the module had: a rewrite must not add `skip_if: undefined` and the like.
  if ("skip_if" in module) next.skip_if = skip_if;
  if ("stop_after_if" in module) next.stop_after_if = stop_after_if;
  if ("stop_after_all_iters_if" in module) next.stop_after_all_iters_if = stop_after_all_iters_if;
  if ("sleep" in module) next.sleep = sleep;
  return next;
}

// An id read from a hand-written document may hold anything: escape it into the patterns.
function escape(id: string): string {
  return id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// `results.x`, `results?.x` and `results["x"]` (any quote), not `myresults.x` or `a.results.x`.
function dotted(id: string): RegExp {
  return new RegExp(`(?<![\\w$.])(results\\s*(?:\\?\\.|\\.)\\s*)${escape(id)}(?![\\w$])`, "g");
}

function bracketed(id: string): RegExp {
  return new RegExp(`(?<![\\w$.])(results\\s*(?:\\?\\.)?\\[\\s*)(["'\`])${escape(id)}\\2(\\s*\\])`, "g");
}

/** Whether `expr` reads `results.<id>`. */
export function referencesResult(expr: string, id: string): boolean {
  return dotted(id).test(expr) || bracketed(id).test(expr);
}

/** `expr` with its `results.<oldId>` references renamed to `newId`, in the same form. */
export function renameResultRefs(expr: string, oldId: string, newId: string): string {
  return expr.replace(dotted(oldId), `$1${newId}`).replace(bracketed(oldId), `$1$2${newId}$2$3`);
}
