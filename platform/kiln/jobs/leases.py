"""Leases: a running job belongs to its worker only while the worker keeps renewing it.

A worker that dies (kill -9, OOM, a lost machine) or stalls (SIGSTOP, a long GC)
stops renewing; the scheduler's reaper then requeues the job for another attempt,
up to `max_attempts`, after which it is `crashed`. A late completion from the old
worker is refused by `job_finish`'s compare-and-set on worker and attempt.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kiln.operations import counters

from .models import Job, JobLogChunk, JobStatus

log = logging.getLogger(__name__)


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.KILN_LEASE_SECONDS)


def lease_renew(*, job: Job) -> bool:
    """Extend this worker's lease; False when the job is no longer ours (reaped, finished)."""
    return (
        Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, worker_id=job.worker_id, attempt=job.attempt
        ).update(lease_expires_at=timezone.now() + lease_duration())
        == 1
    )


def _note(job: Job, text: str) -> None:
    """A line in the job's log, at its current end, written by the platform."""
    JobLogChunk.objects.create(job=job, offset=job.log_size, data=text)
    Job.objects.filter(pk=job.pk).update(log_size=F("log_size") + len(text.encode()))


def job_requeue(*, job: Job, note: str, counted: bool = True) -> bool:
    """Inside the caller's transaction: this attempt of a running job (worker and attempt as
    `job` has them) back to `queued`, with `note` in its log, rung for any worker (for a
    limited key: its slot given back, the key's next job rung). `counted=False`: a worker
    that stopped on purpose handed it back, and the attempt does not count against
    max_attempts. False when the job is no longer this attempt's."""
    from .dispatch import dispatch_after_commit, slot_release

    update: dict[str, Any] = {
        "status": JobStatus.QUEUED,
        "worker_id": "",
        "lease_expires_at": None,
        "published_at": None,
    }
    if not counted:
        update["max_attempts"] = F("max_attempts") + 1
    won = Job.objects.filter(
        pk=job.pk, status=JobStatus.RUNNING, worker_id=job.worker_id, attempt=job.attempt
    ).update(**update)
    if not won:
        return False
    _note(job, note)
    slot_release(job) if job.concurrency_key else dispatch_after_commit(job)
    return True


def reap_expired(*, limit: int = 200) -> tuple[int, int]:
    """Requeue running jobs whose lease expired, or mark them crashed after their last
    attempt. Returns (requeued, crashed). Safe from several schedulers at once."""
    from .cancel import canceled_error
    from .dispatch import slot_release
    from .services import job_log_publish, tell_flow

    now = timezone.now()
    requeued = crashed = 0
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now).order_by(
        "lease_expires_at"
    )
    for job in expired[:limit]:
        with transaction.atomic():
            owner = {
                "pk": job.pk,
                "status": JobStatus.RUNNING,
                "worker_id": job.worker_id,
                "attempt": job.attempt,
            }
            if job.cancel_requested_at is not None:  # its worker died while being canceled
                won = Job.objects.filter(**owner).update(
                    status=JobStatus.CANCELED,
                    finished_at=now,
                    lease_expires_at=None,
                    error=canceled_error(job.canceled_by),
                )
                if won:
                    slot_release(job)
                    _count(job, JobStatus.CANCELED, now)
                    tell_flow(job)
            elif (
                job.attempt - job.retries < job.max_attempts
            ):  # a retry after a failure is not a lost attempt
                note = (
                    f"\n[kiln] attempt {job.attempt} lost its worker ({job.worker_id}): "
                    f"the lease expired; retrying (attempt {job.attempt + 1} of {job.max_attempts})\n"
                )
                if job_requeue(job=job, note=note):
                    requeued += 1
            else:
                message = (
                    f"the platform lost the job: its worker stopped answering on all {job.attempt} attempts"
                )
                won = Job.objects.filter(**owner).update(
                    status=JobStatus.CRASHED,
                    finished_at=now,
                    lease_expires_at=None,
                    error={"name": "Crashed", "message": message, "traceback": ""},
                )
                if won:
                    slot_release(job)
                    _note(job, f"\n[kiln] {message}\n")
                    done = {"type": "job.done", "status": JobStatus.CRASHED.value}
                    transaction.on_commit(partial(job_log_publish, str(job.pk), done))
                    _count(job, JobStatus.CRASHED, now)
                    tell_flow(job)
                    crashed += 1
    if requeued or crashed:
        log.info("reaper: requeued %d job(s), marked %d crashed", requeued, crashed)
    return requeued, crashed


def _count(job: Job, status: JobStatus, now: datetime) -> None:
    """For /metrics, once the end is committed: a job the reaper ended (its worker is gone)."""
    seconds = (now - job.started_at).total_seconds() if job.started_at else None
    transaction.on_commit(
        partial(
            counters.job_ended,
            tag=job.queue,
            language=job.language,
            state=str(status),
            seconds=seconds,
            log_bytes=0,
        )
    )
