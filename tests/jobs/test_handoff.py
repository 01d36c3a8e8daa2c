"""A flow's next step, handed to the worker that ended the last one (kiln.jobs.tasks.run_job).

The Celery task's own code runs here, in this process, with a real sandbox, database and
Redis; only the broker is not in between (the end-to-end tests have it). The next step is
created already claimed by this worker, in the transaction that ends the last step: no
doorbell, no claim of its own. A chain cut short queues it again for any worker.
"""

from __future__ import annotations

from typing import Any

import pytest

from kiln.accounts.models import User, Workspace
from kiln.flows.runs import flow_job_create
from kiln.flows.services import flow_save
from kiln.jobs import services, tasks
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.workers import main_worker_id

# Real commits: a held doorbell, and the claimed next step, are handed over once the
# transaction that ended the last step commits.
pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

STEP = "def main(n: int = 0):\n    return n + 1\n"


def steps_flow(workspace: Workspace, owner: User, count: int, path: str = "f/chain/steps") -> Any:
    modules = []
    for i in range(count):
        value: dict[str, Any] = {"type": "rawscript", "language": "python3", "content": STEP}
        value["input_transforms"] = {
            "n": {"type": "javascript", "expr": f"results.s{i - 1}"} if i else {"type": "static", "value": 0}
        }
        modules.append({"id": f"s{i}", "value": value})
    return flow_save(workspace=workspace, user=owner, path=path, doc={"value": {"modules": modules}}).version


def calls_to(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The job ids services.<name> is called with from now on (the real function still runs)."""
    calls: list[str] = []
    real = getattr(services, name)

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs["job_id"])
        return real(**kwargs)

    monkeypatch.setattr(services, name, spy)
    return calls


@pytest.fixture
def rung(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The jobs whose doorbell was rung."""
    return calls_to(monkeypatch, "job_publish")


@pytest.fixture
def four_steps(sandbox_available: None, workspace: Workspace, owner: User) -> Job:
    """A queued run of a flow of four steps, each adding one to the last one's result."""
    return flow_job_create(workspace=workspace, user=owner, version=steps_flow(workspace, owner, 4), args={})


def test_each_next_step_is_created_claimed_and_run_by_the_same_worker(
    four_steps: Job, rung: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = four_steps
    claims = calls_to(monkeypatch, "job_claim")
    tasks.run_job(str(flow.id))
    assert claims == [str(flow.id)]  # the steps were claimed when they were created
    flow.refresh_from_db()
    assert flow.status == JobStatus.SUCCESS, flow.error
    assert flow.result == 4
    steps = sorted(Job.objects.filter(parent=flow), key=lambda j: j.flow_step)
    assert [s.status for s in steps] == [JobStatus.SUCCESS] * 4
    assert {(s.worker_id, s.attempt) for s in steps} == {(main_worker_id(), 1)}
    assert [str(s.id) for s in steps if str(s.id) in rung] == []  # no doorbell for any step
    for before, after in zip(steps, steps[1:], strict=False):
        # started_at is when the runner really started it: after the step before it ended
        assert before.finished_at is not None and after.started_at is not None
        assert after.started_at >= before.finished_at
        assert after.finished_at is not None and after.finished_at >= after.started_at


def test_a_chain_cut_short_queues_its_next_step_again_for_any_worker(
    four_steps: Job, rung: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = four_steps
    monkeypatch.setattr(tasks, "MAX_CHAIN", 1)
    tasks.run_job(str(flow.id))  # the flow's start, its first step, then the chain's end
    steps = sorted(Job.objects.filter(parent=flow), key=lambda j: j.flow_step)
    assert [s.status for s in steps] == [JobStatus.SUCCESS, JobStatus.QUEUED]
    waiting = steps[1]
    assert (waiting.worker_id, waiting.attempt, waiting.started_at, waiting.lease_expires_at) == (
        "",
        0,
        None,
        None,
    )
    assert str(waiting.id) in rung  # rung for any worker
    while (next_step := Job.objects.filter(parent=flow, status=JobStatus.QUEUED).first()) is not None:
        tasks.run_job(str(next_step.id))
    flow.refresh_from_db()
    assert (flow.status, flow.result) == (JobStatus.SUCCESS, 4)
    assert sorted(Job.objects.filter(parent=flow).values_list("attempt", flat=True)) == [1, 1, 1, 1]


def test_a_stopping_worker_runs_no_next_step_it_rings_it_for_another(
    four_steps: Job, rung: list[str]
) -> None:
    from kiln.jobs import workers

    flow = four_steps
    workers._STOPPING[0] = 1  # SIGTERM reached the worker's main process
    try:
        tasks.run_job(str(flow.id))  # the flow's start; its first step, claimed for this worker, is not run
    finally:
        workers._STOPPING[0] = 0
    [waiting] = Job.objects.filter(parent=flow)
    assert (waiting.status, waiting.worker_id, waiting.attempt) == (JobStatus.QUEUED, "", 0)
    assert str(waiting.id) in rung


def test_a_step_of_a_tag_this_worker_does_not_serve_is_rung_not_claimed(
    sandbox_available: None,
    workspace: Workspace,
    owner: User,
    rung: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KILN_WORKER_QUEUES", "flow,python3")
    doc = {
        "value": {
            "modules": [
                {"id": "a", "value": {"type": "rawscript", "language": "python3", "content": STEP}},
                {
                    "id": "b",
                    "value": {"type": "rawscript", "language": "python3", "content": STEP, "tag": "gpu"},
                },
            ]
        }
    }
    version = flow_save(workspace=workspace, user=owner, path="f/chain/tagged", doc=doc).version
    flow = flow_job_create(workspace=workspace, user=owner, version=version, args={})
    tasks.run_job(str(flow.id))
    other = Job.objects.get(parent=flow, flow_step="b")
    assert (other.status, other.worker_id, other.attempt) == (JobStatus.QUEUED, "", 0)
    assert str(other.id) in rung


def test_a_stale_workers_end_claims_nothing(workspace: Workspace, owner: User) -> None:
    """A step's end refused (the job is no longer this worker's): no job is created claimed."""
    flow = flow_job_create(workspace=workspace, user=owner, version=steps_flow(workspace, owner, 2), args={})
    with services.publishes_held(worker_id="w-1", served={"python3", "flow"}) as held:
        assert services.claimed_at_creation(queue="python3")["worker_id"] == "w-1"
        assert services.claimed_at_creation(queue="python3") == {}  # one per transaction
    assert held.claimed is None
    with services.publishes_held(worker_id="w-1", served={"flow"}):
        assert services.claimed_at_creation(queue="python3") == {}  # not a tag it serves
    assert services.claimed_at_creation(queue="python3") == {}  # not inside a runner's end
    assert flow.status == JobStatus.QUEUED
