"""The scheduler process: periodic passes that keep the queue honest.

Today: the lease reaper (requeue jobs whose worker stopped renewing) and the
sweeper (re-publish queued jobs nobody claimed). Cron ticks join them later.
Every pass is safe to run from several scheduler copies at once: each change is
a compare-and-set.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

from .leases import reap_expired
from .models import Job, JobStatus
from .services import job_publish

log = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(seconds=30)


def sweep_unclaimed(*, older_than: timedelta = SWEEP_AFTER, limit: int = 500) -> int:
    """Ring the bell again for queued jobs whose message was lost (broker restart, crash)."""
    cutoff = timezone.now() - older_than
    republished = 0
    stale = Job.objects.filter(status=JobStatus.QUEUED, published_at__lt=cutoff).values_list(
        "id", "published_at", "queue"
    )[:limit]
    for job_id, published_at, queue in stale:
        # Only the scheduler that moves published_at re-publishes: copies do not double up.
        won = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, published_at=published_at).update(
            published_at=timezone.now()
        )
        if won:
            job_publish(job_id=str(job_id), queue=queue)
            republished += 1
    if republished:
        log.info("sweeper: re-published %d queued job(s)", republished)
    return republished


def run_forever(*, interval: float) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("scheduler started (pass every %ss)", interval)
    while not stop.is_set():
        try:
            reap_expired()
            sweep_unclaimed()
        except Exception:  # a pass may fail (database restarting); the next one retries
            log.exception("scheduler pass failed")
        finally:
            close_old_connections()
        stop.wait(interval)
    log.info("scheduler stopped")
