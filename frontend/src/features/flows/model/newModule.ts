/**
 * New modules for the palette, and copies with fresh ids for paste and duplicate.
 */
import { languageInfo } from "../../editor/languages";
import { mapExpressions, renameResultRefs } from "./expressions";
import { descendants, mapSubtree, visitModules } from "./lists";
import type { FlowDocument, FlowModule, PaletteKind } from "./types";

/** The languages the palette offers for an inline script (ids as a flow document spells them). */
export const PALETTE_LANGUAGES: readonly { id: string; label: string }[] = [
  { id: "python3", label: "Python" },
  { id: "deno", label: "TypeScript (Deno)" },
  { id: "bash", label: "Bash" },
  { id: "go", label: "Go" },
  { id: "postgresql", label: "PostgreSQL" },
  { id: "sqlite", label: "SQLite" },
];

const DEFAULT_LANGUAGE = "python3";

/** A `main` to start from, the same as a new script's (every template takes `name`). */
export function starterContent(language: string): string {
  return languageInfo(language)?.template ?? "";
}

function takenIds(doc: FlowDocument): Set<string> {
  return new Set(Array.from(visitModules(doc), (v) => v.module.id));
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** The first free id of `a` … `z`, then `step_<n>` (n counting on from the number of modules). */
export function freshId(doc: FlowDocument, also: ReadonlySet<string> = new Set()): string {
  const taken = takenIds(doc);
  const free = (id: string) => !taken.has(id) && !also.has(id);
  for (const letter of LETTERS) if (free(letter)) return letter;
  let n = taken.size + 1;
  while (!free(`step_${n}`)) n += 1;
  return `step_${n}`;
}

/** `fetch` → `fetch_2` (or `_3` …): a copy keeps its original's name recognisable. */
function copyId(id: string, taken: Set<string>): string {
  const base = id.replace(/_\d+$/, "") || id;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}

/**
 * A copy of `module` (its inside included) whose ids are all free in `doc`; references
 * between the copied modules (`results.<id>`) follow their new ids.
 */
export function cloneWithFreshIds(module: FlowModule, doc: FlowDocument): FlowModule {
  const taken = takenIds(doc);
  const renames = new Map<string, string>();
  for (const m of [module, ...descendants(module)]) {
    const id = taken.has(m.id) || renames.has(m.id) ? copyId(m.id, taken) : m.id;
    taken.add(id);
    renames.set(m.id, id);
  }
  // All at once, through placeholders: a new id may be another copied module's old one.
  const changed = [...renames].filter(([from, to]) => from !== to);
  const rewrite = (expr: string): string => {
    const parked = changed.reduce((e, [from], i) => renameResultRefs(e, from, `__kiln_copy_${i}__`), expr);
    return changed.reduce((e, [, to], i) => renameResultRefs(e, `__kiln_copy_${i}__`, to), parked);
  };
  return mapSubtree(structuredClone(module), (m) => {
    const next = changed.length > 0 ? mapExpressions(m, rewrite) : m;
    const id = renames.get(m.id) ?? m.id;
    return id === next.id ? next : { ...next, id };
  });
}

/**
 * A new module of `kind` with a fresh id. `language` picks an inline script's language
 * (python3 by default), `path` an existing script's or subflow's path.
 */
export function newModule(
  kind: PaletteKind,
  doc: FlowDocument,
  opts: { language?: string; path?: string } = {},
): FlowModule {
  const id = freshId(doc);
  switch (kind) {
    case "rawscript": {
      const language = opts.language ?? DEFAULT_LANGUAGE;
      return {
        id,
        value: {
          type: "rawscript",
          language,
          content: starterContent(language),
          input_transforms: { name: { type: "static", value: "world" } },
        },
      };
    }
    case "script":
      return { id, value: { type: "script", path: opts.path ?? "", input_transforms: {} } };
    case "flow":
      return { id, value: { type: "flow", path: opts.path ?? "", input_transforms: {} } };
    case "forloopflow":
      return {
        id,
        value: {
          type: "forloopflow",
          iterator: { type: "javascript", expr: "[]" },
          skip_failures: false,
          parallel: false,
          modules: [],
        },
      };
    case "whileloopflow":
      return { id, value: { type: "whileloopflow", skip_failures: false, modules: [] } };
    case "branchone":
      return { id, value: { type: "branchone", branches: [{ summary: "", expr: "true", modules: [] }], default: [] } };
    case "branchall":
      return {
        id,
        value: {
          type: "branchall",
          parallel: false,
          branches: [
            { summary: "", skip_failure: false, modules: [] },
            { summary: "", skip_failure: false, modules: [] },
          ],
        },
      };
    case "approval":
      return { id, summary: "Approval", value: { type: "identity" }, suspend: { required_events: 1, timeout: 3600 } };
  }
}
