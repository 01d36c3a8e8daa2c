import type { FlowIssue } from "../queries";

interface IssuesListProps {
  issues: readonly FlowIssue[];
  /** An issue was clicked: show the field's step. */
  onPick: (issue: FlowIssue) => void;
}

/** Why the server refused a deploy, each problem with the path of its field. */
export function IssuesList({ issues, onPick }: IssuesListProps) {
  if (issues.length === 0) return null;
  return (
    <div className="error-box flow-issues" role="alert" data-testid="flow-issues">
      <div>
        <strong>
          The flow was not deployed: {issues.length} problem{issues.length === 1 ? "" : "s"}
        </strong>
        <ul>
          {issues.map((issue, index) => (
            <li key={index}>
              <button type="button" className="button-link" onClick={() => onPick(issue)}>
                {issue.path !== "" && <code>{issue.path}</code>}
                {issue.path !== "" && ": "}
                {issue.message}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
