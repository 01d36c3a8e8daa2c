/** A `WorkerJobOut`: a job a worker is running now. */
export function workerJob(overrides: Record<string, unknown> = {}) {
  return {
    id: "7b1f2c1e-0000-4000-8000-000000000001",
    workspace: "demo",
    path: "u/ada/greet",
    kind: "script",
    language: "python3",
    started_at: "2025-01-02T10:00:01Z",
    ...overrides,
  };
}

/** A live `WorkerOut` serving the default tags, idle, unless overridden. */
export function worker(overrides: Record<string, unknown> = {}) {
  return {
    id: "alpha:101",
    hostname: "alpha",
    tags: ["python3", "bash"],
    slots: 4,
    busy: 0,
    version: "0.9.0",
    started_at: "2025-01-02T09:00:00Z",
    heartbeat_at: "2025-01-02T10:00:00Z",
    alive: true,
    stopping: false,
    jobs: [],
    hidden_jobs: 0,
    ...overrides,
  };
}

/** `GET /api/workers`: the workers, every tag served, a 30 s heartbeat, unless overridden. */
export function workersList(overrides: Record<string, unknown> = {}) {
  return {
    workers: [worker()],
    heartbeat_seconds: 30,
    configured_tags: ["python3", "bash"],
    unserved_tags: [],
    ...overrides,
  };
}
