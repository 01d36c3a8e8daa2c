"""The database link, or the Redis link, fails under a running platform: PostgreSQL (the
machine's, CI has one) or a Valkey of the test's own, reached through tests/faultproxy.py, so
the link can go down, silent, or slow, and come back.

The promise (tests/e2e/checker.py): a 2xx means the job is stored and it ends exactly once;
while the database is away the API answers 503 (never a 2xx for a job it did not store);
the platform resumes by itself when the database returns.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.conftest import POSTGRES, machine_postgres
from tests.e2e.checker import check_jobs
from tests.e2e.harness import Kiln, OwnValkey
from tests.faultproxy import FaultProxy

pytestmark = pytest.mark.e2e

NAP = """import time

def main(ms: int):
    print('start', flush=True)
    time.sleep(ms / 1000)
    return ms
"""
ENDED = {"success", "failure", "canceled", "timeout", "crashed"}


@pytest.fixture
def proxied_kiln(tmp_path: Path) -> Iterator[tuple[Kiln, FaultProxy]]:
    """A platform on a database of its own, on the machine's PostgreSQL, through a fault proxy."""
    admin = machine_postgres()
    name = f"kiln_faults_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    server = urlparse(POSTGRES)
    proxy = FaultProxy(server.hostname or "127.0.0.1", server.port or 5432).start()
    url = urlunparse(
        server._replace(netloc=f"{server.username or 'postgres'}@127.0.0.1:{proxy.port}", path=f"/{name}")
    )
    kiln = Kiln(tmp_path / "kiln", url)
    # Quick recovery: a job rung while Redis had no worker for it, or whose claim failed, is
    # rung again 2 s later (the sweeper), and the scheduler passes every second.
    kiln.env.update(KILN_SWEEP_AFTER="2", KILN_SCHEDULER_INTERVAL="1")
    try:
        yield kiln, proxy
    finally:
        proxy.heal()
        if kiln.process is not None and kiln.process.poll() is None:
            kiln.stop()
        proxy.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(kiln: Kiln, ms: int) -> tuple[int, dict]:
    status, body, _ = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/nap", {"ms": ms})
    return status, body


def test_postgresql_down_answers_503_and_the_platform_resumes_by_itself(
    proxied_kiln: tuple[Kiln, FaultProxy],
) -> None:
    kiln, proxy = proxied_kiln
    kiln.start()
    kiln.save_script("u/admin/nap", NAP)
    accepted = []
    for _ in range(3):
        status, body = run(kiln, 100)
        assert status == 201, body
        accepted.append(body["id"])

    proxy.down()  # the server is gone: open connections reset, new ones refused
    for _ in range(5):
        started = time.monotonic()
        status, body = run(kiln, 100)
        assert status == 503, (status, body)  # never a 2xx for a job that was not stored
        assert body["message"] == "the database is unavailable; try again shortly"
        assert time.monotonic() - started < 15
    status, ready, _ = kiln.request("GET", "/readyz")
    assert status == 503 and ready["checks"]["database"]["ok"] is False, ready
    time.sleep(3)  # workers, scheduler and web all meet the outage

    proxy.heal()
    deadline = time.monotonic() + 60
    while kiln.request("GET", "/readyz")[0] != 200:  # workers beat again, by themselves
        assert time.monotonic() < deadline, kiln.request("GET", "/readyz")
        time.sleep(0.5)
    for _ in range(3):
        status, body = run(kiln, 100)
        assert status == 201, body
        accepted.append(body["id"])
    for job_id in accepted:
        kiln.wait_job(job_id, ENDED, timeout=90)
    check_jobs(kiln, accepted, expect={"success"})
    assert "restarting it" not in kiln.output()  # no process died of it


