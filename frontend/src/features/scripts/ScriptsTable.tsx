import { Link } from "react-router";
import type { ScriptSummary } from "../../api/client";
import { RelativeTime } from "../../components/RelativeTime";
import { shortHash } from "../../lib/format";
import { scriptUrl } from "./links";

interface ScriptsTableProps {
  workspaceId: string;
  scripts: ScriptSummary[];
}

export function ScriptsTable({ workspaceId, scripts }: ScriptsTableProps) {
  return (
    <table className="table" data-testid="scripts-table">
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Language</th>
          <th scope="col">Version</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {scripts.map((script) => (
          <tr key={script.path}>
            <td>
              <Link className="mono" to={scriptUrl(workspaceId, script.path)}>
                {script.path}
              </Link>
              {script.summary && <div className="cell-sub">{script.summary}</div>}
            </td>
            <td>
              <span className="tag">{script.language}</span>
            </td>
            <td>
              <code title={`${script.hash} · ${script.versions} version${script.versions === 1 ? "" : "s"}`}>
                {shortHash(script.hash)}
              </code>
            </td>
            <td className="nowrap">
              <RelativeTime iso={script.created_at} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
