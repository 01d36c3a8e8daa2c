"""Celery tasks: thin. Take an id, hand it to the runner."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import shared_task
from celery.signals import (
    task_prerun,
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
    worker_shutting_down,
)

from kiln.celery import app as _app  # noqa: F401  # the app the shared tasks bind to (kiln/__init__.py)

from . import backlog, services
from .runner import JobRunner
from .workers import drain_start, heartbeat_start, heartbeat_stop, served_queues, stopping

# Acknowledged when the job starts (not acks_late): the Job row and its lease are what survive a
# lost worker (the reaper requeues), and kombu's Redis transport crashes the whole worker when it
# must put a running job's unacknowledged message back after a broker blip (tests/e2e/test_chaos.py).
# A job's end may hand its worker the next job (a flow's next step); a chain this long is cut
# (its next job rung as usual) so that one task never holds a pool process for ever.
MAX_CHAIN = 1000


@shared_task(name="kiln.run_job", acks_late=False)
def run_job(job_id: str, bell: str | None = None) -> None:
    """Run the job, and the next jobs its end hands this worker (a flow's next steps). A counted
    doorbell's task (`bell`: its queue) then drains that queue, job after job, until none is
    waiting (kiln.jobs.backlog)."""
    served = served_queues()
    runner = JobRunner(job_id, served=served)
    answered = bell is None  # a counted bell is counted down after its job, before any drain
    draining = bell
    try:
        if job_id:  # a bell rung again for a queue names no job
            runner.run()
        for _ in range(MAX_CHAIN):
            if stopping():  # a stopping worker rings what it would have run for another
                return
            if runner.next_job is not None:
                runner = JobRunner(runner.next_job, served=served, claimed=runner.next_claimed)
            elif draining is not None:
                if not answered:  # before the first claim: a bell skipped from now on, the claims see
                    backlog.bell_answered(draining)
                    answered = True
                job = backlog.claim_next(worker_id=runner.worker, queue=draining)
                if job is None:
                    draining = None  # drained: nothing is left to ring for
                    return
                runner = JobRunner(str(job.pk), served=served, claimed=job)
            else:
                return
            runner.run()
    finally:
        if bell is not None and not answered:
            backlog.bell_answered(bell)
        if runner.next_job is not None:  # not run here (the chain's end, or an error): ring it
            ring_again(runner.next_job, claimed_by=runner.worker if runner.next_claimed is not None else None)
        if draining is not None:  # not drained (the chain's end, a stop, an error): another worker will
            services.job_publish(job_id="", queue=draining, counted=True)


def ring_again(job_id: str, claimed_by: str | None = None) -> None:
    """Ring a job's doorbell; one created claimed by this worker (`claimed_by`) is queued
    again first, for any worker to take."""
    from .models import Job

    if claimed_by is not None:
        services.job_unclaim(job_id=job_id, worker_id=claimed_by)
    job = Job.objects.filter(pk=job_id).values("queue", "priority").first()
    if job is not None:
        services.job_publish(job_id=job_id, queue=job["queue"], priority=job["priority"])


@task_prerun.connect
def _on_task_prerun(**_: Any) -> None:
    """A connection that failed or outlived CONN_MAX_AGE goes before a task, as before a request
    (settings.CELERY_DB_REUSE_MAX keeps Celery from closing every one)."""
    from django.db import close_old_connections

    close_old_connections()


@shared_task(name="kiln.flow_timer", acks_late=False)
def flow_timer(job_id: str) -> None:
    """A flow run's sleep or approval timeout is due (the scheduler's pass is the fallback)."""
    from kiln.flows.engine import flow_timer_fire

    flow_timer_fire(job_id)


@worker_ready.connect
def _on_worker_ready(sender: Any = None, **_: Any) -> None:
    """Start saying which tags this worker serves (see workers.py)."""
    tags = [t for t in os.environ.get("KILN_WORKER_QUEUES", "").split(",") if t]
    if not tags and sender is not None:
        tags = sorted(sender.app.amqp.queues.consume_from or {})
    concurrency = int(getattr(sender.controller, "concurrency", 0) or 0) if sender is not None else 0
    heartbeat_start(tags=tags, concurrency=concurrency or 1)


@worker_shutting_down.connect
def _on_worker_shutting_down(how: str = "", **_: Any) -> None:
    """SIGTERM (Celery's warm shutdown): take no new job, let the running ones finish within
    KILN_WORKER_GRACE_SECONDS, then hand the rest back to the queue. A cold shutdown (a second
    SIGTERM, SIGQUIT) hands them back at once."""
    from django.conf import settings

    if how == "Cold":
        drain_start(grace_s=0).join(timeout=10)  # before Celery's own exit kills the pool
    else:
        drain_start(grace_s=settings.KILN_WORKER_GRACE_SECONDS)


@worker_shutdown.connect
def _on_worker_shutdown(**_: Any) -> None:
    heartbeat_stop()  # the row goes: this worker serves nothing any more


@worker_process_init.connect
def _on_pool_process_init(**_: Any) -> None:
    """A pool process: start the warm runners of scripts marked warm (jobs/warm.py), in the
    background so the process takes jobs at once."""
    import threading

    from django.conf import settings
    from django.db import close_old_connections

    from .runner import warm_prestart

    if not settings.KILN_WARM_RUNNERS:
        return
    queues = served_queues()

    def prestart() -> None:
        try:
            warm_prestart(queues)
        except Exception:  # the database is not there yet: the first jobs start them instead
            logging.getLogger(__name__).warning("warm runners were not pre-started", exc_info=True)
        finally:
            close_old_connections()

    threading.Thread(target=prestart, name="kiln-warm-prestart", daemon=True).start()


@worker_process_shutdown.connect
def _on_pool_process_shutdown(**_: Any) -> None:
    from kiln.operations import counters

    from .services import publishes_sent
    from .warm import pool

    pool.close_all()
    counters.flush()  # the metrics it summed since its last flush
    publishes_sent()  # live log news still queued in this process goes out before it exits
