/**
 * The flow document as YAML text (the YAML tab, import and export), with the `yaml` package.
 * Reading checks only what the editor needs to draw and edit the flow (mappings and lists
 * where it walks, unique ids); the server's validator judges the rest when it is saved.
 */
import { isNode, LineCounter, parseDocument, stringify } from "yaml";
import type { FlowDocument } from "./types";

export interface YamlError {
  message: string;
  /** 1-based, where the text has the problem (when known). */
  line?: number;
  column?: number;
}

const TOP_KEYS = ["summary", "description", "schema", "value"];

/** `doc` as YAML: summary, description, schema, value first; every other key in its own order. */
export function toYaml(doc: FlowDocument): string {
  const ordered: Record<string, unknown> = {};
  for (const key of TOP_KEYS) if (doc[key] !== undefined) ordered[key] = doc[key];
  for (const [key, v] of Object.entries(doc)) if (!(key in ordered) && v !== undefined) ordered[key] = v;
  return stringify(ordered, {
    // Long expressions stay on one line; multi-line code is a literal block, as written.
    lineWidth: 0,
    blockQuote: "literal",
    // Shared (structurally equal) objects are written out, never as anchors and aliases.
    aliasDuplicateObjects: false,
  });
}

type Path = (string | number)[];

interface Problem {
  message: string;
  path: Path;
}

const KNOWN_TYPES = new Set([
  "rawscript",
  "script",
  "flow",
  "forloopflow",
  "whileloopflow",
  "branchone",
  "branchall",
  "identity",
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function where(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The first problem that would stop the editor from walking the document, if any. */
function shapeProblem(data: unknown): Problem | null {
  if (!isRecord(data)) return { message: "the document must be a mapping (summary, schema, value)", path: [] };
  if (!isRecord(data.value)) return { message: "value: missing (a mapping with the flow's modules)", path: ["value"] };
  const seen = new Set<string>();

  function list(items: unknown, path: Path): Problem | null {
    if (!Array.isArray(items)) return { message: `${where(path)}: must be a list of modules`, path };
    for (const [i, item] of items.entries()) {
      const problem = module(item, [...path, i]);
      if (problem) return problem;
    }
    return null;
  }

  function module(m: unknown, path: Path): Problem | null {
    if (!isRecord(m)) return { message: `${where(path)}: must be a module (id, value)`, path };
    if (typeof m.id !== "string" || m.id === "") return { message: `${where(path)}.id: missing`, path };
    if (seen.has(m.id)) {
      return { message: `${where(path)}.id: "${m.id}" is used by another step`, path: [...path, "id"] };
    }
    seen.add(m.id);
    const value = m.value;
    if (!isRecord(value)) return { message: `${where(path)}.value: missing`, path };
    const at = [...path, "value"];
    if (typeof value.type !== "string" || !KNOWN_TYPES.has(value.type)) {
      return { message: `${where(at)}.type: unknown module type ${JSON.stringify(value.type)}`, path: at };
    }
    if (value.type === "forloopflow" || value.type === "whileloopflow") {
      return list(value.modules ?? [], [...at, "modules"]);
    }
    if (value.type === "branchone" || value.type === "branchall") {
      const branches = value.branches ?? [];
      if (!Array.isArray(branches)) {
        return { message: `${where(at)}.branches: must be a list`, path: [...at, "branches"] };
      }
      for (const [i, b] of branches.entries()) {
        const bp = [...at, "branches", i];
        if (!isRecord(b)) return { message: `${where(bp)}: must be a branch (modules)`, path: bp };
        const problem = list(b.modules ?? [], [...bp, "modules"]);
        if (problem) return problem;
      }
      if (value.type === "branchone") return list(value.default ?? [], [...at, "default"]);
    }
    return null;
  }

  const problem = list(data.value.modules ?? [], ["value", "modules"]);
  if (problem) return problem;
  const failure = data.value.failure_module;
  return failure === undefined ? null : module(failure, ["value", "failure_module"]);
}

/** The document in `text`, or the first error with where it is. */
export function fromYaml(text: string): { doc: FlowDocument } | { error: YamlError } {
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = parsed.errors[0];
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    return { error: { message: syntax.message, line, column: col } };
  }
  let data: unknown;
  try {
    // A small alias budget: a hostile "billion laughs" document fails instead of hanging the tab.
    data = parsed.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return { error: { message: cause instanceof Error ? cause.message : String(cause) } };
  }
  const problem = shapeProblem(data);
  if (problem === null) return { doc: data as FlowDocument };
  // Point at the deepest part of the path the text has.
  for (let n = problem.path.length; n >= 0; n -= 1) {
    const node = parsed.getIn(problem.path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { error: { message: problem.message, line, column: col } };
    }
  }
  return { error: { message: problem.message } };
}
