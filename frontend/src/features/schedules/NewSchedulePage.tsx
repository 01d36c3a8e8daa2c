import { Link, useNavigate, useSearchParams } from "react-router";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { scheduleUrl, schedulesUrl } from "./links";
import { useCreateSchedule } from "./queries";
import { ScheduleForm } from "./ScheduleForm";
import { emptyDraft } from "./scheduleForm";

/** `/w/:ws/schedules/new` (`?script=u/ada/greet` picks the script): create a schedule, then open it. */
export function NewSchedulePage() {
  const workspace = useCurrentWorkspace();
  const [search] = useSearchParams();
  const create = useCreateSchedule(workspace.id);
  const navigate = useNavigate();
  const list = schedulesUrl(workspace.id);

  return (
    <section>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={list}>Schedules</Link>
        <span aria-hidden="true">/</span>
      </nav>
      <div className="page-header">
        <h1>New schedule</h1>
      </div>
      {workspace.role === "operator" ? (
        <p className="muted" data-testid="schedule-read-only">
          Operators see and run schedules; admins and developers create them.
        </p>
      ) : (
        <ScheduleForm
          initial={emptyDraft(search.get("script") ?? "")}
          label="New schedule"
          submitLabel="Create schedule"
          saving={create.isPending}
          saveError={create.error}
          onSave={(body) =>
            create.mutate(body, { onSuccess: (saved) => void navigate(scheduleUrl(workspace.id, saved.path)) })
          }
          onCancel={() => void navigate(list)}
        />
      )}
    </section>
  );
}
