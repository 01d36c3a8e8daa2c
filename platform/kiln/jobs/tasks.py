"""Celery tasks: thin. Take an id, hand it to the runner."""

from __future__ import annotations

import os
from typing import Any

from celery import shared_task
from celery.signals import worker_ready, worker_shutting_down

from .runner import JobRunner
from .workers import heartbeat_start, heartbeat_stop


# Acknowledged when the job starts (not acks_late): the Job row and its lease are what survive a
# lost worker (the reaper requeues), and kombu's Redis transport crashes the whole worker when it
# must put a running job's unacknowledged message back after a broker blip (tests/e2e/test_chaos.py).
@shared_task(name="kiln.run_job", acks_late=False)
def run_job(job_id: str) -> None:
    JobRunner(job_id).run()


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
def _on_worker_shutting_down(**_: Any) -> None:
    heartbeat_stop()
