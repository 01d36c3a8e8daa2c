import { WorkerRow } from "./WorkerRow";
import { sortWorkers, type Worker } from "./workers";

interface WorkersTableProps {
  workers: readonly Worker[];
  workspaceId: string;
}

/** One row per worker, live ones first, with what each is running now. */
export function WorkersTable({ workers, workspaceId }: WorkersTableProps) {
  return (
    <table className="table" data-testid="workers-table">
      <thead>
        <tr>
          <th scope="col">Worker</th>
          <th scope="col">Status</th>
          <th scope="col">Tags</th>
          <th scope="col">Busy</th>
          <th scope="col">Version</th>
          <th scope="col">Started</th>
          <th scope="col">Last heartbeat</th>
          <th scope="col">Current jobs</th>
        </tr>
      </thead>
      <tbody>
        {sortWorkers(workers).map((worker) => (
          <WorkerRow key={worker.id} worker={worker} workspaceId={workspaceId} />
        ))}
      </tbody>
    </table>
  );
}
