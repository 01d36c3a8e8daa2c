"""Leases: a job whose worker stops renewing is retried, then crashed; a stale result is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kiln.accounts.models import User, Workspace
from kiln.jobs.leases import lease_renew, reap_expired
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from kiln.jobs.services import job_claim, job_create, job_finish
from kiln.scripts.services import script_save


@pytest.fixture
def running(workspace: Workspace, owner: User) -> Job:
    version = script_save(
        workspace=workspace,
        user=owner,
        path="u/ada/s",
        language="python3",
        content="def main():\n  return 1\n",
    ).version
    job = job_create(workspace=workspace, user=owner, version=version, args={})
    Job.objects.filter(pk=job.pk).update(queue=f"unused-{job.pk}")  # no worker takes the re-publish
    claimed = job_claim(job_id=str(job.pk), worker_id="host:1")
    assert claimed is not None
    return claimed


def expire(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def test_a_renewed_lease_is_not_reaped(running: Job) -> None:
    assert lease_renew(job=running)
    assert reap_expired() == (0, 0)
    running.refresh_from_db()
    assert running.status == JobStatus.RUNNING


def test_an_expired_lease_requeues_the_job_and_says_so_in_its_log(running: Job) -> None:
    expire(running)
    assert reap_expired() == (1, 0)
    running.refresh_from_db()
    assert (running.status, running.worker_id, running.attempt) == (JobStatus.QUEUED, "", 1)
    assert "attempt 1 lost its worker (host:1)" in job_logs(job=running)


def test_the_old_worker_can_neither_renew_nor_finish_after_a_requeue(running: Job) -> None:
    expire(running)
    reap_expired()
    assert not lease_renew(job=running)
    assert not job_finish(job=running, status=JobStatus.SUCCESS, result=1)
    retried = job_claim(job_id=str(running.pk), worker_id="host:2")
    assert retried is not None and retried.attempt == 2
    assert not job_finish(job=running, status=JobStatus.SUCCESS, result="stale")  # attempt 1 is refused
    assert job_finish(job=retried, status=JobStatus.SUCCESS, result="fresh")
    retried.refresh_from_db()
    assert (retried.status, retried.result) == (JobStatus.SUCCESS, "fresh")


def test_a_job_that_keeps_losing_its_worker_ends_crashed(running: Job) -> None:
    job = running
    for attempt in range(2, job.max_attempts + 1):
        expire(job)
        assert reap_expired() == (1, 0)
        job = job_claim(job_id=str(job.pk), worker_id=f"host:{attempt}")
        assert job is not None and job.attempt == attempt
    expire(job)
    assert reap_expired() == (0, 1)
    job.refresh_from_db()
    assert job.status == JobStatus.CRASHED and job.finished_at is not None
    assert job.error["name"] == "Crashed" and f"all {job.max_attempts} attempts" in job.error["message"]
