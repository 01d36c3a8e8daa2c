import type { Schedule } from "../../api/client";
import { formatDateTimeSeconds, formatRelative } from "../../lib/format";

const soon = new Intl.RelativeTimeFormat(undefined, { numeric: "always", style: "short" });

/** "in 12 sec." for the next few seconds (formatRelative says "just now"), else formatRelative. */
function relative(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  return Math.abs(seconds) < 45 ? soon.format(seconds, "second") : formatRelative(iso, now);
}

/** When the schedule fires next, relative and absolute (in the reader's time zone), or why it does not. */
export function NextFire({ schedule, now = Date.now() }: { schedule: Schedule; now?: number }) {
  const next = schedule.next_fire_at;
  const paused = schedule.paused_until !== null && Date.parse(schedule.paused_until) > now;
  if (!schedule.enabled) return <span className="muted">— disabled</span>;
  if (next === null) return <span className="muted">never</span>;
  return (
    <>
      <time dateTime={next} title={next}>
        {relative(next, now)}
      </time>
      <div className="cell-sub">{formatDateTimeSeconds(next)}</div>
      {paused && <div className="cell-sub">paused until {formatDateTimeSeconds(schedule.paused_until ?? "")}</div>}
    </>
  );
}
