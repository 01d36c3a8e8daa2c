"""Retention: finished jobs and their logs older than KILN_JOB_RETENTION_DAYS are deleted,
in small batches so that no pass holds long locks; used idempotency keys expire after
24 hours; workers silent for a day are forgotten."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import IDEMPOTENCY_WINDOW, TERMINAL, IdempotencyKey, Job, JobLogChunk, Worker

log = logging.getLogger(__name__)

BATCH = 500


def purge_expired(*, max_batches: int = 20) -> int:
    """One retention pass; returns how many jobs it deleted (at most max_batches × BATCH)."""
    now = timezone.now()
    IdempotencyKey.objects.filter(created_at__lt=now - IDEMPOTENCY_WINDOW).delete()
    Worker.objects.filter(heartbeat_at__lt=now - timedelta(days=1)).delete()
    days = settings.KILN_JOB_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    deleted = 0
    for _ in range(max_batches):
        ids = list(
            Job.objects.filter(status__in=TERMINAL, finished_at__lt=cutoff).values_list("id", flat=True)[
                :BATCH
            ]
        )
        if not ids:
            break
        with transaction.atomic():
            JobLogChunk.objects.filter(job_id__in=ids).delete()
            Job.objects.filter(rerun_of_id__in=ids).update(rerun_of=None)
            IdempotencyKey.objects.filter(job_id__in=ids).delete()
            deleted += Job.objects.filter(id__in=ids, status__in=TERMINAL).delete()[1].get("jobs.Job", 0)
    if deleted:
        log.info("retention: deleted %d job(s) finished before %s", deleted, cutoff.isoformat())
    return deleted
