import type { ScheduleEvent } from "../../api/client";
import { formatDateTimeSeconds } from "../../lib/format";

/** An event in words, and the job it is about (a handler's run, the run a tick overlapped). */
export interface EventWords {
  text: string;
  jobId: string | null;
  /** The job completes the sentence ("…started: <job>") rather than being an aside ("… (<job>)"). */
  jobEndsSentence?: boolean;
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function ticks(count: number): string {
  return count === 1 ? "1 missed tick" : `${count} missed ticks`;
}

/**
 * What happened to a tick besides its job, as a sentence:
 * "Skipped: the previous run was still going", "Skipped 5 missed ticks (catch-up: skip)",
 * "Not started: <reason>", "Handler on_failure started:" (with its job).
 */
export function eventWords(event: ScheduleEvent): EventWords {
  const detail = event.detail;
  const jobId = str(detail.job_id);
  const handler = str(detail.handler);
  const reason = str(detail.reason) ?? "no reason given";
  switch (event.kind) {
    case "skipped_overlap":
      return { text: "Skipped: the previous run was still going", jobId };
    case "skipped_missed": {
      const more = detail.more === true ? " or more" : "";
      const policy = str(detail.policy);
      const last = str(detail.last);
      const until = last !== null && event.count > 1 ? `, the last at ${formatDateTimeSeconds(last)}` : "";
      const count = more ? `${event.count}${more} missed ticks` : ticks(event.count);
      return { text: `Skipped ${count}${policy ? ` (catch-up: ${policy})` : ""}${until}`, jobId: null };
    }
    case "skipped_paused":
      return { text: "Skipped: the schedule was paused", jobId: null };
    case "not_started":
      return { text: handler ? `Handler ${handler} not started: ${reason}` : `Not started: ${reason}`, jobId: null };
    case "handler":
      return { text: `Handler ${handler ?? "?"} started:`, jobId, jobEndsSentence: true };
    default:
      return { text: `${event.kind}${Object.keys(detail).length ? ` ${JSON.stringify(detail)}` : ""}`, jobId };
  }
}
