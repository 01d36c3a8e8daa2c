import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { RelativeTime } from "../../components/RelativeTime";
import { shortHash } from "./links";

export interface ListedVersion {
  hash: string;
  summary: string;
  created_by: string;
  created_at: string;
  /** The version a run by path runs (a script saved back to old content: not the newest). */
  latest?: boolean;
}

interface VersionsTableProps {
  /** Newest first: the first is the latest unless a version says otherwise. */
  versions: readonly ListedVersion[];
  /** What the two picked versions differ by (the picked pair: the latest's change by default). */
  compare: (from: string, to: string) => ReactNode;
  /** The radios' group names must differ between a script's and a flow's table. */
  name: string;
  /** "Saved" for scripts, "Deployed" for flows. */
  savedLabel: string;
  /** Where "Open in editor" goes (the latest opens as is); null: no such button. */
  openUrl: ((hash: string, latest: boolean) => string) | null;
  onOpen?: () => void;
}

/** A script's or a flow's versions, each with a From and a To radio, and the picked two compared. */
export function VersionsTable({ versions, compare, name, savedLabel, openUrl, onOpen }: VersionsTableProps) {
  const [picked, setPicked] = useState<{ from?: string; to?: string }>({});
  // By default: what the latest version changed.
  const to = picked.to ?? versions[0]?.hash;
  const from = picked.from ?? versions[1]?.hash ?? to;
  const onPick = (side: "from" | "to", hash: string) => setPicked((p) => ({ ...p, [side]: hash }));
  return (
    <>
      <table className="table versions-table">
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Version</th>
            <th scope="col">Summary</th>
            <th scope="col">{savedLabel}</th>
            {openUrl && <th scope="col" aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {versions.map((version, index) => {
            const latest = version.latest ?? index === 0;
            return (
              <tr key={version.hash}>
                {(["from", "to"] as const).map((side) => (
                  <td key={side}>
                    <input
                      type="radio"
                      name={`${name}-${side}`}
                      aria-label={`${side === "from" ? "From" : "To"} ${shortHash(version.hash)}`}
                      checked={(side === "from" ? from : to) === version.hash}
                      onChange={() => onPick(side, version.hash)}
                    />
                  </td>
                ))}
                <td>
                  <code title={version.hash}>{shortHash(version.hash)}</code>{" "}
                  {latest && <span className="tag">latest</span>}
                </td>
                <td>{version.summary || <span className="muted">—</span>}</td>
                <td>
                  <RelativeTime iso={version.created_at} /> <span className="muted">by {version.created_by}</span>
                </td>
                {openUrl && (
                  <td>
                    <Link
                      className="button button-small"
                      to={openUrl(version.hash, latest)}
                      aria-label={`Open ${shortHash(version.hash)} in editor`}
                      onClick={onOpen}
                    >
                      Open in editor
                    </Link>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {versions.length < 2 ? (
        <p className="muted">Only one version so far: nothing to compare yet.</p>
      ) : from !== undefined && to !== undefined ? (
        compare(from, to)
      ) : null}
    </>
  );
}
