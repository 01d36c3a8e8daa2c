/**
 * Every change the editor makes to a flow, as a pure function from one FlowDocument to the
 * next (STYLE.md habit 13). None mutates its input; an edit that cannot apply (an unknown id,
 * a taken id, a move into the module's own body) returns the document it was given, so
 * callers can compare with `===` to tell.
 */
import { expressionsOf, mapExpressions, referencesResult, renameResultRefs } from "./expressions";
import {
  descendants,
  getList,
  mapAllModules,
  mapList,
  MODULE_ID_RE,
  sameList,
  visitModules,
} from "./lists";
import type { Branch, FlowDocument, FlowModule, Position } from "./types";

export { expressionsOf, type ModuleExpression } from "./expressions";
export { newModule, freshId, cloneWithFreshIds, starterContent, PALETTE_LANGUAGES } from "./newModule";
export { getList } from "./lists";

/** What dependentsOf lists when the flow's `early_return` names the step (it is not a module id). */
export const EARLY_RETURN_REF = "flow:early_return";

export function findModule(doc: FlowDocument, id: string): { module: FlowModule; position: Position } | null {
  for (const visit of visitModules(doc)) {
    if (visit.module.id === id) return { module: visit.module, position: visit.position };
  }
  return null;
}

/** Every module id, depth first in document order, the failure module's last. */
export function allModuleIds(doc: FlowDocument): string[] {
  return Array.from(visitModules(doc), (v) => v.module.id);
}

function subtreeIds(module: FlowModule): string[] {
  return [module.id, ...Array.from(descendants(module), (m) => m.id)];
}

/**
 * `module` inserted at `at` (the index is clamped to the list). Refused when the list does
 * not exist, when an id of `module`'s subtree is already used, or when `at` is the failure
 * slot and it is taken (setFailureModule replaces it).
 */
export function insertModule(doc: FlowDocument, at: Position, module: FlowModule): FlowDocument {
  const taken = new Set(allModuleIds(doc));
  if (subtreeIds(module).some((id) => taken.has(id))) return doc;
  if (getList(doc, at.list) === null) return doc;
  return mapList(doc, at.list, (list) => {
    if (at.list === "failure") return list.length > 0 ? list : [module];
    const index = Math.max(0, Math.min(at.index, list.length));
    return [...list.slice(0, index), module, ...list.slice(index)];
  });
}

function withoutEarlyReturn(doc: FlowDocument): FlowDocument {
  const { early_return: _gone, ...value } = doc.value;
  return { ...doc, value };
}

function detach(doc: FlowDocument, position: Position): FlowDocument {
  return mapList(doc, position.list, (list) => list.filter((_, i) => i !== position.index));
}

/** The module `id` (and everything inside it) removed; an `early_return` naming it goes too. */
export function removeModule(doc: FlowDocument, id: string): FlowDocument {
  const found = findModule(doc, id);
  if (found === null) return doc;
  const next = detach(doc, found.position);
  return next.value.early_return === id ? withoutEarlyReturn(next) : next;
}

/**
 * The module `id` moved to `to`, a position in the document as it is before the move (an
 * edge's insert position): moving down within one list accounts for the gap it leaves.
 * Moving a container into its own body is refused.
 */
export function moveModule(doc: FlowDocument, id: string, to: Position): FlowDocument {
  const found = findModule(doc, id);
  if (found === null) return doc;
  const inside = new Set(subtreeIds(found.module));
  if (to.list !== "failure" && to.list.some((step) => inside.has(step.module))) return doc;
  if (getList(doc, to.list) === null) return doc;
  let index = to.index;
  if (sameList(found.position.list, to.list)) {
    if (found.position.index < index) index -= 1;
    if (index === found.position.index) return doc;
  }
  const moved = insertModule(detach(doc, found.position), { list: to.list, index }, found.module);
  // A refused insert (the failure slot is taken) must not lose the module.
  if (findModule(moved, id) === null) return doc;
  const topLevel = Array.isArray(to.list) && to.list.length === 0;
  return moved.value.early_return === id && !topLevel ? withoutEarlyReturn(moved) : moved;
}

