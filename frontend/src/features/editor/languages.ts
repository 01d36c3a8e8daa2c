/**
 * The languages a script can be written in (scripts_runtime/registry.py), with
 * the code a new script starts from. Kept free of CodeMirror so the page can
 * offer them before the editor's chunk has loaded; codemirrorLanguages.ts maps
 * each id to its highlighting.
 */

export interface LanguageInfo {
  /** The canonical id the API stores. */
  id: string;
  label: string;
  /** A `main` taking one parameter, as each language's parser reads it. */
  template: string;
}

export const LANGUAGES: readonly LanguageInfo[] = [
  {
    id: "python3",
    label: "Python",
    template: 'def main(name: str = "world"):\n    return f"Hello, {name}!"\n',
  },
  {
    id: "typescript",
    label: "TypeScript (Deno)",
    template: 'export async function main(name: string = "world") {\n  return `Hello, ${name}!`;\n}\n',
  },
  {
    id: "bash",
    label: "Bash",
    template: '# Arguments are positional parameters; ${1:-world} gives a default.\nname="${1:-world}"\necho "Hello, $name!"\n',
  },
  {
    id: "go",
    label: "Go",
    template:
      'package inner\n\nimport "fmt"\n\nfunc main(name string) (interface{}, error) {\n\treturn fmt.Sprintf("Hello, %s!", name), nil\n}\n',
  },
  {
    id: "postgresql",
    label: "PostgreSQL",
    template: "-- $1 name (text) = 'world'\nSELECT 'Hello, ' || $1::text AS greeting;\n",
  },
  {
    id: "sqlite",
    label: "SQLite",
    template: "-- ? name (text) = 'world'\nSELECT 'Hello, ' || ? AS greeting;\n",
  },
];

export const DEFAULT_LANGUAGE = "python3";

/** The registry's aliases, so a script saved as `deno` or `sh` still gets its highlighting. */
const ALIASES: Record<string, string> = {
  python: "python3",
  deno: "typescript",
  bun: "typescript",
  nativets: "typescript",
  ts: "typescript",
  sh: "bash",
  golang: "go",
  postgres: "postgresql",
  pg: "postgresql",
  pgsql: "postgresql",
  sqlite3: "sqlite",
};

export function canonicalLanguage(id: string): string {
  return ALIASES[id] ?? id;
}

export function languageInfo(id: string): LanguageInfo | undefined {
  const canonical = canonicalLanguage(id);
  return LANGUAGES.find((l) => l.id === canonical);
}

/** Whether `content` is still some language's untouched template (switching language may then replace it). */
export function isTemplate(content: string): boolean {
  return content.trim() === "" || LANGUAGES.some((l) => l.template === content);
}
