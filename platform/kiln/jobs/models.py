"""Jobs and their logs. The Job row is the truth; a Celery message only rings the bell."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from kiln.accounts.models import Workspace
from kiln.fields import OrderedJSONField
from kiln.scripts.models import ScriptVersion


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"  # the user's code failed
    CANCELED = "canceled"
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the platform lost the job after max_attempts


TERMINAL: frozenset[str] = frozenset(
    {JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.CANCELED, JobStatus.TIMEOUT, JobStatus.CRASHED}
)


class Trigger(models.TextChoices):
    MANUAL = "manual"  # the UI (a session)
    WEBHOOK = "webhook"  # the HTTP API with a token
    SCHEDULE = "schedule"
    FLOW = "flow"
    RERUN = "rerun"
    PREVIEW = "preview"  # unsaved code from an editor (kiln.jobs.preview)
    JOB = "job"  # another job, through the SDK (run_script / run_flow) with its job token


class JobKind(models.TextChoices):
    SCRIPT = "script"  # a saved script's version
    INLINE = "inline"  # a flow's inline script (raw_code): a step with no saved script behind it
    FLOW = "flow"  # a flow run: no sandbox of its own; its steps are child jobs (kiln.flows.engine)


class Network(models.TextChoices):
    NONE = "none"  # an empty network namespace: no socket reaches anything
    INTERNET = "internet"  # outbound through pasta; the host and the metadata address stay unreachable


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=JobKind.choices, default=JobKind.SCRIPT)
    script_version = models.ForeignKey(
        ScriptVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    flow_version = models.ForeignKey(
        "flows.FlowVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="jobs"
    )
    # A flow's step: the flow job it belongs to, the top flow run, and its place in the parent's
    # status (e.g. `score/3/score_one`: iteration 3 of loop `score`). Unique per parent, so a step
    # is created once however many workers advance the flow.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    flow_step = models.CharField(max_length=255, blank=True)
    flow_status = models.JSONField(null=True, blank=True)  # a flow job's progress (kiln.flows.engine)
    raw_code = models.TextField(blank=True)  # an inline step's code
    raw_hash = models.CharField(max_length=64, blank=True)
    script_path = models.CharField(max_length=255)
    language = models.CharField(max_length=32)
    queue = models.CharField(max_length=64)
    args = OrderedJSONField(default=dict)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Whose access the job has (kiln.accounts.access): the author of the version it runs (`u/<name>`,
    # run_as_user) or the script's chosen group (`g/<name>`), never simply whoever called.
    run_as = models.CharField(max_length=80, blank=True)
    run_as_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the doorbell last rang; the sweeper rings again for jobs nobody claimed. Null:
    # not rung yet, the job waits for its time (a retry's back-off) or a concurrency slot.
    published_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # Not to be started before this (a retry's back-off); null: as soon as possible.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    # A schedule's job: the tick it runs for (unique per schedule: each tick runs once, however many
    # schedulers saw it); a schedule's handler job has the schedule but no tick.
    schedule = models.ForeignKey(
        "schedules.Schedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    schedule_tick = models.DateTimeField(null=True, blank=True)
    schedule_handled = models.BooleanField(default=False)  # its end was counted by the schedule
    priority = models.SmallIntegerField(default=0)  # 0-100, higher first within a tag
    # At most `concurrency_limit` jobs with the same key run at once; the rest wait queued.
    concurrency_key = models.CharField(max_length=255, blank=True)
    concurrency_limit = models.PositiveIntegerField(null=True, blank=True)
    # The script's retry policy (Windmill's shape) and how many retries were used.
    retry = models.JSONField(null=True, blank=True)
    retries = models.PositiveIntegerField(default=0)
    limits = models.JSONField(default=dict)  # JobLimits, fixed when the job is created
    network = models.CharField(max_length=16, choices=Network.choices, default=Network.NONE)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)  # 0-100, reported by the job
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=255, blank=True)
    attempt = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Set by a cancel of a running job; its runner sees it within a second and stops the jail.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    canceled_by = models.CharField(max_length=254, blank=True)
    timeout_s = models.PositiveIntegerField()
    result = OrderedJSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    log_size = models.PositiveBigIntegerField(default=0)  # bytes stored in JobLogChunk
    log_dropped = models.PositiveBigIntegerField(default=0)  # bytes over the limit, counted not kept
    sandboxed = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="job_ws_created"),
            models.Index(fields=["workspace", "status", "-created_at"], name="job_ws_status"),
            models.Index(fields=["workspace", "script_path", "-created_at"], name="job_ws_path"),
            models.Index(fields=["status", "published_at"], name="job_status_published"),
            models.Index(fields=["status", "concurrency_key"], name="job_status_concurrency"),
            models.Index(fields=["finished_at"], name="job_finished"),
            models.Index(fields=["schedule", "-created_at"], name="job_schedule_runs"),
            # The scheduler's "which schedule runs ended and are not counted yet": a small set.
            models.Index(
                fields=["finished_at"],
                condition=models.Q(schedule_tick__isnull=False, schedule_handled=False),
                name="job_schedule_unhandled",
            ),
            # A drain's "next queued job of these queues" (kiln/jobs/backlog.py): queued rows only.
            models.Index(
                fields=["queue", "-priority", "created_at"],
                condition=models.Q(status="queued"),
                name="job_queued_next",
            ),
            # The scheduler's "which flow runs wait for a timer": a sleep or an approval's timeout.
            models.Index(
                fields=["scheduled_for"],
                condition=models.Q(kind="flow", status="running"),
                name="job_flow_timers",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "flow_step"],
                condition=models.Q(parent__isnull=False),
                name="one_job_per_flow_step",
            ),
            # Each tick of a schedule makes at most one job, whatever the number of schedulers.
            models.UniqueConstraint(
                fields=["schedule", "schedule_tick"],
                condition=models.Q(schedule_tick__isnull=False),
                name="one_job_per_schedule_tick",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.script_path} {self.status}"

    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds() * 1000)


class JobLogChunk(models.Model):
    """An append-only piece of a job's logs; `offset` is its first byte in the whole log."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="log_chunks")
    offset = models.PositiveBigIntegerField()
    data = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "offset"], name="one_chunk_per_offset")]
        ordering = ["offset"]


IDEMPOTENCY_WINDOW = timedelta(hours=24)  # how long a key returns its first job


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a run request carried: the same key in the same workspace within
    24 hours gets the same job back (and a different body gets a 409)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of what was asked: target and arguments
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="one_job_per_idempotency_key")
        ]


class ConcurrencySlot(models.Model):
    """One of the N running places of a concurrency key. The unique (key, slot) pair is what
    makes the limit hold when several workers claim at once, on any database."""

    key = models.CharField(max_length=255)
    slot = models.PositiveIntegerField()
    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="concurrency_slot")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="one_job_per_slot")]


class Worker(models.Model):
    """A live Celery worker, as it last said: the tags (queues) it serves and its slots."""

    id = models.CharField(max_length=255, primary_key=True)  # host:pid of the worker's main process
    hostname = models.CharField(max_length=255)
    tags = models.JSONField(default=list)
    concurrency = models.PositiveIntegerField(default=1)
    version = models.CharField(max_length=64, blank=True)
    # The ids (host:pid) its pool processes claim jobs as (Job.worker_id), as of its last beat.
    processes = models.JSONField(default=list)
    # Set when it began to stop (SIGTERM): it takes no new job, its running ones finish within
    # KILN_WORKER_GRACE_SECONDS or are handed back to the queue (jobs/workers.py).
    stopping_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
