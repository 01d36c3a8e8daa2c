"""When a queued job's doorbell rings: at once, after its retry back-off, or when a
concurrency slot frees.

A queued job with `published_at` set has been rung (a Celery message is on its way);
with `published_at` null it is waiting: for `scheduled_for` (a retry's back-off) or
for a slot of its concurrency key. Ringing is a compare-and-set on `published_at`,
so several schedulers (or a scheduler and a finishing worker) never ring one job twice.
The concurrency limit itself is held by `ConcurrencySlot` rows claimed at start:
a unique (key, slot) pair, so the limit holds whatever rings.
"""

from __future__ import annotations

import logging
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import ConcurrencySlot, Job, JobStatus

log = logging.getLogger(__name__)


def _due() -> Q:
    return Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=timezone.now())


def ring(*, job_id: str | UUID, queue: str, priority: int) -> bool:
    """Publish a waiting job, if nobody else did first."""
    from .services import job_publish

    won = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, published_at__isnull=True).update(
        published_at=timezone.now()
    )
    if won:
        job_publish(job_id=str(job_id), queue=queue, priority=priority)
    return bool(won)


def dispatch_key(key: str) -> int:
    """Ring as many waiting jobs of a concurrency key as it has free slots, best first
    (priority, then age). Returns how many were rung."""
    jobs = Job.objects.filter(concurrency_key=key)
    waiting = (
        jobs.filter(_due(), status=JobStatus.QUEUED, published_at__isnull=True)
        .order_by("-priority", "created_at")
        .values_list("id", "queue", "priority", "concurrency_limit")
    )
    first = waiting.first()
    if first is None:
        return 0
    busy = jobs.filter(
        Q(status=JobStatus.RUNNING) | Q(status=JobStatus.QUEUED, published_at__isnull=False)
    ).count()
    free = (first[3] or 1) - busy
    if free <= 0:
        return 0
    return sum(ring(job_id=j, queue=q, priority=p) for j, q, p, _ in waiting[:free])


def dispatch_due(*, limit: int = 500) -> int:
    """The scheduler's pass: ring waiting jobs whose time has come (retries after their
    back-off; concurrency-limited jobs whose slot freed while a message was lost)."""
    rung = 0
    keys: set[str] = set()
    due = (
        Job.objects.filter(_due(), status=JobStatus.QUEUED, published_at__isnull=True)
        .order_by("-priority", "created_at")
        .values_list("id", "queue", "priority", "concurrency_key")
    )
    for job_id, queue, priority, key in due[:limit]:
        if key:
            keys.add(key)
        elif ring(job_id=job_id, queue=queue, priority=priority):
            rung += 1
    for key in keys:
        rung += dispatch_key(key)
    if rung:
        log.info("dispatch: rang %d waiting job(s)", rung)
    return rung


def dispatch_after_commit(job: Job) -> None:
    """After the transaction that made `job` wait or freed its slot: ring what can run now."""
    job_id, queue, priority, key = str(job.pk), job.queue, job.priority, job.concurrency_key

    def go() -> None:
        try:
            if key:
                dispatch_key(key)
            else:
                ring(job_id=job_id, queue=queue, priority=priority)
        except Exception:  # the scheduler's pass rings it later
            log.warning("job %s: dispatch failed; the scheduler will retry", job_id, exc_info=True)

    transaction.on_commit(go)


def slot_acquire(job: Job) -> bool:
    """Take a free slot of the job's concurrency key (inside the claim's transaction)."""
    ConcurrencySlot.objects.filter(job_id=job.pk).delete()  # a stale one of an earlier attempt
    limit = job.concurrency_limit or 1
    taken = set(ConcurrencySlot.objects.filter(key=job.concurrency_key).values_list("slot", flat=True))
    for slot in range(limit):
        if slot in taken:
            continue
        try:
            with transaction.atomic():  # a savepoint: losing a race for this slot tries the next
                ConcurrencySlot.objects.create(key=job.concurrency_key, slot=slot, job_id=job.pk)
            return True
        except IntegrityError:
            continue
    return False


def slot_release(job: Job) -> None:
    """Give the job's slot back (inside the transaction that ends or requeues it) and, after
    commit, ring the next waiting job of its key."""
    if not job.concurrency_key:
        return
    ConcurrencySlot.objects.filter(job_id=job.pk).delete()
    dispatch_after_commit(job)
