import type { ReactNode } from "react";
import { formatDateTime } from "../lib/format";

// An ISO 8601 instant inside the server's sentence ("…scheduled for 2026-11-22T06:33:40.74+00:00").
const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** The reason with its timestamps in the reader's time zone and format. */
function withLocalTimes(reason: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of reason.matchAll(ISO_INSTANT)) {
    const at = match.index;
    parts.push(reason.slice(last, at));
    parts.push(
      <time key={at} dateTime={match[0]} title={match[0]}>
        {formatDateTime(match[0])}
      </time>,
    );
    last = at + match[0].length;
  }
  parts.push(reason.slice(last));
  return parts;
}

/** Why a queued job is not running (the API's `waiting_reason`), as a warning line. */
export function WaitingReason({ reason, compact = false }: { reason: string; compact?: boolean }) {
  return (
    <div className={compact ? "waiting waiting-compact" : "waiting"} data-testid="waiting-reason">
      <span className="waiting-icon" aria-hidden="true">
        ⚠
      </span>
      <span>
        {!compact && <strong>Waiting: </strong>}
        {withLocalTimes(reason)}
      </span>
    </div>
  );
}
