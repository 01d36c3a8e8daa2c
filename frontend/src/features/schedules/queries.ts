import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, expectNoContent, unwrap, type Schedule, type ScheduleInput } from "../../api/client";
import { useDebouncedValue } from "../../lib/useDebouncedValue";

/** Runs per page of a schedule's runs. */
export const SCHEDULE_RUNS_PAGE_SIZE = 25;
/** How often a schedule's page refetches its runs, events and next tick. */
export const SCHEDULE_POLL_INTERVAL_MS = 5_000;
/** How long the cron and time zone must stay unchanged before the preview asks the API. */
export const PREVIEW_DEBOUNCE_MS = 300;
/** Fire times the preview shows. */
export const PREVIEW_COUNT = 5;

export const scheduleKeys = {
  all: (workspace: string) => ["w", workspace, "schedules"] as const,
  list: (workspace: string) => ["w", workspace, "schedules", "list"] as const,
  detail: (workspace: string, path: string) => ["w", workspace, "schedules", "p", path] as const,
  runs: (workspace: string, path: string) => ["w", workspace, "schedules", "runs", path] as const,
  events: (workspace: string, path: string) => ["w", workspace, "schedules", "events", path] as const,
  preview: (workspace: string, cron: string, tz: string) =>
    ["w", workspace, "schedules", "preview", cron, tz] as const,
};

export function useSchedules(workspace: string) {
  return useQuery({
    queryKey: scheduleKeys.list(workspace),
    queryFn: () => unwrap(api.GET("/api/w/{workspace}/schedules", { params: { path: { workspace } } })),
  });
}

export function useSchedule(workspace: string, path: string) {
  return useQuery({
    queryKey: scheduleKeys.detail(workspace, path),
    queryFn: () =>
      unwrap(api.GET("/api/w/{workspace}/schedules/p/{path}", { params: { path: { workspace, path } } })),
    enabled: path !== "",
    // Its next tick and failure count move while the page is open.
    refetchInterval: SCHEDULE_POLL_INTERVAL_MS,
  });
}

/** A saved schedule is the new cached one; the list is fetched again. */
function useAfterSave(workspace: string) {
  const queryClient = useQueryClient();
  return (saved: Schedule) => {
    queryClient.setQueryData(scheduleKeys.detail(workspace, saved.path), saved);
    void queryClient.invalidateQueries({ queryKey: scheduleKeys.list(workspace) });
  };
}

export function useCreateSchedule(workspace: string) {
  const afterSave = useAfterSave(workspace);
  return useMutation({
    mutationFn: (body: ScheduleInput) =>
      unwrap(api.POST("/api/w/{workspace}/schedules", { params: { path: { workspace } }, body })),
    onSuccess: afterSave,
  });
}

/** Replaces the whole schedule (its path stays). */
export function useUpdateSchedule(workspace: string, path: string) {
  const afterSave = useAfterSave(workspace);
  return useMutation({
    mutationFn: (body: ScheduleInput) =>
      unwrap(api.PUT("/api/w/{workspace}/schedules/p/{path}", { params: { path: { workspace, path } }, body })),
    onSuccess: afterSave,
  });
}

export function useSetScheduleEnabled(workspace: string, path: string) {
  const afterSave = useAfterSave(workspace);
  return useMutation({
    mutationFn: (enabled: boolean) =>
      unwrap(
        api.POST("/api/w/{workspace}/schedules/enabled/p/{path}", {
          params: { path: { workspace, path } },
          body: { enabled },
        }),
      ),
    onSuccess: afterSave,
  });
}

/** Deletes the schedule; its jobs stay. */
export function useDeleteSchedule(workspace: string, path: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      expectNoContent(
        api.DELETE("/api/w/{workspace}/schedules/p/{path}", { params: { path: { workspace, path } } }),
      ),
    onSuccess: () => {
      queryClient.setQueryData<Schedule[]>(scheduleKeys.list(workspace), (list) =>
        list?.filter((schedule) => schedule.path !== path),
      );
      void queryClient.invalidateQueries({ queryKey: scheduleKeys.list(workspace) });
    },
  });
}

/** The schedule's jobs (its ticks' and its handlers'), newest first, a page at a time. */
export function useScheduleRuns(workspace: string, path: string) {
  return useInfiniteQuery({
    queryKey: scheduleKeys.runs(workspace, path),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/w/{workspace}/schedules/runs/p/{path}", {
          params: {
            path: { workspace, path },
            query: { limit: SCHEDULE_RUNS_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: SCHEDULE_POLL_INTERVAL_MS,
  });
}

/** What happened to its ticks besides their jobs (skips, refusals, handlers), newest first. */
export function useScheduleEvents(workspace: string, path: string) {
  return useQuery({
    queryKey: scheduleKeys.events(workspace, path),
    queryFn: () =>
      unwrap(
        api.GET("/api/w/{workspace}/schedules/events/p/{path}", { params: { path: { workspace, path } } }),
      ),
    refetchInterval: SCHEDULE_POLL_INTERVAL_MS,
  });
}

/**
 * The expression in words and its next fire times, as the scheduler computes them.
 * Asks once the cron and time zone have stopped changing for PREVIEW_DEBOUNCE_MS;
 * the last answer stays on screen while the next one loads.
 */
export function useCronPreview(workspace: string, cron: string, timezone: string) {
  const wanted = { cron: cron.trim(), tz: timezone.trim() || "UTC" };
  const settled = {
    cron: useDebouncedValue(wanted.cron, PREVIEW_DEBOUNCE_MS),
    tz: useDebouncedValue(wanted.tz, PREVIEW_DEBOUNCE_MS),
  };
  const query = useQuery({
    queryKey: scheduleKeys.preview(workspace, settled.cron, settled.tz),
    queryFn: () =>
      unwrap(
        api.GET("/api/w/{workspace}/schedules/preview", {
          params: { path: { workspace }, query: { cron: settled.cron, tz: settled.tz, count: PREVIEW_COUNT } },
        }),
      ),
    enabled: settled.cron !== "",
    placeholderData: keepPreviousData,
    // The next times move on; a minute-old answer is still a fine preview.
    staleTime: 60_000,
    retry: false,
  });
  /** The user is still typing: what is shown is about an earlier expression. */
  const settling = settled.cron !== wanted.cron || settled.tz !== wanted.tz;
  return { query, settling };
}
