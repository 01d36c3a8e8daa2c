import { useSearchParams } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonTable } from "../../components/Skeleton";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { useWorkers } from "./queries";
import { ShowStoppedSwitch } from "./ShowStoppedSwitch";
import { WorkersOverview } from "./WorkersOverview";

/** The query-string flag that also lists stopped workers. */
const STOPPED_PARAM = "stopped";

/**
 * `/w/:ws/workers`: the instance's workers (not only this workspace's), their tags,
 * busy slots, heartbeats and current jobs; refreshed every heartbeat.
 */
export function WorkersPage() {
  const workspace = useCurrentWorkspace();
  const [search, setSearch] = useSearchParams();
  const includeGone = search.get(STOPPED_PARAM) === "1";
  const workers = useWorkers(includeGone);

  function onShowStopped(checked: boolean) {
    setSearch(checked ? { [STOPPED_PARAM]: "1" } : {}, { replace: true });
  }

  return (
    <section>
      <div className="page-header">
        <h1>Workers</h1>
        <div className="page-actions">
          <ShowStoppedSwitch checked={includeGone} onChange={onShowStopped} />
        </div>
      </div>
      <p className="lead">
        Workers run the jobs of every workspace: each serves some tags and runs as many jobs at once as it has slots.
        One that stops sending heartbeats is gone.
      </p>
      {workers.isPending ? (
        <SkeletonTable rows={3} columns={6} label="Loading workers…" />
      ) : workers.isError && workers.data === undefined ? (
        <ErrorMessage error={workers.error} onRetry={() => void workers.refetch()} />
      ) : (
        <>
          {workers.isError && <ErrorMessage error={workers.error} onRetry={() => void workers.refetch()} />}
          <WorkersOverview list={workers.data} workspaceId={workspace.id} />
        </>
      )}
    </section>
  );
}
