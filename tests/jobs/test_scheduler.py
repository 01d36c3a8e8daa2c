"""The sweeper rings the bell again for queued jobs that nobody claimed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import redis
from django.conf import settings
from django.utils import timezone

from kiln.accounts.models import User, Workspace
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.scheduler import sweep_unclaimed
from kiln.jobs.services import job_create
from kiln.scripts.services import script_save


def queued_job(workspace: Workspace, owner: User, queue: str, age: timedelta) -> Job:
    version = script_save(
        workspace=workspace, user=owner, path="u/ada/s", language="python3", content="def main():\n  pass\n"
    ).version
    job = job_create(workspace=workspace, user=owner, version=version, args={})
    Job.objects.filter(pk=job.pk).update(queue=queue, published_at=timezone.now() - age)
    return job


def test_a_job_queued_too_long_is_published_again_once(workspace: Workspace, owner: User) -> None:
    queue = f"sweeper-test-{uuid.uuid4().hex}"  # a queue no worker listens to
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        stale = queued_job(workspace, owner, queue, timedelta(minutes=5))
        assert sweep_unclaimed() == 1
        # A real message on the real broker, in the list of its priority step (Celery names
        # them `<queue>\x06\x16<step>`, the highest priority keeping the plain name).
        lists = [key for key in client.keys(f"{queue}*")]
        assert sum(client.llen(key) for key in lists) == 1
        stale.refresh_from_db()
        assert timezone.now() - stale.published_at < timedelta(seconds=5)
        assert sweep_unclaimed() == 0  # just published: not again yet
    finally:
        for key in client.keys(f"{queue}*"):
            client.delete(key)


def test_fresh_and_finished_jobs_are_left_alone(workspace: Workspace, owner: User) -> None:
    fresh = queued_job(workspace, owner, "unused", timedelta(seconds=1))
    done = queued_job(workspace, owner, "unused", timedelta(minutes=5))
    Job.objects.filter(pk=done.pk).update(status=JobStatus.SUCCESS)
    assert sweep_unclaimed() == 0
    fresh.refresh_from_db()
    assert fresh.status == JobStatus.QUEUED
