"""A backlog: doorbells counted per queue, drained by the workers that answer them
(kiln.jobs.backlog, kiln.jobs.tasks.run_job). Real Redis (the session's Valkey) and database;
the drain runs the Celery task's own code in this process, with a real sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiln.accounts.models import User, Workspace
from kiln.jobs import backlog, doorbell, services, tasks
from kiln.jobs.models import Job, JobStatus, Worker
from kiln.jobs.services import job_create
from kiln.jobs.workers import main_worker_id
from kiln.scripts.models import ScriptVersion
from kiln.scripts.services import script_save

CODE = "def main(n: int):\n    return n + 1\n"
QUEUE = "backlog-test"


@pytest.fixture(autouse=True)
def _no_bells() -> Iterator[None]:
    backlog.bells_forget(QUEUE)
    backlog._SLOTS.clear()
    yield
    backlog.bells_forget(QUEUE)
    backlog._SLOTS.clear()


def save(workspace: Workspace, owner: User, path: str = "u/ada/inc", **settings: Any) -> ScriptVersion:
    return script_save(
        workspace=workspace,
        user=owner,
        path=path,
        language="python3",
        content=CODE,
        settings={"tag": QUEUE, **settings},
    ).version


def queued(workspace: Workspace, owner: User, version: ScriptVersion, n: int, **fields: Any) -> Job:
    job = job_create(workspace=workspace, user=owner, version=version, args={"n": n})
    if fields:
        Job.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


@pytest.fixture
def serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process is a worker of the test's queue (kiln worker -Q)."""
    monkeypatch.setenv("KILN_WORKER_QUEUES", QUEUE)


