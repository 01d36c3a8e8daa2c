/**
 * Each language's highlighting, loaded on demand: the grammars (JavaScript's
 * and SQL's above all) outweigh the editor itself, and a script needs one.
 */
import type { Extension } from "@codemirror/state";
import { canonicalLanguage } from "./languages";

const LOADERS: Record<string, () => Promise<Extension>> = {
  python3: async () => (await import("@codemirror/lang-python")).python(),
  typescript: async () => (await import("@codemirror/lang-javascript")).javascript({ typescript: true }),
  bash: async () => {
    const [{ StreamLanguage }, { shell }] = await Promise.all([
      import("@codemirror/language"),
      import("@codemirror/legacy-modes/mode/shell"),
    ]);
    return StreamLanguage.define(shell);
  },
  go: async () => {
    const [{ StreamLanguage }, { go }] = await Promise.all([
      import("@codemirror/language"),
      import("@codemirror/legacy-modes/mode/go"),
    ]);
    return StreamLanguage.define(go);
  },
  postgresql: async () => {
    const { sql, PostgreSQL } = await import("@codemirror/lang-sql");
    return sql({ dialect: PostgreSQL });
  },
  sqlite: async () => {
    const { sql, SQLite } = await import("@codemirror/lang-sql");
    return sql({ dialect: SQLite });
  },
};

/** The language's highlighting; none (plain text, still editable) for an unknown one or a failed load. */
export async function loadLanguage(language: string): Promise<Extension> {
  const load = LOADERS[canonicalLanguage(language)];
  if (load === undefined) return [];
  try {
    return await load();
  } catch {
    return []; // a chunk that failed to load (a redeploy): editing matters more than colours
  }
}
