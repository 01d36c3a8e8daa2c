import type { Schemas } from "../../api/client";

export type WorkersList = Schemas["WorkersOut"];
export type Worker = Schemas["WorkerOut"];
export type WorkerJob = Schemas["WorkerJobOut"];

/** How often the page asks again before the first answer says how often workers beat. */
export const WORKERS_FALLBACK_POLL_MS = 10_000;
/** Never ask more often than this, whatever the heartbeat. */
export const WORKERS_MIN_POLL_MS = 1_000;

export interface WorkersSummary {
  /** Workers still beating. */
  live: number;
  /** Stopped workers the API still reports (only with include_gone). */
  gone: number;
  /** Running jobs across live workers. */
  busy: number;
  /** Job slots across live workers. */
  slots: number;
}

/** Live and gone workers, and the busy / total slots of the live ones. */
export function summarize(workers: readonly Worker[]): WorkersSummary {
  const summary: WorkersSummary = { live: 0, gone: 0, busy: 0, slots: 0 };
  for (const worker of workers) {
    if (!worker.alive) {
      summary.gone += 1;
      continue;
    }
    summary.live += 1;
    summary.busy += worker.busy;
    summary.slots += worker.slots;
  }
  return summary;
}

/** "2 live workers · 3 / 8 slots busy", plus " · 1 stopped" when stopped ones are listed. */
export function summaryText({ live, gone, busy, slots }: WorkersSummary): string {
  const parts = [`${live} live worker${live === 1 ? "" : "s"}`, `${busy} / ${slots} slot${slots === 1 ? "" : "s"} busy`];
  if (gone > 0) parts.push(`${gone} stopped`);
  return parts.join(" · ");
}

/** Busy slots as 0-100 (a worker without slots is 0% busy). */
export function busyPercent(worker: Pick<Worker, "busy" | "slots">): number {
  return worker.slots > 0 ? (worker.busy / worker.slots) * 100 : 0;
}

/** Live workers first, then by hostname and id, so rows do not jump between refreshes. */
export function sortWorkers(workers: readonly Worker[]): Worker[] {
  return [...workers].sort(
    (a, b) =>
      Number(b.alive) - Number(a.alive) || a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id),
  );
}

/** The running jobs the viewer may not see: "and 2 more in other workspaces", or "2 running in other workspaces" alone. */
export function hiddenJobsText(hidden: number, listed: number): string {
  return listed > 0 ? `and ${hidden} more in other workspaces` : `${hidden} running in other workspaces`;
}

/** How often to refetch: every heartbeat, once the API has said how long that is. */
export function pollIntervalMs(heartbeatSeconds: number | undefined): number {
  if (heartbeatSeconds === undefined || !(heartbeatSeconds > 0)) return WORKERS_FALLBACK_POLL_MS;
  return Math.max(WORKERS_MIN_POLL_MS, heartbeatSeconds * 1000);
}