@pytest.fixture
def rung(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The Celery messages sent to the broker from now on (each is still sent)."""
    sent: list[dict[str, Any]] = []
    real = doorbell.ring

    def spy(job_id: str, *, queue: str, priority: int, bell: str | None = None) -> None:
        sent.append({"args": [job_id], "kwargs": {"bell": bell} if bell else {}, "queue": queue})
        real(job_id, queue=queue, priority=priority, bell=bell)

    monkeypatch.setattr(doorbell, "ring", spy)
    return sent


# -- claim_next ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_next_job_is_the_highest_priority_then_the_oldest(workspace: Workspace, owner: User) -> None:
    version = save(workspace, owner)
    old, new, urgent = (queued(workspace, owner, version, n) for n in range(3))
    Job.objects.filter(pk=urgent.pk).update(priority=50)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    order = [backlog.claim_next(worker_id="w1", queue=QUEUE) for _ in range(4)]
    assert [j.pk if j else None for j in order] == [urgent.pk, old.pk, new.pk, None]


@pytest.mark.django_db
def test_a_claimed_next_job_is_running_for_this_worker_with_a_lease_and_its_version(
    workspace: Workspace, owner: User
) -> None:
    version = save(workspace, owner)
    job = queued(workspace, owner, version, 1)
    before = timezone.now()
    claimed = backlog.claim_next(worker_id="w1", queue=QUEUE)
    assert claimed is not None and claimed.pk == job.pk
    assert claimed.script_version is not None and claimed.script_version.content == CODE
    assert claimed.script_version.script.path == "u/ada/inc"
    stored = Job.objects.get(pk=job.pk)
    assert (stored.status, stored.worker_id, stored.attempt) == (JobStatus.RUNNING, "w1", 1)
    assert stored.started_at is not None and stored.started_at >= before
    assert stored.lease_expires_at is not None and stored.lease_expires_at > stored.started_at
    for f in Job._meta.concrete_fields:
        assert getattr(claimed, f.attname) == getattr(stored, f.attname), f.name


@pytest.mark.django_db
def test_jobs_that_wait_or_belong_elsewhere_are_never_taken(workspace: Workspace, owner: User) -> None:
    version = save(workspace, owner)
    other = save(workspace, owner, path="u/ada/other_tag", tag="elsewhere")
    queued(workspace, owner, other, 1)  # another queue
    queued(workspace, owner, version, 2, concurrency_key="k", concurrency_limit=1)  # waits for a slot
    queued(workspace, owner, version, 3, published_at=None)  # not rung yet (a back-off, a slot)
    queued(workspace, owner, version, 4, scheduled_for=timezone.now() + timedelta(minutes=5))  # not due
    queued(workspace, owner, version, 5, status=JobStatus.CANCELED)
    running = queued(workspace, owner, version, 6, status=JobStatus.RUNNING, worker_id="w0", attempt=1)
    assert backlog.claim_next(worker_id="w1", queue=QUEUE) is None
    assert Job.objects.get(pk=running.pk).worker_id == "w0"
    due = queued(workspace, owner, version, 7, scheduled_for=timezone.now() - timedelta(seconds=1))
    claimed = backlog.claim_next(worker_id="w1", queue=QUEUE)
    assert claimed is not None and claimed.pk == due.pk


@pytest.mark.django_db
def test_a_claim_is_one_statement_and_two_claims_never_take_one_job(
    workspace: Workspace, owner: User
) -> None:
    version = save(workspace, owner)
    first, second = queued(workspace, owner, version, 1), queued(workspace, owner, version, 2)
    with CaptureQueriesContext(connection) as queries:
        a = backlog.claim_next(worker_id="w1", queue=QUEUE)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 1
    b = backlog.claim_next(worker_id="w2", queue=QUEUE)
    assert a is not None and b is not None and {a.pk, b.pk} == {first.pk, second.pk}
    assert {(j.worker_id, j.status) for j in Job.objects.filter(pk__in=[a.pk, b.pk])} == {
        ("w1", JobStatus.RUNNING),
        ("w2", JobStatus.RUNNING),
    }


# -- counted doorbells -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_bells_past_the_cap_are_not_rung_until_one_is_answered(settings: Any) -> None:
    settings.KILN_BELLS_PER_QUEUE = 3
    assert [backlog.bell_counted(QUEUE) for _ in range(5)] == [True, True, True, False, False]
    backlog.bell_answered(QUEUE)
    assert [backlog.bell_counted(QUEUE) for _ in range(2)] == [True, False]
    assert backlog.bell_counted("another-queue-of-backlog-test")  # each queue is counted alone
    backlog.bells_forget("another-queue-of-backlog-test")


@pytest.mark.django_db
def test_the_cap_is_at_least_the_pool_processes_serving_the_queue(settings: Any) -> None:
    """A burst of long jobs: every idle process of the queue's workers still gets a bell."""
    settings.KILN_BELLS_PER_QUEUE = 2
    now = timezone.now()
    Worker.objects.create(id="h:1", hostname="h", tags=[QUEUE, "python3"], concurrency=3, heartbeat_at=now)
    Worker.objects.create(id="h:2", hostname="h", tags=[QUEUE], concurrency=2, heartbeat_at=now)
    Worker.objects.create(id="h:3", hostname="h", tags=["python3"], concurrency=50, heartbeat_at=now)
    stopping = {"heartbeat_at": now, "stopping_at": now}
    Worker.objects.create(id="h:4", hostname="h", tags=[QUEUE], concurrency=50, **stopping)
    gone = now - timedelta(hours=1)
    Worker.objects.create(id="h:5", hostname="h", tags=[QUEUE], concurrency=50, heartbeat_at=gone)
    assert backlog.bell_cap(QUEUE) == 5
    assert [backlog.bell_counted(QUEUE) for _ in range(6)] == [True] * 5 + [False]
    assert backlog.bell_cap("a-queue-nobody-serves") == 2


@pytest.mark.django_db
def test_a_count_expires_so_a_lost_bell_skips_others_only_for_a_while(settings: Any) -> None:
    settings.KILN_BELLS_PER_QUEUE = 1
    assert backlog.bell_counted(QUEUE)
    client = backlog._scripts(settings.REDIS_URL)[0].registered_client
    assert 0 < client.ttl(f"kiln:bells:{QUEUE}") <= backlog.COUNT_TTL_S
    client.delete(f"kiln:bells:{QUEUE}")  # what its expiry does
    assert backlog.bell_counted(QUEUE)


@pytest.mark.django_db
def test_answering_more_bells_than_were_counted_leaves_the_count_at_zero(settings: Any) -> None:
    settings.KILN_BELLS_PER_QUEUE = 1
    backlog.bell_answered(QUEUE)  # a bell counted before its key expired
    backlog.bell_answered(QUEUE)
    assert [backlog.bell_counted(QUEUE) for _ in range(2)] == [True, False]


@pytest.mark.django_db
def test_with_redis_unreachable_every_bell_rings(settings: Any) -> None:
    settings.KILN_BELLS_PER_QUEUE = 1
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert all(backlog.bell_counted(QUEUE) for _ in range(3))
    backlog.bell_answered(QUEUE)  # logged, not raised


@pytest.mark.django_db
def test_a_cap_of_zero_rings_every_bell(settings: Any) -> None:
    settings.KILN_BELLS_PER_QUEUE = 0
    assert all(backlog.bell_counted(QUEUE) for _ in range(50))


# -- a burst, end to end in this process -----------------------------------------------------------


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_a_burst_rings_only_the_cap_and_the_workers_answering_drain_every_job(
    sandbox_available: None,
    serving: None,
    workspace: Workspace,
    owner: User,
    rung: list[dict[str, Any]],
    settings: Any,
) -> None:
    settings.KILN_BELLS_PER_QUEUE = 2
    version = save(workspace, owner)
    jobs = [queued(workspace, owner, version, n) for n in range(6)]
    assert [m["args"][0] for m in rung] == [str(jobs[0].pk), str(jobs[1].pk)]
    assert all(m["kwargs"] == {"bell": QUEUE} and m["queue"] == QUEUE for m in rung)
    tasks.run_job(str(jobs[0].pk), bell=QUEUE)  # the first worker to answer drains the queue
    done = {j.pk: j for j in Job.objects.filter(pk__in=[j.pk for j in jobs])}
    outcomes = [(done[j.pk].status, done[j.pk].result) for j in jobs]
    assert outcomes == [(JobStatus.SUCCESS, n + 1) for n in range(6)]
    assert {done[j.pk].worker_id for j in jobs} == {main_worker_id()}
    assert all(done[j.pk].attempt == 1 for j in jobs)
    tasks.run_job(str(jobs[1].pk), bell=QUEUE)  # the second bell finds nothing left: a no-op
    assert Job.objects.filter(pk__in=[j.pk for j in jobs], status=JobStatus.SUCCESS).count() == 6
    assert backlog.bell_counted(QUEUE) and backlog.bell_counted(QUEUE)  # both answered: the count is 0
    assert len(rung) == 2  # drained: nothing rung again


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_a_drain_cut_short_rings_its_queue_again(
    sandbox_available: None,
    serving: None,
    workspace: Workspace,
    owner: User,
    rung: list[dict[str, Any]],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.KILN_BELLS_PER_QUEUE = 1
    monkeypatch.setattr(tasks, "MAX_CHAIN", 2)
    version = save(workspace, owner)
    jobs = [queued(workspace, owner, version, n) for n in range(5)]
    assert len(rung) == 1
    tasks.run_job(str(jobs[0].pk), bell=QUEUE)
    statuses = [Job.objects.get(pk=j.pk).status for j in jobs]
    assert statuses == [JobStatus.SUCCESS] * 3 + [JobStatus.QUEUED] * 2
    assert rung[1] == {"args": [""], "kwargs": {"bell": QUEUE}, "queue": QUEUE}  # the queue's bell
    tasks.run_job("", bell=QUEUE)  # whoever answers it drains the rest
    assert [Job.objects.get(pk=j.pk).status for j in jobs] == [JobStatus.SUCCESS] * 5


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_a_task_without_a_bell_runs_its_job_and_drains_nothing(
    sandbox_available: None, serving: None, workspace: Workspace, owner: User
) -> None:
    """The sweeper's and a flow's messages name one job each: they run it, nothing more."""
    version = save(workspace, owner)
    first, second = queued(workspace, owner, version, 1), queued(workspace, owner, version, 2)
    tasks.run_job(str(first.pk))
    assert Job.objects.get(pk=first.pk).status == JobStatus.SUCCESS
    assert Job.objects.get(pk=second.pk).status == JobStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_publish_that_fails_gives_its_count_back(
    workspace: Workspace, owner: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.KILN_BELLS_PER_QUEUE = 1

    def down(*args: Any, **kwargs: Any) -> Any:
        raise redis.ConnectionError("broker down")

    monkeypatch.setattr(doorbell, "ring", down)
    assert services.job_publish(job_id="x", queue=QUEUE, counted=True) is False
    assert backlog.bell_counted(QUEUE)  # the failed bell was not left counted


@pytest.mark.django_db(transaction=True)
def test_workers_draining_one_queue_at_once_take_each_job_exactly_once(
    workspace: Workspace, owner: User
) -> None:
    """Four claimers in threads, each with its own connection: SQLite's one writer, or
    PostgreSQL's row locks skipped."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    version = save(workspace, owner)
    ids = {queued(workspace, owner, version, n).pk for n in range(40)}

    def drain(worker: str) -> list[Any]:
        taken = []
        try:
            while (job := backlog.claim_next(worker_id=worker, queue=QUEUE)) is not None:
                taken.append(job.pk)
        finally:
            connections.close_all()
        return taken

    with ThreadPoolExecutor(4) as pool:
        taken = list(pool.map(drain, [f"w{i}" for i in range(4)]))
    every = [pk for worker in taken for pk in worker]
    assert sorted(every) == sorted(ids)  # each once: none twice, none missed
    for worker, pks in enumerate(taken):
        assert set(Job.objects.filter(pk__in=pks).values_list("worker_id", flat=True)) <= {f"w{worker}"}
