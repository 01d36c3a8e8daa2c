import type { Schedule } from "../../api/client";
import { useCurrentWorkspace } from "../workspace/CurrentWorkspace";
import { useSetScheduleEnabled } from "./queries";

/** Whether you may change the schedule: write access to its path, and a role that edits (not operator). */
export function canEditSchedule(schedule: Schedule, role: string): boolean {
  return role !== "operator" && (schedule.access === "write" || schedule.access === "owner");
}

/** "On" / "Off" as a tag, for who may not change it. */
export function EnabledTag({ enabled }: { enabled: boolean }) {
  return <span className={enabled ? "tag tag-on" : "tag tag-off"}>{enabled ? "on" : "off"}</span>;
}

interface EnabledSwitchProps {
  schedule: Schedule;
  /** Shown next to the switch ("Enabled"); the accessible name says which schedule. */
  showLabel?: boolean;
}

/**
 * Turns a schedule on or off (`POST …/schedules/enabled/p/{path}`); a read-only tag for who
 * may not. Enabling starts from now: the ticks while it was off are not run.
 */
export function EnabledSwitch({ schedule, showLabel = false }: EnabledSwitchProps) {
  const workspace = useCurrentWorkspace();
  const setEnabled = useSetScheduleEnabled(workspace.id, schedule.path);

  if (!canEditSchedule(schedule, workspace.role)) return <EnabledTag enabled={schedule.enabled} />;

  // Until the answer comes, show the state being saved rather than the old one.
  const enabled = setEnabled.isPending ? setEnabled.variables : schedule.enabled;
  return (
    <div className="switch-cell">
      <label className="switch" title={enabled ? "Enabled: click to disable" : "Disabled: click to enable"}>
        <input
          type="checkbox"
          role="switch"
          aria-label={`Enabled: ${schedule.path}`}
          checked={enabled}
          disabled={setEnabled.isPending}
          onChange={(e) => setEnabled.mutate(e.target.checked)}
        />
        <span className="switch-track" aria-hidden="true" />
        {showLabel && <span className="switch-label">{enabled ? "Enabled" : "Disabled"}</span>}
      </label>
      {setEnabled.isError && (
        <p className="field-error" role="alert">
          {setEnabled.error.message}
        </p>
      )}
    </div>
  );
}
