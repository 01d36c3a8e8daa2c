"""/metrics: who may read it, and what it says, from the real database and Redis."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from kiln.accounts.models import User, Workspace
from kiln.accounts.services import token_create
from kiln.asgi import application
from kiln.jobs.models import Job, JobStatus, Worker
from kiln.jobs.runner import JobRunner
from kiln.jobs.services import job_create, publishes_sent
from kiln.operations import counters
from kiln.scripts.services import script_save


def scrape(client: Client, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def save(workspace: Workspace, owner: User, content: str = "def main(n: int = 1):\n    return n\n") -> Any:
    return script_save(
        workspace=workspace, user=owner, path="u/ada/count", language="python3", content=content
    ).version


def every_minute(api: Any) -> None:
    """A schedule (u/ada/tick) that runs u/ada/work every minute."""
    work = {"path": "u/ada/work", "language": "python3", "content": "def main():\n    pass\n"}
    assert api.post("/api/w/main/scripts", work).status_code == 201
    tick = {"path": "u/ada/tick", "script_path": "u/ada/work", "cron": "* * * * *"}
    assert api.post("/api/w/main/schedules", tick).status_code == 201


# --- who may read it ---------------------------------------------------------------------


def test_without_a_token_only_a_direct_local_request_reads_it(client: Client, db: None) -> None:
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    through_proxy = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert through_proxy.status_code == 403
    assert "KILN_METRICS_TOKEN" in through_proxy.json()["message"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403


def test_with_a_token_set_it_must_be_sent(client: Client, db: None, settings: Any) -> None:
    settings.KILN_METRICS_TOKEN = "s3cret-scrape"
    assert client.get("/metrics").status_code == 401  # even from loopback
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape", REMOTE_ADDR="10.1.2.3")
    assert ok.status_code == 200
    assert client.post("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape").status_code == 405


# --- what it says --------------------------------------------------------------------------


def test_it_counts_waiting_and_running_jobs_by_tag(client: Client, workspace: Workspace, owner: User) -> None:
    version = save(workspace, owner)
    jobs = [job_create(workspace=workspace, user=owner, version=version, args={}) for _ in range(3)]
    Job.objects.filter(pk=jobs[0].pk).update(created_at=timezone.now() - timedelta(seconds=90))
    Job.objects.filter(pk=jobs[1].pk).update(status=JobStatus.RUNNING, worker_id="box:11")
    later = job_create(workspace=workspace, user=owner, version=version, args={})
    Job.objects.filter(pk=later.pk).update(scheduled_for=timezone.now() + timedelta(hours=1))  # a back-off
    samples = scrape(client)
    assert value(samples, "kiln_jobs", state="queued", tag="python3") == 3
    assert value(samples, "kiln_jobs", state="running", tag="python3") == 1
    assert value(samples, "kiln_jobs", state="queued", tag="bash") == 0  # every configured tag is there
    assert value(samples, "kiln_queue_depth", tag="python3") == 2  # due ones only
    oldest = value(samples, "kiln_queue_oldest_age_seconds", tag="python3")
    assert oldest is not None and 89 <= oldest < 150
    assert value(samples, "kiln_scrape_ok", part="database") == 1
    assert value(samples, "kiln_scrape_ok", part="redis") == 1


def test_it_shows_live_workers_and_their_busy_slots(
    client: Client, workspace: Workspace, owner: User
) -> None:
    Worker.objects.create(
        id="box:10",
        hostname="box",
        tags=["python3", "bash"],
        concurrency=4,
        version="1.2",
        processes=["box:10", "box:11", "box:12"],
    )
    Worker.objects.create(
        id="old:5",
        hostname="old",
        tags=["go"],
        concurrency=1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    version = save(workspace, owner)
    for worker_id in ("box:11", "box:12", "elsewhere:3"):
        job = job_create(workspace=workspace, user=owner, version=version, args={})
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker_id=worker_id)
    samples = scrape(client)
    assert value(samples, "kiln_workers_live") == 1
    assert value(samples, "kiln_worker_slots", worker="box:10", hostname="box") == 4
    assert value(samples, "kiln_worker_busy_slots", worker="box:10", hostname="box") == 2
    assert (
        value(
            samples,
            "kiln_worker_info",
            worker="box:10",
            hostname="box",
            version="1.2",
            tags="python3,bash",
            state="serving",
        )
        == 1
    )
    assert value(samples, "kiln_worker_slots", worker="old:5", hostname="old") is None  # gone
    assert value(samples, "kiln_tag_live_workers", tag="python3") == 1
    assert value(samples, "kiln_tag_live_workers", tag="go") == 0
    age = value(samples, "kiln_worker_heartbeat_age_seconds", worker="box:10", hostname="box")
    assert age is not None and 0 <= age < 30


def test_a_late_schedule_shows_as_overdue(api: Any, client: Client) -> None:
    from kiln.schedules.models import Schedule

    every_minute(api)
    assert value(scrape(client), "kiln_scheduler_overdue_seconds") == 0
    Schedule.objects.update(next_fire_at=timezone.now() - timedelta(seconds=42))
    overdue = value(scrape(client), "kiln_scheduler_overdue_seconds")
    assert overdue is not None and 42 <= overdue < 100


@pytest.mark.django_db(transaction=True)
def test_a_job_that_ran_is_counted_with_its_duration_and_log(
    client: Client, workspace: Workspace, owner: User, sandbox_available: None
) -> None:
    version = save(workspace, owner, "def main():\n    print('x' * 99)\n    return 1\n")
    for _ in range(2):
        job = job_create(workspace=workspace, user=owner, version=version, args={})
        JobRunner(str(job.pk)).run()
    failing = save(workspace, owner, "def main():\n    raise ValueError('no')\n")
    JobRunner(str(job_create(workspace=workspace, user=owner, version=failing, args={}).pk)).run()
    counters.flush()  # what the process summed (else sent within FLUSH_S)
    assert publishes_sent(timeout=30)
    samples = scrape(client)
    assert value(samples, "kiln_jobs_finished_total", tag="python3", language="python3", state="success") == 2
    assert value(samples, "kiln_jobs_finished_total", tag="python3", language="python3", state="failure") == 1
    assert value(samples, "kiln_job_duration_seconds_count", language="python3") == 3
    assert value(samples, "kiln_job_duration_seconds_bucket", language="python3", le="+Inf") == 3
    total = value(samples, "kiln_job_duration_seconds_sum", language="python3")
    assert total is not None and 0 < total < 120
    logged = value(samples, "kiln_log_bytes_total", language="python3")
    assert logged is not None and logged >= 2 * 100
    # The buckets are cumulative: never fewer jobs under a larger bound.
    buckets = [
        value(samples, "kiln_job_duration_seconds_bucket", language="python3", le=repr(float(b)))
        for b in counters.DURATION_BUCKETS
    ]
    assert all(a is not None and b is not None and a <= b for a, b in zip(buckets, buckets[1:], strict=False))


@pytest.mark.django_db(transaction=True)
def test_a_schedules_tick_lag_is_a_histogram(api: Any, client: Client) -> None:
    from kiln.schedules.models import Schedule
    from kiln.schedules.ticker import tick_due

    every_minute(api)
    # Half a minute past a minute's start, and the pass one second later: no minute boundary
    # falls between them, so exactly this tick is due whatever the clock says now.
    tick = timezone.now().replace(second=30, microsecond=0) - timedelta(minutes=1)
    Schedule.objects.update(next_fire_at=tick)
    assert tick_due(now=tick + timedelta(seconds=1)) == 1
    counters.flush()
    assert publishes_sent(timeout=30)
    samples = scrape(client)
    assert value(samples, "kiln_schedule_tick_lag_seconds_count") == 1
    assert value(samples, "kiln_schedule_tick_lag_seconds_bucket", le="0.5") == 0  # a second late at least
    assert value(samples, "kiln_schedule_tick_lag_seconds_bucket", le="+Inf") == 1


@pytest.mark.django_db
def test_increments_are_summed_in_the_process_and_sent_within_a_second(client: Client) -> None:
    """A busy worker sends one pipeline a second, not one a job; nothing waits for a flush."""
    for seconds in (0.001, 0.002, 7.0):
        counters.job_ended(tag="batch", language="bash", state="success", seconds=seconds, log_bytes=10)
    assert (
        value(scrape(client), "kiln_jobs_finished_total", tag="batch", language="bash", state="success")
        is None
    )
    deadline = time.monotonic() + 10 * counters.FLUSH_S
    while (samples := scrape(client)) and value(
        samples, "kiln_jobs_finished_total", tag="batch", language="bash", state="success"
    ) is None:
        assert time.monotonic() < deadline, "the timer did not send the sums"
        time.sleep(0.05)
    assert value(samples, "kiln_jobs_finished_total", tag="batch", language="bash", state="success") == 3
    assert value(samples, "kiln_log_bytes_total", language="bash") == 30
    assert value(samples, "kiln_job_duration_seconds_bucket", language="bash", le="0.005") == 2
    assert value(samples, "kiln_job_duration_seconds_bucket", language="bash", le="5.0") == 2
    assert value(samples, "kiln_job_duration_seconds_count", language="bash") == 3
    assert value(samples, "kiln_job_duration_seconds_sum", language="bash") == pytest.approx(7.003)


@pytest.mark.django_db(transaction=True)
def test_open_websockets_are_counted(client: Client, workspace: Workspace, owner: User) -> None:
    job = job_create(workspace=workspace, user=owner, version=save(workspace, owner), args={})
    token = token_create(user=owner)

    def open_now() -> float | None:
        assert publishes_sent(timeout=30)
        return value(scrape(client), "kiln_websocket_connections")

    # Other tests' sockets this process still counts (a WebsocketCommunicator never
    # disconnected stays open for the consumer): the counts below are on top of them.
    counters.websocket_opened(0)
    before = open_now() or 0

    async def scenario() -> list[float | None]:
        seen = []
        sockets = []
        for _ in range(2):
            comm = WebsocketCommunicator(application, f"/ws/w/main/jobs/{job.pk}/logs?token={token}")
            connected, _ = await comm.connect()
            assert connected
            sockets.append(comm)
        seen.append(await sync_to_async(open_now)())
        for comm in sockets:
            await comm.disconnect()
            seen.append(await sync_to_async(open_now)())
        return seen

    assert async_to_sync(scenario)() == [before + 2, before + 1, before]


def test_with_redis_down_the_database_part_still_answers(
    client: Client, workspace: Workspace, owner: User, settings: Any
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    settings.REDIS_URL = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    probe.close()
    job_create(workspace=workspace, user=owner, version=save(workspace, owner), args={})
    samples = scrape(client)
    assert value(samples, "kiln_scrape_ok", part="redis") == 0
    assert value(samples, "kiln_scrape_ok", part="database") == 1
    assert value(samples, "kiln_jobs", state="queued", tag="python3") == 1


def test_the_example_grafana_dashboard_uses_only_metrics_kiln_has(client: Client, db: None) -> None:
    import json
    import re
    from pathlib import Path

    dashboard = json.loads(
        (Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json").read_text()
    )
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bkiln_[a-z_]+", target["expr"])
    }
    response = client.get("/metrics")
    families = {family.name for family in text_string_to_metric_families(response.content.decode())}
    served = families | {f"{n}_total" for n in families} | {f"{n}_bucket" for n in families}
    assert used and used <= served, used - served
