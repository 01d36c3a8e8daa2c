/**
 * Each step's result from a finished run (`GET /jobs/{id}`'s full `flow_status`), so the
 * expression editor can suggest the keys of `results.<id>`.
 */
import { isRecord } from "../../forms/schemaKind";

/**
 * `{step id: result}` for every node that has a result. A step inside a loop appears once per
 * iteration (`score/0/score_one`, `score/1/score_one`): the last one listed wins, which is as
 * good a sample of its shape as any.
 */
export function stepResultsOf(flowStatus: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(flowStatus) || !isRecord(flowStatus.steps)) return out;
  for (const [key, node] of Object.entries(flowStatus.steps)) {
    if (!isRecord(node) || !("result" in node)) continue;
    const id = typeof node.id === "string" ? node.id : (key.split("/").pop() ?? key);
    out[id] = node.result;
  }
  return out;
}
