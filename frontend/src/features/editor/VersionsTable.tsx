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
  from: string | undefined;
  to: string | undefined;
  onPick: (side: "from" | "to", hash: string) => void;
  /** The radios' group names must differ between a script's and a flow's table. */
  name: string;
  /** "Saved" for scripts, "Deployed" for flows. */
  savedLabel: string;
  /** Where "Open in editor" goes (the latest opens as is); null: no such button. */
  openUrl: ((hash: string, latest: boolean) => string) | null;
  onOpen?: () => void;
}

/** A script's or a flow's versions, each with a From and a To radio to pick the two to compare. */
export function VersionsTable({ versions, from, to, onPick, name, savedLabel, openUrl, onOpen }: VersionsTableProps) {
  return (
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
  );
}
