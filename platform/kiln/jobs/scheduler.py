"""The scheduler process: periodic passes that keep the queue honest.

Each pass: the lease reaper (requeue jobs whose worker stopped renewing), the
dispatcher (ring retries whose back-off is over and jobs a concurrency slot freed
for), flow timers (a step's sleep ended, an approval timed out), the sweeper
(re-publish queued jobs nobody claimed) and, once a minute, retention (delete old
finished jobs). Cron ticks run in a thread of their own
(kiln.schedules.ticker), which wakes at the next tick rather than every pass.
Every pass is safe to run from several scheduler copies at once: each change is
a compare-and-set.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from kiln.flows.engine import flow_timers_due

from .dispatch import dispatch_due
from .leases import reap_expired
from .models import Job, JobStatus
from .retention import purge_expired
from .services import job_publish

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 60.0


def sweep_unclaimed(*, older_than: timedelta | None = None, limit: int = 500) -> int:
    """Ring the bell again for queued jobs whose message was lost (broker restart, crash)."""
    if older_than is None:
        older_than = timedelta(seconds=settings.KILN_SWEEP_AFTER)
    cutoff = timezone.now() - older_than
    republished = 0
    stale = Job.objects.filter(status=JobStatus.QUEUED, published_at__lt=cutoff).values_list(
        "id", "published_at", "queue", "priority"
    )[:limit]
    for job_id, published_at, queue, priority in stale:
        # Only the scheduler that moves published_at re-publishes: copies do not double up.
        won = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, published_at=published_at).update(
            published_at=timezone.now()
        )
        if won:
            job_publish(job_id=str(job_id), queue=queue, priority=priority)
            republished += 1
    if republished:
        log.info("sweeper: re-published %d queued job(s)", republished)
    return republished


def run_forever(*, interval: float) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("scheduler started (pass every %ss)", interval)
    from kiln.schedules.ticker import run_ticks

    ticks = threading.Thread(target=run_ticks, args=(stop,), name="schedule-ticks", daemon=True)
    ticks.start()
    next_retention = 0.0
    while not stop.is_set():
        try:
            reap_expired()
            dispatch_due()
            flow_timers_due()
            sweep_unclaimed()
            if time.monotonic() >= next_retention:
                next_retention = time.monotonic() + RETENTION_EVERY_S
                purge_expired()
        except Exception:  # a pass may fail (database restarting); the next one retries
            log.exception("scheduler pass failed")
        finally:
            close_old_connections()
        stop.wait(interval)
    ticks.join(timeout=10)
    log.info("scheduler stopped")