def test_200_ms_on_the_database_link_slows_the_platform_and_loses_nothing(
    proxied_kiln: tuple[Kiln, FaultProxy],
) -> None:
    kiln, proxy = proxied_kiln
    kiln.start()
    kiln.save_script("u/admin/nap", NAP)
    proxy.latency_s = 0.1  # each way: every query's round trip takes 200 ms more
    accepted = []
    for ms in (0, 50, 100, 150, 200, 250):
        status, body = run(kiln, ms)
        assert status == 201, body
        accepted.append(body["id"])
    status, result, headers = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/nap", {"ms": 10}
    )
    assert (status, result) == (200, 10)
    accepted.append(headers["x-kiln-job-id"])
    for job_id in accepted:
        kiln.wait_job(job_id, ENDED, timeout=180)
    jobs = check_jobs(kiln, accepted, expect={"success"})
    assert [job["attempt"] for job in jobs.values()] == [1] * len(accepted)  # none run twice


@pytest.fixture
def redis_proxy(own_valkey: OwnValkey) -> Iterator[FaultProxy]:
    """A fault proxy in front of the test's own Valkey; give `redis://127.0.0.1:<port>/0` to a
    platform. Requested before `new_kiln`, so the platform stops first."""
    proxy = FaultProxy("127.0.0.1", own_valkey.port).start()
    yield proxy
    proxy.heal()
    proxy.stop()


def test_a_silent_redis_link_stores_every_job_and_runs_them_once_it_answers(
    redis_proxy: FaultProxy, new_kiln: Kiln
) -> None:
    """Redis stops answering without closing its connections (a partition, a failover): run
    requests still answer 201 within seconds, the job stored (its doorbell given up after the
    broker's socket timeout); /readyz says Redis is not ready. When the link comes back (the
    stalled connections dropped, as TCP keepalive or the partition's end would) the workers
    reconnect by themselves and every accepted job runs, once."""
    kiln = new_kiln
    kiln.env.update(
        REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0", KILN_SWEEP_AFTER="2", KILN_SCHEDULER_INTERVAL="1"
    )
    kiln.start()
    kiln.save_script("u/admin/nap", NAP)
    accepted = []
    status, body = run(kiln, 50)
    assert status == 201, body
    accepted.append(body["id"])
    kiln.wait_job(body["id"], ENDED, timeout=60)

    redis_proxy.blackhole()
    for _ in range(3):
        started = time.monotonic()
        status, body = run(kiln, 50)
        assert status == 201, (status, body)  # stored: the doorbell is the sweeper's now
        assert time.monotonic() - started < 20
        accepted.append(body["id"])
    status, ready, _ = kiln.request("GET", "/readyz")
    assert status == 503 and ready["checks"]["redis"]["ok"] is False, ready
    assert kiln.job(accepted[-1])["status"] == "queued"
    time.sleep(3)

    redis_proxy.heal()
    redis_proxy.reset()  # the connections that stalled are dropped; new ones work
    for job_id in accepted:
        job = kiln.wait_job(job_id, ENDED, timeout=120)
        assert job["status"] == "success", (job, kiln.output()[-3000:])
    status, body = run(kiln, 10)
    assert status == 201, body
    accepted.append(body["id"])
    kiln.wait_job(body["id"], ENDED, timeout=60)
    check_jobs(kiln, accepted, expect={"success"})
    assert "restarting it" not in kiln.output()  # no process died of it


def test_200_ms_on_the_redis_link_slows_the_platform_and_loses_nothing(
    redis_proxy: FaultProxy, new_kiln: Kiln
) -> None:
    kiln = new_kiln
    kiln.env.update(REDIS_URL=f"redis://127.0.0.1:{redis_proxy.port}/0")
    kiln.start()
    kiln.save_script("u/admin/nap", NAP)
    redis_proxy.latency_s = 0.1  # each way
    accepted = []
    for ms in (0, 50, 100):
        status, body = run(kiln, ms)
        assert status == 201, body
        accepted.append(body["id"])
    status, result, headers = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/nap", {"ms": 10}
    )
    assert (status, result) == (200, 10)
    accepted.append(headers["x-kiln-job-id"])
    for job_id in accepted:
        kiln.wait_job(job_id, ENDED, timeout=120)
    jobs = check_jobs(kiln, accepted, expect={"success"})
    assert [job["attempt"] for job in jobs.values()] == [1] * len(accepted)
