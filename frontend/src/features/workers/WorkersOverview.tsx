import { UnservedTagsWarning } from "./UnservedTagsWarning";
import { summarize, summaryText, type WorkersList } from "./workers";
import { WorkersTable } from "./WorkersTable";

interface WorkersOverviewProps {
  list: WorkersList;
  workspaceId: string;
}

/** The unserved-tags warning, the live / busy summary, and the workers (or how to start one). */
export function WorkersOverview({ list, workspaceId }: WorkersOverviewProps) {
  const summary = summarize(list.workers);
  return (
    <>
      <UnservedTagsWarning tags={list.unserved_tags} />
      {list.workers.length > 0 && (
        <p className="muted" data-testid="workers-summary">
          {summaryText(summary)}
        </p>
      )}
      {summary.live === 0 && (
        <div className="empty">
          <h2>No live worker</h2>
          <p className="muted">
            Start one with <code>kiln worker</code> (or <code>kiln up</code>).
          </p>
        </div>
      )}
      {list.workers.length > 0 && <WorkersTable workers={list.workers} workspaceId={workspaceId} />}
    </>
  );
}
