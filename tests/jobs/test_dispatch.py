"""Waiting jobs: concurrency slots, retries scheduled in the database, priorities, retention.

These drive the compare-and-set transitions directly (claim, finish, retry later, dispatch),
without a sandbox: what runs inside a job does not matter here."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kiln.accounts.models import User, Workspace
from kiln.jobs import dispatch
from kiln.jobs.leases import reap_expired
from kiln.jobs.models import ConcurrencySlot, IdempotencyKey, Job, JobLogChunk, JobStatus
from kiln.jobs.retention import purge_expired
from kiln.jobs.retry import next_delay, total_retries
from kiln.jobs.services import job_claim, job_create, job_finish, job_retry_later
from kiln.scripts.services import script_save

ECHO = "def main(n: int = 0):\n    return n\n"


@pytest.fixture
def make_job(workspace: Workspace, owner: User) -> Any:
    def make(settings: dict | None = None, path: str = "u/ada/echo", args: dict | None = None) -> Job:
        version = script_save(
            workspace=workspace,
            user=owner,
            path=path,
            language="python3",
            content=ECHO,
            settings=settings or {},
        ).version
        return job_create(workspace=workspace, user=owner, version=version, args=args or {})

    return make


@pytest.fixture
def rung(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int]]:
    """What would have been published to Celery, in order (the broker is not what is tested here)."""
    published: list[tuple[str, str, int]] = []

    def publish(*, job_id: str, queue: str, priority: int = 0) -> bool:
        published.append((job_id, queue, priority))
        return True

    monkeypatch.setattr("kiln.jobs.services.job_publish", publish)
    return published


def finish(job: Job) -> None:
    assert job_finish(job=job, status=JobStatus.SUCCESS, result=1)


# --- concurrency ---------------------------------------------------------------------


def test_a_concurrency_limit_holds_and_waiting_jobs_start_in_order_as_slots_free(
    make_job: Any, rung: list
) -> None:
    jobs = [make_job({"concurrency": {"limit": 2}}) for _ in range(5)]
    assert all(j.published_at is None for j in jobs)  # limited jobs wait until dispatched
    assert dispatch.dispatch_key(jobs[0].concurrency_key) == 2
    assert [r[0] for r in rung] == [str(jobs[0].pk), str(jobs[1].pk)]

    first = job_claim(job_id=str(jobs[0].pk), worker_id="w:1")
    second = job_claim(job_id=str(jobs[1].pk), worker_id="w:2")
    assert first is not None and second is not None
    # A third that got rung anyway (a stale message, another dispatcher) cannot start: it waits again.
    assert job_claim(job_id=str(jobs[2].pk), worker_id="w:3") is None
    jobs[2].refresh_from_db()
    assert jobs[2].status == JobStatus.QUEUED and jobs[2].published_at is None
    assert ConcurrencySlot.objects.count() == 2

    rung.clear()
    # Finishing frees the slot; after commit the next waiting job is rung (called here by hand:
    # on_commit callbacks do not fire inside a test's transaction).
    finish(first)
    dispatch.dispatch_key(jobs[0].concurrency_key)
    assert [r[0] for r in rung] == [str(jobs[2].pk)]
    assert job_claim(job_id=str(jobs[2].pk), worker_id="w:3") is not None
    assert ConcurrencySlot.objects.count() == 2


def test_a_concurrency_key_from_the_arguments_limits_per_value(make_job: Any, rung: list) -> None:
    settings = {"concurrency": {"limit": 1, "key": "tenant-$args[n]"}}
    a1, a2, b1 = (
        make_job(settings, args={"n": 1}),
        make_job(settings, args={"n": 1}),
        make_job(settings, args={"n": 2}),
    )
    assert (
        a1.concurrency_key == a2.concurrency_key == "main:tenant-1" and b1.concurrency_key == "main:tenant-2"
    )
    assert job_claim(job_id=str(a1.pk), worker_id="w:1") is not None
    assert job_claim(job_id=str(a2.pk), worker_id="w:2") is None  # same tenant: waits
    assert job_claim(job_id=str(b1.pk), worker_id="w:3") is not None  # another tenant: runs


def test_a_lost_or_crashed_job_gives_its_slot_back(make_job: Any, rung: list) -> None:
    job = make_job({"concurrency": {"limit": 1}})
    claimed = job_claim(job_id=str(job.pk), worker_id="w:1")
    assert claimed is not None and ConcurrencySlot.objects.count() == 1
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert reap_expired() == (1, 0)
    assert ConcurrencySlot.objects.count() == 0
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    again = job_claim(job_id=str(job.pk), worker_id="w:2")
    assert again is not None and ConcurrencySlot.objects.count() == 1
    Job.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1), max_attempts=2
    )
    assert reap_expired() == (0, 1)
    assert ConcurrencySlot.objects.count() == 0


# --- retries -------------------------------------------------------------------------


def test_retry_delays_follow_windmills_shape_with_a_cap_and_jitter() -> None:
    retry = {
        "constant": {"attempts": 2, "seconds": 5},
        "exponential": {"attempts": 4, "multiplier": 1, "seconds": 3, "random_factor": 0, "max_seconds": 20},
    }
    assert total_retries(retry) == 6
    assert [next_delay(retry, n) for n in range(7)] == [5, 5, 3, 9, 20, 20, None]
    assert next_delay(None, 0) is None and next_delay({}, 0) is None
    jittery = {"exponential": {"attempts": 1, "multiplier": 2, "seconds": 10, "random_factor": 50}}
    rng = random.Random(7)
    delays = [next_delay(jittery, 0, rng) for _ in range(200)]
    assert all(10 <= d <= 30 for d in delays if d is not None) and len({round(d or 0) for d in delays}) > 5
    huge = {"exponential": {"attempts": 100, "seconds": 3600, "max_seconds": 60}}
    assert next_delay(huge, 99) == 60  # no overflow: the cap holds


def test_a_retry_waits_in_the_database_until_it_is_due(make_job: Any, rung: list) -> None:
    job = make_job({"retry": {"constant": {"attempts": 1, "seconds": 30}}})
    claimed = job_claim(job_id=str(job.pk), worker_id="w:1")
    assert claimed is not None
    error = {"name": "ValueError", "message": "boom", "traceback": ""}
    assert job_retry_later(job=claimed, delay_s=30, error=error, last_log=(0, "boom\n"))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.retries, claimed.published_at) == (JobStatus.QUEUED, 1, None)
    assert claimed.scheduled_for is not None and claimed.scheduled_for > timezone.now() + timedelta(
        seconds=25
    )
    rung.clear()
    # Not due: neither a stale message nor the scheduler's pass starts it.
    assert job_claim(job_id=str(job.pk), worker_id="w:2") is None
    assert dispatch.dispatch_due() == 0 and rung == []
    # Due: the pass rings it once, whatever number of schedulers run the pass.
    Job.objects.filter(pk=job.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))
    assert dispatch.dispatch_due() == 1 and dispatch.dispatch_due() == 0
    assert [r[0] for r in rung] == [str(job.pk)]
    again = job_claim(job_id=str(job.pk), worker_id="w:2")
    assert again is not None and again.attempt == 2 and again.retries == 1


def test_a_stale_worker_cannot_schedule_a_retry(make_job: Any, rung: list) -> None:
    job = make_job({"retry": {"constant": {"attempts": 1}}})
    claimed = job_claim(job_id=str(job.pk), worker_id="w:1")
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(worker_id="w:other")  # the reaper gave it to someone else
    assert not job_retry_later(job=claimed, delay_s=0, error=None, last_log=(0, "x"))
    assert not JobLogChunk.objects.filter(job=job).exists()


def test_retries_after_failures_do_not_use_up_the_lost_worker_attempts(make_job: Any, rung: list) -> None:
    job = make_job({"retry": {"constant": {"attempts": 5}}})
    for _ in range(4):  # four failures, each retried at once
        claimed = job_claim(job_id=str(job.pk), worker_id="w:1")
        assert claimed is not None
        assert job_retry_later(job=claimed, delay_s=0, error=None, last_log=(claimed.log_size, ""))
    claimed = job_claim(job_id=str(job.pk), worker_id="w:1")
    assert claimed is not None and claimed.attempt == 5 and claimed.max_attempts == 3
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert reap_expired() == (1, 0)  # its worker died: requeued, not crashed


# --- priorities, publishing ---------------------------------------------------------------


def test_priorities_order_waiting_jobs_and_reach_the_broker(make_job: Any, rung: list) -> None:
    low = make_job({"priority": 10}, path="u/ada/low")
    high = make_job({"priority": 90}, path="u/ada/high")
    Job.objects.filter(pk__in=[low.pk, high.pk]).update(published_at=None)
    rung.clear()
    assert dispatch.dispatch_due() == 2
    assert [(r[0], r[2]) for r in rung] == [(str(high.pk), 90), (str(low.pk), 10)]


def test_kiln_priorities_map_onto_celerys_redis_priority_steps() -> None:
    from kiln.jobs.services import celery_priority

    assert [celery_priority(p) for p in (100, 90, 50, 0, -5, 500)] == [0, 1, 5, 9, 9, 0]


# --- retention ---------------------------------------------------------------------------


def test_retention_deletes_old_finished_jobs_and_their_logs_only(
    make_job: Any, rung: list, settings: Any
) -> None:
    settings.KILN_JOB_RETENTION_DAYS = 7
    old, recent, running = make_job(), make_job(), make_job()
    long_ago = timezone.now() - timedelta(days=8)
    Job.objects.filter(pk=old.pk).update(status=JobStatus.SUCCESS, finished_at=long_ago)
    Job.objects.filter(pk=recent.pk).update(status=JobStatus.SUCCESS, finished_at=timezone.now())
    Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, started_at=long_ago)
    JobLogChunk.objects.create(job=old, offset=0, data="old\n")
    IdempotencyKey.objects.create(workspace=old.workspace, key="k", fingerprint="f", job=old)
    assert purge_expired() == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert not JobLogChunk.objects.exists() and not IdempotencyKey.objects.exists()
    settings.KILN_JOB_RETENTION_DAYS = 0  # keep everything
    Job.objects.filter(pk=recent.pk).update(finished_at=long_ago)
    assert purge_expired() == 0
