import { Link } from "react-router";
import type { Schedule } from "../../api/client";
import { scriptUrl } from "../scripts/links";
import { EnabledSwitch } from "./EnabledSwitch";
import { scheduleUrl } from "./links";
import { NextFire } from "./NextFire";

interface SchedulesTableProps {
  workspaceId: string;
  schedules: Schedule[];
}

export function SchedulesTable({ workspaceId, schedules }: SchedulesTableProps) {
  return (
    <table className="table" data-testid="schedules-table">
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">Script</th>
          <th scope="col">Cron</th>
          <th scope="col">Time zone</th>
          <th scope="col">Next run</th>
          <th scope="col" className="num">
            Failures
          </th>
          <th scope="col">Enabled</th>
        </tr>
      </thead>
      <tbody>
        {schedules.map((schedule) => (
          <tr key={schedule.path} data-schedule={schedule.path}>
            <td>
              <Link className="mono" to={scheduleUrl(workspaceId, schedule.path)}>
                {schedule.path}
              </Link>
              {schedule.summary && <div className="cell-sub">{schedule.summary}</div>}
            </td>
            <td>
              {schedule.is_flow ? (
                <>
                  <span className="mono">{schedule.script_path}</span> <span className="tag">flow</span>
                </>
              ) : (
                <Link className="mono" to={scriptUrl(workspaceId, schedule.script_path)}>
                  {schedule.script_path}
                </Link>
              )}
            </td>
            <td>
              <code className="nowrap">{schedule.cron}</code>
              {schedule.description && <div className="cell-sub">{schedule.description}</div>}
            </td>
            <td className="nowrap">{schedule.timezone}</td>
            <td className="nowrap">
              <NextFire schedule={schedule} />
            </td>
            <td className={schedule.failures > 0 ? "num cell-failures" : "num"}>{schedule.failures}</td>
            <td>
              <EnabledSwitch schedule={schedule} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
