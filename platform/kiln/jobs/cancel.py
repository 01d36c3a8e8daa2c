"""Cancelling a job: a queued one ends at once; a running one is stopped by its runner."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from kiln.accounts.models import User
from kiln.errors import Conflict

from .dispatch import dispatch_after_commit
from .models import TERMINAL, Job, JobKind, JobStatus
from .services import job_log_publish, tell_flow


def canceled_error(by: str) -> dict[str, str]:
    return {"name": "Canceled", "message": f"canceled by {by}", "traceback": ""}


def job_cancel(*, job: Job, user: User) -> Job:
    """queued → canceled now; running → cancel requested (the runner stops it within ~1 s).
    A flow run ends at once, and its steps are canceled (kiln.flows.engine.flow_cancel)."""
    if job.kind == JobKind.FLOW:
        return _flow_cancel(job, user)
    now = timezone.now()
    with transaction.atomic():
        ended = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELED,
            finished_at=now,
            canceled_by=user.email,
            error=canceled_error(user.email),
        )
        requested = ended or Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, cancel_requested_at__isnull=True
        ).update(cancel_requested_at=now, canceled_by=user.email)
        if ended and job.concurrency_key:  # it may have been rung for a slot: let the next one have it
            dispatch_after_commit(job)
        if ended:  # no runner will announce it: tell the live viewers (and its flow)
            transaction.on_commit(
                partial(job_log_publish, str(job.pk), {"type": "job.done", "status": "canceled"})
            )
            tell_flow(job)
        if not requested:
            job.refresh_from_db()
            if job.status in TERMINAL:
                raise Conflict(f"job is already {job.status}", {"status": job.status})
            # else: a cancel of this running job was already requested; asking twice is fine
    job.refresh_from_db()
    return job


def _flow_cancel(job: Job, user: User) -> Job:
    from kiln.flows.engine import flow_cancel

    if job.status in TERMINAL:
        raise Conflict(f"job is already {job.status}", {"status": job.status})
    flow_cancel(flow=job, by=user.email)
    job.refresh_from_db()
    return job


def cancel_requested(*, job: Job) -> bool:
    return Job.objects.filter(pk=job.pk, cancel_requested_at__isnull=False).exists()
