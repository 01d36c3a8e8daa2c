/**
 * The server names a bad field by its path in the document (`value.modules[2].value.iterator`,
 * platform/kiln/flows/spec.py); the editor shows the step that holds it.
 */
import { isRecord } from "../../forms/schemaKind";
import { INPUT_ID } from "../model/graph";
import type { FlowDocument } from "../model/types";

/** The canvas's input node: selecting it opens the flow's inputs panel. */
export const FLOW_INPUT_ID = INPUT_ID;

/** `a.b[2].c` → ["a", "b", 2, "c"]. */
export function pathTokens(path: string): (string | number)[] {
  const tokens: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) tokens.push(Number(match[2]));
    else if (match[1] !== undefined) tokens.push(match[1]);
  }
  return tokens;
}

function moduleIdOf(node: unknown): string | null {
  return isRecord(node) && typeof node.id === "string" && isRecord(node.value) && typeof node.value.type === "string"
    ? node.id
    : null;
}

/**
 * What to select for an error at `path`: the innermost step on the way to the field, the
 * inputs node for `schema...`, or null (a document-wide problem, or a path that no longer
 * leads anywhere because the document changed since).
 */
export function selectionForPath(doc: FlowDocument, path: string): string | null {
  const tokens = pathTokens(path);
  if (tokens[0] === "schema") return FLOW_INPUT_ID;
  let node: unknown = doc;
  let found: string | null = null;
  for (const token of tokens) {
    if (Array.isArray(node) && typeof token === "number") node = node[token];
    else if (isRecord(node) && typeof token === "string") node = node[token];
    else break;
    found = moduleIdOf(node) ?? found;
  }
  return found;
}