/** The module `id` replaced by `update(module)`; `doc` itself when it returns its argument. */
export function updateModule(doc: FlowDocument, id: string, update: (m: FlowModule) => FlowModule): FlowDocument {
  const found = findModule(doc, id);
  if (found === null) return doc;
  return mapList(doc, found.position.list, (list) => {
    const current = list[found.position.index];
    if (current === undefined) return list;
    const next = update(current);
    if (next === current) return list;
    const copy = list.slice();
    copy[found.position.index] = next;
    return copy;
  });
}

/**
 * The module `oldId` renamed to `newId`, with every `results.<oldId>` (and `results["oldId"]`)
 * in the flow's expressions and an `early_return` following it. Refused when `newId` is not a
 * valid id or is taken.
 */
export function renameModule(doc: FlowDocument, oldId: string, newId: string): FlowDocument {
  if (oldId === newId || !MODULE_ID_RE.test(newId)) return doc;
  const ids = allModuleIds(doc);
  if (!ids.includes(oldId) || ids.includes(newId)) return doc;
  const next = mapAllModules(doc, (m) => {
    const rewritten = mapExpressions(m, (expr) => renameResultRefs(expr, oldId, newId));
    return m.id === oldId ? { ...rewritten, id: newId } : rewritten;
  });
  return next.value.early_return === oldId ? { ...next, value: { ...next.value, early_return: newId } } : next;
}

/**
 * The modules whose own expressions read `results.<id>` (inputs, iterator, parallelism,
 * branch predicates, skip_if, stop_after_if, sleep), the failure module included, in document
 * order; then EARLY_RETURN_REF when the flow's `early_return` is `id`.
 */
export function dependentsOf(doc: FlowDocument, id: string): string[] {
  const out: string[] = [];
  for (const { module } of visitModules(doc)) {
    if (module.id === id) continue;
    if (expressionsOf(module).some(({ expr }) => referencesResult(expr, id))) out.push(module.id);
  }
  if (doc.value.early_return === id) out.push(EARLY_RETURN_REF);
  return out;
}

/** One more branch on a branchone (a predicate that is false until edited) or branchall. */
export function addBranch(doc: FlowDocument, moduleId: string): FlowDocument {
  return updateModule(doc, moduleId, (m) => {
    const value = m.value;
    if (value.type === "branchone") {
      const branch: Branch = { summary: "", expr: "false", modules: [] };
      return { ...m, value: { ...value, branches: [...(value.branches ?? []), branch] } };
    }
    if (value.type === "branchall") {
      const branch: Branch = { summary: "", skip_failure: false, modules: [] };
      return { ...m, value: { ...value, branches: [...(value.branches ?? []), branch] } };
    }
    return m;
  });
}

/**
 * Branch `index` (and its steps) removed. A branchall keeps at least one branch; a branchone
 * may lose them all (its default remains).
 */
export function removeBranch(doc: FlowDocument, moduleId: string, index: number): FlowDocument {
  return updateModule(doc, moduleId, (m) => {
    const value = m.value;
    if (value.type !== "branchone" && value.type !== "branchall") return m;
    const branches = value.branches ?? [];
    if (index < 0 || index >= branches.length) return m;
    if (value.type === "branchall" && branches.length <= 1) return m;
    return { ...m, value: { ...value, branches: branches.filter((_, i) => i !== index) } };
  });
}

/**
 * The failure module set (replacing any) or removed (null). Refused when one of its ids is
 * used by a module of the flow's sequence.
 */
export function setFailureModule(doc: FlowDocument, module: FlowModule | null): FlowDocument {
  if (module === null) return mapList(doc, "failure", () => []);
  const current = doc.value.failure_module;
  const mine = new Set(current ? subtreeIds(current) : []);
  const taken = allModuleIds(doc).filter((id) => !mine.has(id));
  if (subtreeIds(module).some((id) => taken.includes(id))) return doc;
  return mapList(doc, "failure", () => [module]);
}
