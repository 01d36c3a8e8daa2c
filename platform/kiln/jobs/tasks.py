"""Celery tasks: thin. Take an id, hand it to the runner."""

from __future__ import annotations

from celery import shared_task

from .runner import JobRunner


@shared_task(name="kiln.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: str) -> None:
    JobRunner(job_id).run()
