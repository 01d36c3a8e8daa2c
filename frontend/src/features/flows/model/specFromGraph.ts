/**
 * The inverse of specToGraph, for the round-trip test only: the editor never needs it (the
 * document is the source of truth), but recovering the document from the graph's parents and
 * node order proves that the graph says where every module is.
 */
import type { FlowGraph, GraphNode } from "./graph";
import { visitModules } from "./lists";
import type { Branch, FlowDocument, FlowModule } from "./types";

/**
 * The module tree rebuilt from the graph: which modules, in which container and lane, in
 * which order, all come from the graph. Only each module's own fields (id, inputs, options)
 * are looked up in `doc`; container lists are replaced by what the graph holds.
 */
export function specFromGraph(graph: FlowGraph, doc: FlowDocument): FlowDocument {
  const bodies = new Map<string, FlowModule>();
  for (const { module } of visitModules(doc)) bodies.set(module.id, module);

  const children = new Map<string | undefined, GraphNode[]>();
  for (const node of graph.nodes) {
    const siblings = children.get(node.parentId) ?? [];
    siblings.push(node);
    children.set(node.parentId, siblings);
  }
  const modulesIn = (parentId: string): FlowModule[] =>
    (children.get(parentId) ?? []).filter((n) => n.moduleId !== undefined).map(rebuild);

  function rebuild(node: GraphNode): FlowModule {
    const original = node.moduleId === undefined ? undefined : bodies.get(node.moduleId);
    if (original === undefined) throw new Error(`the graph names a module the document lacks: ${node.id}`);
    const value = original.value;
    if (value.type === "forloopflow" || value.type === "whileloopflow") {
      return { ...original, value: { ...value, modules: modulesIn(node.id) } };
    }
    if (value.type !== "branchone" && value.type !== "branchall") return original;
    const lanes = (children.get(node.id) ?? []).filter((n) => n.kind === "lane" && n.lane !== undefined);
    const branches: Branch[] = [];
    let fallback: FlowModule[] | undefined;
    for (const lane of lanes) {
      const which = lane.lane?.branch;
      if (which === "default") fallback = modulesIn(lane.id);
      else if (which !== undefined) {
        const branch = value.branches[which];
        if (branch === undefined) throw new Error(`the graph has a lane the document lacks: ${lane.id}`);
        branches.push({ ...branch, modules: modulesIn(lane.id) });
      }
    }
    return value.type === "branchone"
      ? { ...original, value: { ...value, branches, default: fallback ?? [] } }
      : { ...original, value: { ...value, branches } };
  }

  const top = children.get(undefined) ?? [];
  const modules = top.filter((n) => n.kind !== "failure" && n.moduleId !== undefined).map(rebuild);
  const failureNode = top.find((n) => n.kind === "failure");
  const { failure_module: _dropped, ...rest } = doc.value;
  return {
    ...doc,
    value: failureNode ? { ...doc.value, modules, failure_module: rebuild(failureNode) } : { ...rest, modules },
  };
}
