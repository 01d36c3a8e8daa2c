/** The diff of two versions' code. Loaded lazily: it brings the `diff` package along. */
import { useMemo } from "react";
import { diffHunks } from "./lineDiff";

const SIGNS = { add: "+", del: "-", same: " " } as const;

export function VersionDiff({ from, to }: { from: string; to: string }) {
  const hunks = useMemo(() => diffHunks(from, to), [from, to]);
  if (hunks.length === 0) {
    return (
      <p className="muted" data-testid="version-diff">
        The code is the same in both versions.
      </p>
    );
  }
  return (
    <div className="version-diff" data-testid="version-diff">
      <table>
        {hunks.map((hunk, i) => (
          <tbody key={i}>
            <tr className="diff-hunk">
              <td colSpan={4}>{hunk.header}</td>
            </tr>
            {hunk.rows.map((row, j) => (
              <tr key={j} className={`diff-${row.kind}`} data-kind={row.kind}>
                <td className="diff-number">{row.oldLine ?? ""}</td>
                <td className="diff-number">{row.newLine ?? ""}</td>
                <td className="diff-sign" aria-label={row.kind === "add" ? "added" : row.kind === "del" ? "removed" : undefined}>
                  {SIGNS[row.kind]}
                </td>
                <td>{row.text}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
