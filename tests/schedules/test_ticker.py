"""The tick loop: each tick one job however often it is looked at, catch-up after downtime,
no_overlap, and failure / recovery / success handlers. `now` is passed in, so hours of
scheduler time pass in a test; jobs end as a worker would end them (their row's status)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from kiln.accounts.models import User, Workspace
from kiln.jobs.models import Job, JobStatus, Trigger
from kiln.schedules.models import EventKind, Schedule, ScheduleEvent
from kiln.schedules.ticker import account_ended, tick_due
from tests.conftest import Api

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SCRIPT = "def main(n: int = 1):\n    return n\n"
HANDLER = (
    "def main(schedule: str, error: dict = None, failed_times: int = 0, result: object = None):\n    pass\n"
)


@pytest.fixture
def scripts(api: Api) -> None:
    for path, content in (("u/ada/work", SCRIPT), ("u/ada/alert", HANDLER), ("u/ada/plain", SCRIPT)):
        assert (
            api.post(
                "/api/w/main/scripts", {"path": path, "language": "python3", "content": content}
            ).status_code
            == 201
        )


def make(api: Api, **fields: Any) -> Schedule:
    body = {"path": "u/ada/every_minute", "script_path": "u/ada/work", "cron": "* * * * *", **fields}
    made = api.post("/api/w/main/schedules", body)
    assert made.status_code == 201, made.json()
    schedule = Schedule.objects.get(path=body["path"])
    Schedule.objects.filter(pk=schedule.pk).update(next_fire_at=T0)  # as if created just before T0
    schedule.refresh_from_db()
    return schedule


def ticks(schedule: Schedule) -> list[datetime]:
    return list(
        Job.objects.filter(schedule=schedule, schedule_tick__isnull=False)
        .order_by("schedule_tick")
        .values_list("schedule_tick", flat=True)
    )


def finish(job: Job, status: str, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk).update(status=status, finished_at=datetime.now(UTC), **fields)


def test_a_tick_makes_one_job_however_many_passes_see_it(api: Api, scripts: None) -> None:
    schedule = make(api, args={"n": 3})
    for _ in range(3):  # three schedulers' passes at the same moment
        tick_due(now=T0 + timedelta(seconds=0.5))
    job = Job.objects.get(schedule=schedule)
    assert (job.schedule_tick, job.trigger, job.args, job.status) == (
        T0,
        Trigger.SCHEDULE,
        {"n": 3},
        "queued",
    )
    assert job.created_by.email == "ada@example.com"
    schedule.refresh_from_db()
    assert schedule.next_fire_at == T0 + timedelta(minutes=1)
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says no to a second
        Job.objects.create(**{**_copy(job), "schedule_tick": T0})
    tick_due(now=T0 + timedelta(minutes=1, seconds=0.2))
    assert ticks(schedule) == [T0, T0 + timedelta(minutes=1)]


def _copy(job: Job) -> dict[str, Any]:
    skip = {"id", "schedule_tick"}
    return {f.attname: getattr(job, f.attname) for f in Job._meta.concrete_fields if f.name not in skip}


@pytest.mark.parametrize(
    ("policy", "extra", "ran_missed", "skipped"),
    [
        ("skip", {}, [], 5),
        ("latest", {}, [4], 4),
        ("all", {}, [0, 1, 2, 3, 4], 0),
        ("all", {"catch_up_max": 2}, [3, 4], 3),
    ],
)
def test_after_five_minutes_down_the_catch_up_policy_decides(
    api: Api, scripts: None, policy: str, extra: dict[str, Any], ran_missed: list[int], skipped: int
) -> None:
    schedule = make(api, catch_up=policy, **extra)
    now = T0 + timedelta(minutes=5, seconds=1)  # ticks T0..T0+4m are 61 s old or more: missed
    tick_due(now=now)
    on_time = T0 + timedelta(minutes=5)  # 1 s late: within the grace, it runs under every policy
    assert ticks(schedule) == [T0 + timedelta(minutes=m) for m in ran_missed] + [on_time]
    events = ScheduleEvent.objects.filter(schedule=schedule, kind=EventKind.SKIPPED_MISSED)
    assert sum(e.count for e in events) == skipped
    if skipped:
        (event,) = events
        assert event.tick_at == T0 and event.detail["policy"] == policy
    schedule.refresh_from_db()
    assert schedule.next_fire_at == T0 + timedelta(minutes=6)


def test_a_tick_within_the_grace_runs_late_rather_than_being_missed(api: Api, scripts: None) -> None:
    schedule = make(api)
    tick_due(now=T0 + timedelta(seconds=29))
    assert ticks(schedule) == [T0]


def test_no_overlap_skips_ticks_while_the_last_run_goes_on_and_records_them(api: Api, scripts: None) -> None:
    schedule = make(api, no_overlap=True)
    tick_due(now=T0)
    tick_due(now=T0 + timedelta(minutes=1))  # the first job is still queued: skipped
    (first,) = Job.objects.filter(schedule=schedule)
    Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    tick_due(now=T0 + timedelta(minutes=2))  # still running: skipped
    finish(first, JobStatus.SUCCESS)
    tick_due(now=T0 + timedelta(minutes=3))
    assert ticks(schedule) == [T0, T0 + timedelta(minutes=3)]
    skips = ScheduleEvent.objects.filter(schedule=schedule, kind=EventKind.SKIPPED_OVERLAP).order_by(
        "tick_at"
    )
    assert [e.tick_at for e in skips] == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    assert all(e.detail["job_id"] == str(first.pk) for e in skips)


def test_on_failure_fires_after_n_failures_with_the_error_and_on_recovery_on_the_next_success(
    api: Api, scripts: None
) -> None:
    schedule = make(
        api,
        on_failure={"path": "u/ada/alert", "times": 2, "args": {"schedule": "overridden"}},
        on_recovery={"path": "u/ada/alert"},
        on_success={"path": "u/ada/plain"},
    )
    error = {"name": "RuntimeError", "message": "db down", "traceback": ""}
    outcomes = [JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.FAILURE, JobStatus.SUCCESS]
    for minute, status in enumerate(outcomes):
        tick_due(now=T0 + timedelta(minutes=minute))
        job = Job.objects.get(schedule=schedule, schedule_tick=T0 + timedelta(minutes=minute))
        finish(job, status, error=None if status == JobStatus.SUCCESS else error, result=42)
        account_ended()
    handlers = list(Job.objects.filter(schedule=schedule, schedule_tick__isnull=True).order_by("created_at"))
    assert [h.script_path for h in handlers] == ["u/ada/alert", "u/ada/alert", "u/ada/plain"]
    on_failure, on_recovery, on_success = handlers
    # Once, after the 2nd consecutive failure (not again at the 3rd), with the error; its own args win.
    assert on_failure.args == {"schedule": "overridden", "error": error, "failed_times": 2}
    assert on_recovery.args["failed_times"] == 3 and on_recovery.args["result"] == 42
    assert on_success.args == {}  # its main declares none of what Kiln knows: it gets only its own args
    assert all(h.trigger == Trigger.SCHEDULE for h in handlers)
    schedule.refresh_from_db()
    assert (schedule.failures, schedule.failure_handled) == (0, False)
    assert account_ended() == 0  # each ended run is counted once


def test_a_canceled_run_neither_breaks_nor_extends_a_failure_streak(api: Api, scripts: None) -> None:
    schedule = make(api, on_failure={"path": "u/ada/alert", "times": 2})
    for minute, status in enumerate([JobStatus.FAILURE, JobStatus.CANCELED, JobStatus.FAILURE]):
        tick_due(now=T0 + timedelta(minutes=minute))
        finish(Job.objects.get(schedule=schedule, schedule_tick=T0 + timedelta(minutes=minute)), status)
        account_ended()
    schedule.refresh_from_db()
    assert schedule.failures == 2 and schedule.failure_handled
    assert Job.objects.filter(schedule=schedule, schedule_tick__isnull=True).count() == 1


def test_a_tick_that_cannot_start_is_recorded_with_the_reason(
    api: Api, scripts: None, member: User, workspace: Workspace
) -> None:
    grace = Api(
        Client(), __import__("kiln.accounts.services", fromlist=["token_create"]).token_create(user=member)
    )
    assert (
        grace.post(
            "/api/w/main/scripts", {"path": "u/grace/job", "language": "python3", "content": SCRIPT}
        ).status_code
        == 201
    )
    made = grace.post(
        "/api/w/main/schedules", {"path": "u/grace/sched", "script_path": "u/grace/job", "cron": "* * * * *"}
    )
    assert made.status_code == 201
    schedule = Schedule.objects.get(path="u/grace/sched")
    Schedule.objects.filter(pk=schedule.pk).update(next_fire_at=T0)
    workspace.memberships.filter(user=member).delete()  # grace left the workspace
    tick_due(now=T0)
    assert not Job.objects.filter(schedule=schedule).exists()
    (event,) = ScheduleEvent.objects.filter(schedule=schedule, kind=EventKind.NOT_STARTED)
    assert "no longer a member" in event.detail["reason"] and event.tick_at == T0


def test_a_disabled_schedule_never_fires_and_starts_from_now_when_enabled(api: Api, scripts: None) -> None:
    schedule = make(api)
    api.post("/api/w/main/schedules/enabled/p/u/ada/every_minute", {"enabled": False})
    tick_due(now=T0 + timedelta(hours=1))
    assert ticks(schedule) == []
    api.post("/api/w/main/schedules/enabled/p/u/ada/every_minute", {"enabled": True})
    schedule.refresh_from_db()
    assert schedule.next_fire_at > datetime.now(UTC)  # the hours it was off are not "missed"
    assert not ScheduleEvent.objects.filter(schedule=schedule).exists()


def test_the_runs_endpoint_lists_a_schedules_jobs_with_their_tick(api: Api, scripts: None) -> None:
    schedule = make(api)
    tick_due(now=T0)
    tick_due(now=T0 + timedelta(minutes=1))
    page = api.get("/api/w/main/schedules/runs/p/u/ada/every_minute").json()
    assert [datetime.fromisoformat(j["schedule_tick"]) for j in page["items"]] == [
        T0 + timedelta(minutes=1),
        T0,
    ]
    assert {j["trigger"] for j in page["items"]} == {"schedule"} and page["items"][0][
        "schedule_id"
    ] == schedule.pk
    events = api.get("/api/w/main/schedules/events/p/u/ada/every_minute")
    assert events.status_code == 200 and events.json() == []
