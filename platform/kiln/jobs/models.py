"""Jobs and their logs. The Job row is the truth; a Celery message only rings the bell."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from kiln.accounts.models import Workspace
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


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="jobs")
    script_version = models.ForeignKey(ScriptVersion, on_delete=models.PROTECT, related_name="jobs")
    script_path = models.CharField(max_length=255)
    language = models.CharField(max_length=32)
    queue = models.CharField(max_length=64)
    args = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the doorbell last rang; the sweeper rings again for jobs nobody claimed.
    published_at = models.DateTimeField(default=timezone.now)
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
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    log_size = models.PositiveBigIntegerField(default=0)  # bytes stored in JobLogChunk
    log_dropped = models.PositiveBigIntegerField(default=0)  # bytes over the limit, counted not kept
    sandboxed = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
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
