"""Writes for jobs: create (and publish after commit), and the compare-and-set transitions."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from kiln.accounts.models import User, Workspace
from kiln.errors import BadRequest
from kiln.scripts.models import ScriptVersion
from scripts_runtime import registry

from .models import Job, JobLogChunk, JobStatus

log = logging.getLogger(__name__)

# A stuck Redis must not stall the job's log flushing: live viewers are a courtesy.
PUBLISH_TIMEOUT_S = 2.0


def validate_args(schema: dict[str, Any], args: Any) -> None:
    """400 naming the offending field when the arguments do not fit the script's schema."""
    if not isinstance(args, dict):
        raise BadRequest("arguments must be a JSON object", {"field": None})
    errors = list(Draft202012Validator(schema).iter_errors(args))
    if not errors:
        return
    error = best_match(errors)
    if error.validator == "required":
        field = error.message.split("'")[1] if "'" in error.message else None
        message = f"missing required argument '{field}'"
    elif error.validator == "additionalProperties":
        extra = sorted(set(args) - set(schema.get("properties", {})))
        field = extra[0] if extra else None
        message = f"unknown argument '{field}'"
    else:
        field = ".".join(str(p) for p in error.absolute_path) or None
        message = f"invalid argument '{field}': {error.message}"
    raise BadRequest(message, {"field": field, "errors": [e.message for e in errors[:10]]})


def job_create(*, workspace: Workspace, user: User, version: ScriptVersion, args: Any) -> Job:
    """Commit a queued Job, then (after commit) ring the worker's doorbell."""
    validate_args(version.schema, args)
    with transaction.atomic():
        job = Job.objects.create(
            id=uuid.uuid4(),
            workspace=workspace,
            script_version=version,
            script_path=version.script.path,
            language=version.language,
            queue=registry.get(version.language).tag,
            args=args,
            created_by=user,
            timeout_s=settings.KILN_JOB_TIMEOUT,
        )
        job_id = str(job.id)
        transaction.on_commit(lambda: job_publish(job_id=job_id, queue=job.queue))
    return job


def job_publish(*, job_id: str, queue: str) -> None:
    from .tasks import run_job

    run_job.apply_async(args=[job_id], queue=queue)


def job_claim(*, job_id: str, worker_id: str) -> Job | None:
    """queued → running for this worker. None when someone else has it or it is over."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
        if job is None:
            return None
        changed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, attempt=job.attempt).update(
            status=JobStatus.RUNNING,
            worker_id=worker_id,
            attempt=job.attempt + 1,
            started_at=now,
            lease_expires_at=now + timedelta(seconds=settings.KILN_LEASE_SECONDS),
        )
        if changed != 1:
            return None
    job.refresh_from_db()
    return job


def job_append_log(*, job: Job, offset: int, data: str) -> None:
    if not data:
        return
    with transaction.atomic():
        JobLogChunk.objects.create(job=job, offset=offset, data=data)
        Job.objects.filter(pk=job.pk).update(log_size=offset + len(data.encode()))
        job_id = str(job.pk)
        transaction.on_commit(
            lambda: job_log_publish(job_id, {"type": "log.chunk", "offset": offset, "data": data})
        )


def job_log_group(job_id: str) -> str:
    """The Channels group of one job's live log viewers."""
    return f"job.{job_id}"


def job_log_publish(job_id: str, *messages: dict[str, Any]) -> None:
    """Send committed log news to the job's viewers, best effort.

    The database stays the truth: a viewer that misses a message notices the gap
    (or the end) and reads the database, so a failure here is logged, never raised.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    group = job_log_group(job_id)

    async def send() -> None:
        async with asyncio.timeout(PUBLISH_TIMEOUT_S):
            for message in messages:
                await layer.group_send(group, message)

    try:
        async_to_sync(send)()
    except Exception:
        log.warning("job %s: could not publish live logs to %s", job_id, group, exc_info=True)


def job_finish(
    *,
    job: Job,
    status: JobStatus,
    result: Any = None,
    error: dict[str, Any] | None = None,
    last_log: tuple[int, str] | None = None,
    log_dropped: int = 0,
) -> bool:
    """running → a terminal state, with the result and the last log chunk in one transaction.

    The update is conditioned on this worker and attempt, so a late or duplicate
    delivery changes nothing; returns whether this call made the change.
    """
    with transaction.atomic():
        update: dict[str, Any] = {
            "status": status,
            "result": result,
            "error": error,
            "finished_at": timezone.now(),
            "lease_expires_at": None,
            "log_dropped": log_dropped,
        }
        messages: list[dict[str, Any]] = []
        if last_log is not None and last_log[1]:
            offset, data = last_log
            JobLogChunk.objects.create(job=job, offset=offset, data=data)
            update["log_size"] = offset + len(data.encode())
            messages.append({"type": "log.chunk", "offset": offset, "data": data})
        changed = Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, worker_id=job.worker_id, attempt=job.attempt
        ).update(**update)
        if changed != 1:
            transaction.set_rollback(True)
            return False
        log_size = update.get("log_size")
        if log_size is None:  # no last chunk: the runner's copy of the row predates its appends
            log_size = Job.objects.values_list("log_size", flat=True).get(pk=job.pk)
        messages.append({"type": "job.done", "status": str(status), "log_size": log_size})
        job_id = str(job.pk)
        transaction.on_commit(lambda: job_log_publish(job_id, *messages))
    return True
