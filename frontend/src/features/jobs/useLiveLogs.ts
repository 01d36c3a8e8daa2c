import { useEffect, useRef, useState } from "react";
import { isApiError } from "../../api/client";
import { EMPTY_LOG, logFrom, mergeChunk, type LogView } from "./logStream";
import { fetchJobLogs } from "./queries";

/** How often the fallback asks the logs endpoint for more. */
export const LOG_POLL_INTERVAL_MS = 1_000;
/** The wait before reopening a websocket that dropped mid-job. */
export const RECONNECT_DELAY_MS = 1_000;

/**
 * off: not streaming (the job is over, or not loaded); connecting; live: the
 * websocket is open; polling: the fallback; done: the job ended and the log is
 * whole; error: the logs endpoint refused (4xx), nothing more will come.
 */
export type LiveLogMode = "off" | "connecting" | "live" | "polling" | "done" | "error";

export interface LiveLogs {
  log: LogView;
  mode: LiveLogMode;
  /** The job's progress (0-100) as last announced on the websocket; null until it says. */
  progress: number | null;
}

/** Close codes the server uses to refuse (bad offset, unauthenticated, origin, not found). */
const REFUSED = new Set([4400, 4401, 4403, 4404]);

type ServerMessage =
  | { type: "log"; offset: number; data: string }
  | { type: "done"; status: string }
  | { type: "progress"; progress: number }
  | { type: "flow" };

export function parseMessage(raw: unknown): ServerMessage | null {
  if (typeof raw !== "string") return null;
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof message !== "object" || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type === "log" && typeof m.offset === "number" && typeof m.data === "string") {
    return { type: "log", offset: m.offset, data: m.data };
  }
  if (m.type === "done" && typeof m.status === "string") return { type: "done", status: m.status };
  // The server relays the job's `job.progress` group message as `progress`; take either.
  if ((m.type === "progress" || m.type === "job.progress") && typeof m.progress === "number") {
    if (!Number.isFinite(m.progress)) return null;
    return { type: "progress", progress: Math.min(100, Math.max(0, Math.round(m.progress))) };
  }
  // A flow run's steps moved; what they are now is read from the job (the message has no results).
  if (m.type === "flow") return { type: "flow" };
  return null;
}

/** The websocket of a job's logs on this page's own host (`wss:` under https). */
export function logSocketUrl(
  location: Pick<Location, "protocol" | "host">,
  workspace: string,
  jobId: string,
  from: number,
): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const path = `/ws/w/${encodeURIComponent(workspace)}/jobs/${encodeURIComponent(jobId)}/logs`;
  return `${scheme}//${location.host}${path}?from=${from}`;
}

interface Options {
  workspace: string;
  jobId: string;
  /** Stream while true (the job is queued or running). */
  enabled: boolean;
  /** The log as the page already has it; streaming starts after it. */
  seed: string;
  /** Called once when the stream has the whole log of a finished job. */
  onDone?: () => void;
  /** Called when a flow run's steps move (its websocket's `flow` messages). */
  onFlow?: () => void;
}

/**
 * A running job's log, live: a websocket (the browser's session authenticates it)
 * that reconnects from the last byte it has when it drops, and polling of the
 * logs endpoint when a websocket cannot be had.
 */
export function useLiveLogs({ workspace, jobId, enabled, seed, onDone, onFlow }: Options): LiveLogs {
  const [state, setState] = useState<LiveLogs>({ log: EMPTY_LOG, mode: "off", progress: null });
  const seedRef = useRef(seed);
  const onDoneRef = useRef(onDone);
  const onFlowRef = useRef(onFlow);
  useEffect(() => {
    seedRef.current = seed;
    onDoneRef.current = onDone;
    onFlowRef.current = onFlow;
  });

  useEffect(() => {
    if (!enabled) return;
    let log = logFrom(seedRef.current);
    let progress: number | null = null;
    let stopped = false;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const show = (mode: LiveLogMode) => {
      if (!stopped) setState({ log, mode, progress });
    };
    const finish = () => {
      show("done");
      stopped = true;
      onDoneRef.current?.();
    };

    const poll = async () => {
      try {
        const page = await fetchJobLogs(workspace, jobId, log.end);
        if (stopped) return;
        log = mergeChunk(log, page.offset, page.data).log;
        if (page.done) return finish();
        show("polling");
      } catch (error) {
        if (stopped) return;
        if (isApiError(error) && error.status >= 400 && error.status < 500) return show("error");
      }
      timer = setTimeout(() => void poll(), LOG_POLL_INTERVAL_MS);
    };

    const connect = () => {
      let opened = false;
      try {
        socket = new WebSocket(logSocketUrl(window.location, workspace, jobId, log.end));
      } catch {
        void poll();
        return;
      }
      const current = socket;
      current.onopen = () => {
        opened = true;
        show("live");
      };
      current.onmessage = (event: MessageEvent) => {
        const message = parseMessage(event.data);
        if (stopped || message === null) return;
        if (message.type === "done") return finish();
        if (message.type === "progress") {
          progress = message.progress;
          return show("live");
        }
        if (message.type === "flow") return onFlowRef.current?.();
        const merged = mergeChunk(log, message.offset, message.data);
        log = merged.log;
        if (merged.gap) current.close(); // bytes went missing: start again from log.end
        show("live");
      };
      current.onclose = (event: CloseEvent) => {
        socket = null;
        if (stopped) return;
        if (!opened || REFUSED.has(event.code)) {
          // No websocket here (a proxy, a refusal): the logs endpoint has the same bytes.
          show("polling");
          void poll();
          return;
        }
        show("connecting");
        timer = setTimeout(connect, RECONNECT_DELAY_MS);
      };
    };

    show("connecting");
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
      setState((last) => (last.mode === "done" || last.mode === "error" ? last : { ...last, mode: "off" }));
    };
  }, [workspace, jobId, enabled]);

  return state;
}
