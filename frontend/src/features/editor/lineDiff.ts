/** Two versions' code as unified-diff hunks with line numbers (only VersionDiff, a lazy chunk, imports this). */
import { structuredPatch } from "diff";

export interface DiffRow {
  kind: "add" | "del" | "same";
  /** Its number in the old code (null for an added line). */
  oldLine: number | null;
  /** Its number in the new code (null for a removed line). */
  newLine: number | null;
  text: string;
}

export interface DiffHunk {
  header: string;
  rows: DiffRow[];
}

export function diffHunks(oldText: string, newText: string, context = 3): DiffHunk[] {
  const patch = structuredPatch("old", "new", oldText, newText, undefined, undefined, { context });
  return patch.hunks.map((hunk) => {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    const rows: DiffRow[] = [];
    for (const line of hunk.lines) {
      const sign = line[0];
      const text = line.slice(1);
      if (sign === "+") rows.push({ kind: "add", oldLine: null, newLine: newLine++, text });
      else if (sign === "-") rows.push({ kind: "del", oldLine: oldLine++, newLine: null, text });
      else if (sign === " ") rows.push({ kind: "same", oldLine: oldLine++, newLine: newLine++, text });
      // "\ No newline at end of file" is about the line above, not a line of code.
    }
    const header = `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
    return { header, rows };
  });
}
