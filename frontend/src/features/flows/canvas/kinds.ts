/**
 * The short badge and the name of each module kind, as nodes and the palette show them
 * (one table, so a new kind is one more row).
 */
import type { GraphNode } from "../model/graph";

const LANGUAGE_BADGES: Readonly<Record<string, string>> = {
  python3: "py",
  deno: "ts",
  typescript: "ts",
  bun: "ts",
  nativets: "ts",
  bash: "sh",
  go: "go",
  postgresql: "pg",
  sqlite: "sql",
};

const KINDS: Readonly<Record<string, { badge: string; name: string }>> = {
  rawscript: { badge: "code", name: "Inline script" },
  script: { badge: "script", name: "Existing script" },
  flow: { badge: "flow", name: "Subflow" },
  forloopflow: { badge: "for", name: "For loop" },
  whileloopflow: { badge: "while", name: "While loop" },
  branchone: { badge: "one", name: "Branch (one)" },
  branchall: { badge: "all", name: "Branch (all)" },
  approval: { badge: "ok?", name: "Approval" },
  identity: { badge: "pass", name: "Identity" },
};

export function kindName(node: GraphNode): string {
  return KINDS[node.moduleKind ?? ""]?.name ?? node.moduleKind ?? node.kind;
}

/** `py` for a Python inline script (its detail is the language), `for` for a for loop… */
export function kindBadge(node: GraphNode): string {
  if (node.moduleKind === "rawscript") return LANGUAGE_BADGES[node.detail ?? ""] ?? "code";
  return KINDS[node.moduleKind ?? ""]?.badge ?? "?";
}
