/**
 * What an expression may name at a step (docs/flows.md, "Inputs: transforms and expressions"),
 * offered as completions: the flow's inputs, earlier steps' results (with the keys of their
 * last test result), and the loop and error variables where they exist.
 */
import { isRecord } from "../../forms/schemaKind";
import { allModuleIds, findModule } from "../model/edits";
import type { FlowDocument } from "../model/types";

/** Keys of a sample result: an object's, or those of a list's first object. */
function keysOf(result: unknown): { prefix: string; keys: string[] } | null {
  if (isRecord(result)) return { prefix: ".", keys: Object.keys(result) };
  if (Array.isArray(result) && isRecord(result[0])) return { prefix: "[0].", keys: Object.keys(result[0]) };
  return null;
}

/** The names of the flow's inputs (`doc.schema.properties`). */
export function flowInputNames(doc: FlowDocument): string[] {
  const properties = isRecord(doc.schema) && isRecord(doc.schema.properties) ? doc.schema.properties : {};
  return Object.keys(properties);
}

/** Whether the step sits in a loop's body (then `flow_input.iter` exists). */
function inLoop(doc: FlowDocument, moduleId: string): boolean {
  const found = findModule(doc, moduleId);
  if (found === null || found.position.list === "failure") return false;
  return found.position.list.some((step) => {
    const type = findModule(doc, step.module)?.module.value.type;
    return step.list === "modules" && (type === "forloopflow" || type === "whileloopflow");
  });
}

export function expressionSuggestions(
  doc: FlowDocument,
  moduleId: string | null,
  testResults: Readonly<Record<string, unknown>>,
): string[] {
  const out = flowInputNames(doc).map((name) => `flow_input.${name}`);
  const ids = allModuleIds(doc);
  const at = moduleId === null ? ids.length : ids.indexOf(moduleId);
  // Document order: a step listed before this one ran before it (or is a container's inner step,
  // which the server's scope check points out on deploy).
  const earlier = ids.slice(0, at < 0 ? ids.length : at);
  if (moduleId !== null && inLoop(doc, moduleId)) out.push("flow_input.iter.value", "flow_input.iter.index");
  for (const id of earlier) {
    out.push(`results.${id}`);
    const sample = keysOf(testResults[id]);
    if (sample !== null) for (const key of sample.keys) out.push(`results.${id}${sample.prefix}${key}`);
  }
  if (earlier.length > 0) out.push("previous_result");
  const failure = doc.value.failure_module;
  if (failure !== undefined && moduleId === failure.id) out.push("error", "error.message", "error.step_id");
  return out;
}
