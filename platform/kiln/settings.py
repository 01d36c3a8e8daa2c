"""Django settings. Every value comes from the environment (see kiln/config.py)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from kiln import config
from kiln.logs import logging_config
from scripts_runtime import registry as _registry  # not a setting: private name

DATA_DIR = config.data_dir()
BASE_DIR = config.PROJECT_ROOT
SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("KILN_DEBUG")

KILN_HOST = config.env("KILN_HOST", "127.0.0.1")
KILN_PORT = config.env_int("KILN_PORT", 8000)
KILN_PUBLIC_URL = config.env("KILN_PUBLIC_URL", f"http://{KILN_HOST}:{KILN_PORT}").rstrip("/")

ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = [KILN_PUBLIC_URL]

INSTALLED_APPS = [
    "django.contrib.admin",  # /admin/ for superusers (is_staff): users, workspaces, jobs, audit
    "django.contrib.messages",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
    "ninja",  # serves Swagger UI's files itself: /api/docs works with no internet
    "kiln.accounts",
    "kiln.scripts",
    "kiln.jobs",
    "kiln.audit",
    "kiln.schedules",
    "kiln.flows",
    "kiln.vault",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kiln.middleware.RequireJsonBodies",
    "kiln.middleware.RejectNulCharacters",
    "kiln.middleware.JobScopeReset",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kiln.urls"
ASGI_APPLICATION = "kiln.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

if config.env("DATABASE_URL"):
    # Kept open between requests and jobs; checked before reuse (a restarted server's dead
    # connection is replaced, not failed on).
    DATABASES = {
        "default": dj_database_url.parse(config.env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)
    }
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # A server that does not answer (down, blackholed) fails a connect in 5 s, not after the
        # kernel's TCP retries: requests answer 503 and workers retry (?connect_timeout= overrides).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "kiln.sqlite3",  # Django's, with a faster wait for the write lock
            "NAME": str(DATA_DIR / "kiln.sqlite3"),
            "OPTIONS": {
                # web, worker and scheduler are separate processes: WAL lets readers
                # run beside the one writer, IMMEDIATE takes the write lock up front
                # so two writers queue (kiln.sqlite3 waits up to "timeout") instead of failing
                # mid-transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": str(DATA_DIR / "test-kiln.sqlite3")},
            # Kept open between requests and jobs (as PostgreSQL's): opening one, with its
            # PRAGMAs, was ~5% of a warm job's worker time (docs/performance.md).
            "CONN_MAX_AGE": 60,
        }
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if os.environ.get("KILN_FAST_PASSWORD_HASHER") == "1":  # test runs only
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
FRONTEND_DIR = config.frontend_dir()
# The built SPA (frontend/dist) is served from the site root: /assets/..., /favicon.svg.
WHITENOISE_ROOT = FRONTEND_DIR if FRONTEND_DIR.is_dir() else None
WHITENOISE_INDEX_FILE = False
# Static files of installed apps (the API docs' Swagger UI) are served straight from
# their packages: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True

# Request bodies (scripts, job arguments) up to 10 MiB; the API refuses larger ones with a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Checked when a user sets a password through the API (POST /api/auth/password, resets).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
# Served over https (KILN_PUBLIC_URL says so): cookies never travel in clear.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = KILN_PUBLIC_URL.startswith("https://")
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Redis: the Celery broker and the Channels layer. `kiln up` starts an embedded
# Valkey and exports REDIS_URL to its children when none is configured.
REDIS_URL = config.env("REDIS_URL", "redis://127.0.0.1:6379/0")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # results live on the Job row, never in Redis
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged when its job starts; from then on the job's lease in the database
# (not the broker) decides what happens if the worker is lost (kiln/jobs/tasks.py says why).
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes every database connection before and after each task unless this
# is set: a new connection per job (with SQLite's PRAGMAs, or PostgreSQL's TCP and auth), about
# 1 ms of a warm job's CPU in the worker. Set, it never closes them; kiln/jobs/tasks.py closes
# them as Django does between requests instead (unusable, or older than CONN_MAX_AGE).
CELERY_DB_REUSE_MAX = 2**62
# A job may run for up to KILN_JOB_TIMEOUT; the message must stay invisible longer
# than that or Redis would hand it to a second worker while the first still runs.
KILN_JOB_TIMEOUT = config.env_int("KILN_JOB_TIMEOUT", 900)
# How long a message handed to a worker that has not started it yet may stay unacknowledged before
# kombu's periodic restore (about every 100 s) puts it back. A redelivery is harmless (a claim is a
# compare-and-set on the row), only wasteful.
KILN_BROKER_VISIBILITY_TIMEOUT = config.env_int("KILN_BROKER_VISIBILITY_TIMEOUT", KILN_JOB_TIMEOUT + 600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": KILN_BROKER_VISIBILITY_TIMEOUT,
    # A Redis that stops answering without closing its connections (a partition, a failover, a
    # firewall's idle timeout): a publish (the doorbell, in a run request) gives up after 3 s
    # instead of waiting forever (the job is stored; the sweeper rings it again), and a worker's
    # waiting BRPOP is found dead and reconnected within about 10 + 2 x 10 s.
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "health_check_interval": 10,
    # Ten priority lists per queue, served highest first (Celery's 0 is Kiln's highest priority).
    "priority_steps": list(range(10)),
    "queue_order_strategy": "priority",
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}

KILN_SANDBOX = config.env("KILN_SANDBOX", "nsjail")
KILN_CGROUPS = config.env("KILN_CGROUPS", "auto")
# Networks (CIDRs) an `internet` job must never reach, on top of the worker's own addresses
# and networks, loopback, link-local/metadata and Kiln's Redis/database (sandboxes/README.md).
KILN_SANDBOX_BLOCKED_NETS = [n.strip() for n in config.env("KILN_SANDBOX_BLOCKED_NETS").split(",") if n]
KILN_JOB_MEMORY_MB = config.env_int("KILN_JOB_MEMORY_MB", 2048)
KILN_JOB_MAX_PROCESSES = config.env_int("KILN_JOB_MAX_PROCESSES", 256)
KILN_ALLOW_UNSANDBOXED = config.env_bool("KILN_ALLOW_UNSANDBOXED")
# A running job's worker renews its lease every third of this; past it the reaper requeues the job.
KILN_LEASE_SECONDS = config.env_int("KILN_LEASE_SECONDS", 60)
KILN_JOB_LOG_LIMIT = config.env_int("KILN_JOB_LOG_LIMIT", 2 * 1024 * 1024)
KILN_SYNC_WAIT = config.env_int("KILN_SYNC_WAIT", 20)
KILN_SCHEDULE_GRACE_SECONDS = config.env_int("KILN_SCHEDULE_GRACE_SECONDS", 30)
# Failed logins per email within the lockout window before it is locked (5x that per address).
KILN_LOGIN_MAX_FAILURES = config.env_int("KILN_LOGIN_MAX_FAILURES", 5)
KILN_LOGIN_LOCKOUT_SECONDS = config.env_int("KILN_LOGIN_LOCKOUT_SECONDS", 900)
# Run requests a minute per token (or session) and per client address; 0 turns a limit off.
KILN_RATE_LIMIT_TOKEN = config.env_int("KILN_RATE_LIMIT_TOKEN", 12000)
KILN_RATE_LIMIT_IP = config.env_int("KILN_RATE_LIMIT_IP", 12000)
# The sweeper rings again for a queued job whose doorbell nobody answered for this long.
KILN_SWEEP_AFTER = config.env_int("KILN_SWEEP_AFTER", 30)
# Unanswered doorbells per queue past which a new job's is not rung: the workers answering them
# drain the queue (kiln/jobs/backlog.py). 0 rings every job's.
KILN_BELLS_PER_QUEUE = config.env_int("KILN_BELLS_PER_QUEUE", 32)
# Finished jobs (and their logs) older than this many days are deleted by the scheduler; 0 keeps all.
KILN_JOB_RETENTION_DAYS = config.env_int("KILN_JOB_RETENTION_DAYS", 30)
# A worker that has not said it is alive for this long is taken as gone (tags it served go unserved).
KILN_WORKER_HEARTBEAT_SECONDS = config.env_int("KILN_WORKER_HEARTBEAT_SECONDS", 10)
KILN_WORKER_GRACE_SECONDS = config.env_int("KILN_WORKER_GRACE_SECONDS", 60)
KILN_METRICS_TOKEN = config.env("KILN_METRICS_TOKEN")  # /metrics (kiln/operations/views.py)
KILN_JOBS_DIR = DATA_DIR / "jobs"
# Warm runners (jobs/warm.py): pre-started sandboxes, one per script version, that take its jobs
# over a pipe. Off with KILN_WARM_RUNNERS=0. A version is warm when its script says `warm`, or hot
# after KILN_WARM_HOT_RUNS runs within KILN_WARM_HOT_WINDOW seconds in one worker process (0: never).
KILN_WARM_RUNNERS = config.env("KILN_WARM_RUNNERS", "1").lower() not in ("0", "false", "no", "off")
KILN_WARM_HOT_RUNS = config.env_int("KILN_WARM_HOT_RUNS", 3)
KILN_WARM_HOT_WINDOW = config.env_int("KILN_WARM_HOT_WINDOW", 60)
# A runner is replaced after this many jobs, after this long idle, or when its own memory grew this much.
KILN_WARM_MAX_JOBS = config.env_int("KILN_WARM_MAX_JOBS", 1000)
KILN_WARM_IDLE_SECONDS = config.env_int("KILN_WARM_IDLE_SECONDS", 300)
KILN_WARM_MAX_GROWTH_MB = config.env_int("KILN_WARM_MAX_GROWTH_MB", 128)
# Runners kept by one worker process (each a jail with an interpreter: ~20 MB and up).
KILN_WARM_MAX_RUNNERS = config.env_int("KILN_WARM_MAX_RUNNERS", 8)
# Spare sandboxes (jobs/warm.py): for a Python version that ran in the last
# KILN_SPARE_IDLE_SECONDS, this many one-shot jails per worker process, started before its next
# jobs arrive. Each runs one job and is gone, so a job on one is as isolated as a cold job.
# At most KILN_SPARE_MAX per worker process. Off with KILN_SPARE_SANDBOXES=0.
KILN_SPARE_SANDBOXES = config.env_int("KILN_SPARE_SANDBOXES", 2)
KILN_SPARE_IDLE_SECONDS = config.env_int("KILN_SPARE_IDLE_SECONDS", 60)
KILN_SPARE_MAX = config.env_int("KILN_SPARE_MAX", 4)
# Dependencies and builds, shared by every job and content-addressed (one folder per lock/hash).
KILN_CACHE_DIR = Path(config.env("KILN_CACHE_DIR", str(DATA_DIR / "cache")))
# File-backed resources, e.g. SQLite databases a `sqlite` script's resource names by relative path.
KILN_FILES_DIR = Path(config.env("KILN_FILES_DIR", str(DATA_DIR / "files")))
# By default a worker serves every language's tag, plus "default" and "flow" (starting flow runs).
_ALL_TAGS = ",".join(sorted({lang.tag for lang in _registry.LANGUAGES.values()} | {"default", "flow"}))
KILN_WORKER_TAGS = [t.strip() for t in config.env("KILN_WORKER_TAGS", _ALL_TAGS).split(",") if t.strip()]
# A while loop (or a for loop) of a flow fails when it reaches this many iterations.
KILN_FLOW_MAX_ITERATIONS = config.env_int("KILN_FLOW_MAX_ITERATIONS", 10000)
KILN_WORKER_CONCURRENCY = config.env_int("KILN_WORKER_CONCURRENCY", os.cpu_count() or 1)

# Plain text, or one JSON object a line (KILN_LOG_FORMAT=json); lines written while a worker
# runs a job carry its id and workspace either way (kiln/logs.py).
KILN_LOG_FORMAT = config.env("KILN_LOG_FORMAT", "text")
LOGGING = logging_config(KILN_LOG_FORMAT)
