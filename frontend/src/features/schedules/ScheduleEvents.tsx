import { Link } from "react-router";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { RelativeTime } from "../../components/RelativeTime";
import { formatDateTimeSeconds } from "../../lib/format";
import { jobUrl } from "../jobs/links";
import { eventWords } from "./eventWords";
import { useScheduleEvents } from "./queries";

interface ScheduleEventsProps {
  workspaceId: string;
  path: string;
}

/** The schedule's skips, refusals and handler runs, newest first, in words. */
export function ScheduleEvents({ workspaceId, path }: ScheduleEventsProps) {
  const events = useScheduleEvents(workspaceId, path);

  if (events.isPending) return <Loading label="Loading events…" />;
  if (events.isError) return <ErrorMessage error={events.error} onRetry={() => void events.refetch()} />;
  if (events.data.length === 0) {
    return (
      <p className="muted" data-testid="schedule-events-empty">
        Nothing yet: skipped ticks, ticks that could not start a job and handler runs show here.
      </p>
    );
  }
  return (
    <table className="table" data-testid="schedule-events">
      <thead>
        <tr>
          <th scope="col">Tick</th>
          <th scope="col">What happened</th>
          <th scope="col">Recorded</th>
        </tr>
      </thead>
      <tbody>
        {events.data.map((event) => {
          const { text, jobId, jobEndsSentence = false } = eventWords(event);
          const link = jobId && (
            <Link className="mono" to={jobUrl(workspaceId, jobId)}>
              {jobId.slice(0, 8)}
            </Link>
          );
          return (
            <tr key={event.id} data-kind={event.kind}>
              <td className="nowrap">
                {event.tick_at ? (
                  <time dateTime={event.tick_at}>{formatDateTimeSeconds(event.tick_at)}</time>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                {text}
                {link && (jobEndsSentence ? <> {link}</> : <> (run {link})</>)}
              </td>
              <td className="nowrap">
                <RelativeTime iso={event.created_at} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
