import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { Schedule } from "../../api/client";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SkeletonLines } from "../../components/Skeleton";
import { RelativeTime } from "../../components/RelativeTime";
import { formatDateTimeSeconds, formatJson } from "../../lib/format";
import { scriptUrl } from "../scripts/links";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { canEditSchedule, EnabledSwitch } from "./EnabledSwitch";
import { schedulesUrl } from "./links";
import { NextFire } from "./NextFire";
import { useDeleteSchedule, useSchedule, useUpdateSchedule } from "./queries";
import { ScheduleEvents } from "./ScheduleEvents";
import { ScheduleForm } from "./ScheduleForm";
import { draftFromSchedule } from "./scheduleForm";
import { ScheduleRuns } from "./ScheduleRuns";

/** `/w/:ws/schedules/p/*`: a schedule, its switch, Edit (`?edit=1`) and Delete, its runs and events. */
export function ScheduleDetailPage() {
  const workspace = useCurrentWorkspace();
  const path = useParams()["*"] ?? "";
  const schedule = useSchedule(workspace.id, path);
  // Editing is in the URL (?edit=1) so that a reload keeps the form open.
  const [search, setSearch] = useSearchParams();
  const editing = search.get("edit") === "1";
  const canEdit = schedule.data !== undefined && canEditSchedule(schedule.data, workspace.role);

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={schedulesUrl(workspace.id)}>Schedules</Link>
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-header">
        <h1 className="mono">{path}</h1>
        {schedule.data && !editing && (
          <div className="page-actions">
            <EnabledSwitch schedule={schedule.data} showLabel />
            {canEdit && (
              <>
                <button type="button" className="button" onClick={() => setSearch({ edit: "1" }, { replace: true })}>
                  Edit
                </button>
                <DeleteButton workspaceId={workspace.id} path={path} />
              </>
            )}
          </div>
        )}
      </div>

      {schedule.isPending ? (
        <SkeletonLines lines={6} label="Loading schedule…" />
      ) : schedule.isError ? (
        <ErrorMessage error={schedule.error} onRetry={() => void schedule.refetch()} />
      ) : editing && canEdit ? (
        <EditSchedule
          key={schedule.data.updated_at}
          schedule={schedule.data}
          onDone={() => setSearch({}, { replace: true })}
        />
      ) : (
        <>
          {schedule.data.summary && <p className="lead">{schedule.data.summary}</p>}
          <ScheduleFacts workspaceId={workspace.id} schedule={schedule.data} />
          <h2>Runs</h2>
          <ScheduleRuns workspaceId={workspace.id} path={path} />
          <h2>Events</h2>
          <ScheduleEvents workspaceId={workspace.id} path={path} />
        </>
      )}
    </section>
  );
}

function DeleteButton({ workspaceId, path }: { workspaceId: string; path: string }) {
  const remove = useDeleteSchedule(workspaceId, path);
  const navigate = useNavigate();

  function onClick() {
    if (!window.confirm(`Delete the schedule ${path}? Its runs stay.`)) return;
    remove.mutate(undefined, { onSuccess: () => void navigate(schedulesUrl(workspaceId)) });
  }

  return (
    <>
      <button type="button" className="button button-danger" onClick={onClick} disabled={remove.isPending}>
        {remove.isPending ? "Deleting…" : "Delete"}
      </button>
      {remove.isError && (
        <span className="form-error-inline" role="alert">
          {remove.error.message}
        </span>
      )}
    </>
  );
}

function EditSchedule({ schedule, onDone }: { schedule: Schedule; onDone: () => void }) {
  const workspace = useCurrentWorkspace();
  const update = useUpdateSchedule(workspace.id, schedule.path);
  return (
    <ScheduleForm
      initial={draftFromSchedule(schedule)}
      fixedPath
      label="Edit schedule"
      submitLabel="Save schedule"
      saving={update.isPending}
      saveError={update.error}
      onSave={(body) => update.mutate(body, { onSuccess: onDone })}
      onCancel={onDone}
    />
  );
}

function handlerText(handler: Record<string, unknown> | null): string | null {
  if (handler === null || typeof handler.path !== "string") return null;
  const times = typeof handler.times === "number" ? handler.times : 1;
  return times > 1 ? `${handler.path} after ${times} failures in a row` : handler.path;
}

function ScheduleFacts({ workspaceId, schedule }: { workspaceId: string; schedule: Schedule }) {
  const handlers = [
    ["On failure", handlerText(schedule.on_failure)],
    ["On recovery", handlerText(schedule.on_recovery)],
    ["On success", handlerText(schedule.on_success)],
  ] as const;
  return (
    <>
      <dl className="meta schedule-meta" data-testid="schedule-facts">
        <div>
          <dt>{schedule.is_flow ? "Flow" : "Script"}</dt>
          <dd>
            {schedule.is_flow ? (
              <span className="mono">{schedule.script_path}</span>
            ) : (
              <Link className="mono" to={scriptUrl(workspaceId, schedule.script_path)}>
                {schedule.script_path}
              </Link>
            )}
          </dd>
        </div>
        <div>
          <dt>Cron</dt>
          <dd>
            <code>{schedule.cron}</code>
            {schedule.description && <div className="cell-sub">{schedule.description}</div>}
          </dd>
        </div>
        <div>
          <dt>Time zone</dt>
          <dd>{schedule.timezone}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd data-testid="schedule-next">
            <NextFire schedule={schedule} />
          </dd>
        </div>
        <div>
          <dt>Failures in a row</dt>
          <dd className={schedule.failures > 0 ? "cell-failures" : undefined}>{schedule.failures}</dd>
        </div>
        <div>
          <dt>Catch-up</dt>
          <dd>
            <span className="tag">{schedule.catch_up}</span>
            {schedule.catch_up === "all" && <span className="cell-note"> at most {schedule.catch_up_max}</span>}
          </dd>
        </div>
        <div>
          <dt>No overlap</dt>
          <dd>{schedule.no_overlap ? "yes" : "no"}</dd>
        </div>
        {schedule.paused_until && (
          <div>
            <dt>Paused until</dt>
            <dd>{formatDateTimeSeconds(schedule.paused_until)}</dd>
          </div>
        )}
        <div>
          <dt>Started by</dt>
          <dd>{schedule.edited_by}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            <RelativeTime iso={schedule.updated_at} />
          </dd>
        </div>
      </dl>
      <div className="schedule-extra">
        <div>
          <h3 className="subheading">Arguments</h3>
          <pre className="code" data-testid="schedule-args">
            <code>{formatJson(schedule.args)}</code>
          </pre>
        </div>
        <div>
          <h3 className="subheading">Handlers and retries</h3>
          <dl className="handlers">
            {handlers.map(([label, text]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{text ? <span className="mono">{text}</span> : <span className="muted">none</span>}</dd>
              </div>
            ))}
            <div>
              <dt>Retry</dt>
              <dd>
                {schedule.retry ? (
                  <code>{JSON.stringify(schedule.retry)}</code>
                ) : (
                  <span className="muted">the script's</span>
                )}
              </dd>
            </div>
          </dl>
        </div>
      </div>
    </>
  );
}
