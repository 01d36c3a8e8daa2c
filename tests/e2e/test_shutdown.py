"""SIGTERM to a worker: it takes no new job, lets its running jobs finish within its grace
period, then hands the rest back to the queue; every job still ends exactly once. SIGTERM to
the web process and to the scheduler loses nothing either.

`kiln up` restarts the worker that stopped, as docker or systemd would; the new one takes
what was left. The referee is tests/e2e/checker.py, as for the chaos tests.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.error
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.checker import check_jobs
from tests.e2e.harness import Kiln, processes_marked
from tests.e2e.test_chaos import worker_pid

pytestmark = pytest.mark.e2e

NAP = """import time

def main(ms: int):
    print('start', flush=True)
    time.sleep(ms / 1000)
    return ms
"""
LONG_MS = 6000  # longer than the grace period: handed back


def test_sigterm_during_a_busy_run_of_50_jobs_ends_each_exactly_once(new_kiln: Kiln) -> None:
    new_kiln.env.update(KILN_WORKER_GRACE_SECONDS="2")
    new_kiln.start()
    new_kiln.save_script("u/admin/nap", NAP)
    ids: list[str] = []
    for i in range(50):
        ms = LONG_MS if i == 6 else 150  # one long job, the rest short
        status, body, _ = new_kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/nap", {"ms": ms})
        assert status == 201, body
        ids.append(body["id"])
    long_id = ids[6]
    deadline = time.monotonic() + 120
    while "start" not in (job := new_kiln.job(long_id))["logs"]:  # the long one runs now
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    old_worker = worker_pid(new_kiln)
    signalled = time.monotonic()
    os.kill(old_worker, signal.SIGTERM)  # the main process alone, as docker stop does

    # The long job goes back to the queue once the grace period is over, not when its lease
    # (60 s) would expire; the worker exits and `kiln up` starts another, which runs it again.
    job = new_kiln.wait_job(long_id, {"queued"}, timeout=30)
    assert job["status"] == "queued" or job["attempt"] == 2, job  # back in the queue, or run again
    assert time.monotonic() - signalled < 20
    for job_id in ids:
        new_kiln.wait_job(job_id, {"success", "failure", "canceled", "timeout", "crashed"}, timeout=180)
    jobs = check_jobs(new_kiln, ids, expect={"success"})
    long = jobs[long_id]
    assert (long["attempt"], long["max_attempts"], long["result"]) == (2, 4, LONG_MS), long
    assert "stopped (its 2 s grace period ran out) while attempt 1 ran" in long["logs"]
    assert long["logs"].count("start\n") == 2
    # The short jobs that were running at the SIGTERM finished there: none ran twice.
    assert [j["attempt"] for i, j in jobs.items() if i != long_id] == [1] * 49
    output = new_kiln.output()
    assert "running jobs have 2 s to finish" in output
    assert "1 running job(s) handed back to the queue" in output
    assert "restarting it" in output and worker_pid(new_kiln) != old_worker


def role_pid(kiln: Kiln, role: bytes) -> int:
    """The main process of one of `kiln up`'s children: `web` or `scheduler`."""
    for pid in processes_marked(kiln.mark):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if role in cmdline and os.getpgid(pid) == pid:
            return pid
    raise AssertionError(f"no {role.decode()} process found")


def serving_again(kiln: Kiln) -> bool:
    if "web exited" not in kiln.output():
        return False
    try:
        return kiln.request("GET", "/healthz")[0] == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def test_sigterm_to_the_web_process_loses_no_request(new_kiln: Kiln) -> None:
    """Requests in flight finish: an async run answers 201, a sync run waiting for its job
    answers 202 with the job's id at once (the job goes on); new connections are refused
    until `kiln up` has started the web process again. Every job a client was told about
    exists and ends once, and no job exists that no client was told about."""
    new_kiln.start()
    new_kiln.save_script("u/admin/nap", NAP)
    told: list[str] = []  # job ids the clients got back
    refused: list[str] = []  # requests that never reached a web process
    other: list[tuple[int, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def run(kind: str, ms: int) -> None:
        try:
            status, body, headers = new_kiln.request(
                "POST", f"/api/w/main/jobs/{kind}/p/u/admin/nap", {"ms": ms}
            )
        except (urllib.error.URLError, ConnectionError) as exc:
            with lock:
                refused.append(repr(exc))
            return
        with lock:
            if kind == "run" and status == 201:
                told.append(body["id"])
            elif kind == "run_wait_result" and status in (200, 202):
                told.append(headers["x-kiln-job-id"])
                if status == 202:
                    assert "restarting" in body["message"] and headers["location"].endswith(body["id"])
            else:
                other.append((status, body))

    def async_runs() -> None:
        while not stop.is_set():
            run("run", 50)
            time.sleep(0.05)

    waiting = [threading.Thread(target=run, args=("run_wait_result", 4000)) for _ in range(4)]
    for thread in waiting:
        thread.start()
    poller = threading.Thread(target=async_runs)
    poller.start()
    try:
        time.sleep(1.5)  # the sync runs wait for their 4 s jobs
        old_web = role_pid(new_kiln, b"web")
        signalled = time.monotonic()
        os.kill(old_web, signal.SIGTERM)
        for thread in waiting:
            thread.join(timeout=30)
        sync_answered_after = time.monotonic() - signalled
        deadline = time.monotonic() + 60
        while not serving_again(new_kiln):
            assert time.monotonic() < deadline, new_kiln.output()[-3000:]
            time.sleep(0.2)
        time.sleep(1)  # a few runs on the new web process
    finally:
        stop.set()
        poller.join(timeout=30)

    assert not other, other
    assert sync_answered_after < 5, sync_answered_after  # at once, not after the 4 s job
    assert len(told) >= 4 + 10
    for job_id in told:
        new_kiln.wait_job(job_id, {"success", "failure", "canceled", "timeout", "crashed"}, timeout=120)
    check_jobs(new_kiln, told, expect={"success"})
    status, page, _ = new_kiln.request("GET", "/api/w/main/jobs?path=u/admin/nap&limit=500")
    assert status == 200
    assert sorted(job["id"] for job in page["items"]) == sorted(told)  # none stored unanswered
    assert role_pid(new_kiln, b"web") != old_web


def test_sigterm_to_the_scheduler_loses_no_tick(new_kiln: Kiln) -> None:
    """Two every-second schedules; the scheduler is stopped twice (SIGTERM: it ends its pass
    and exits) and `kiln up` starts it again: each schedule still has one job for every
    second, none missing, none twice, and each job ran once."""
    new_kiln.env["KILN_SCHEDULER_INTERVAL"] = "1"
    new_kiln.start()
    new_kiln.save_script("u/admin/nap", NAP)
    paths = ["u/admin/every_second_a", "u/admin/every_second_b"]
    for path in paths:
        status, body, _ = new_kiln.request(
            "POST",
            "/api/w/main/schedules",
            {"path": path, "script_path": "u/admin/nap", "cron": "* * * * * *", "args": {"ms": 10}},
        )
        assert status == 201, body
    schedulers = set()
    for _ in range(2):
        time.sleep(3)
        pid = role_pid(new_kiln, b"scheduler")
        schedulers.add(pid)
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while pid in processes_marked(new_kiln.mark):
            assert time.monotonic() < deadline, "the scheduler did not stop"
            time.sleep(0.1)
    time.sleep(3)
    for path in paths:
        status, body, _ = new_kiln.request(
            "POST", f"/api/w/main/schedules/enabled/p/{path}", {"enabled": False}
        )
        assert status == 200, body
    assert new_kiln.output().count("scheduler exited with code 0; restarting it") == 2
    schedulers.add(role_pid(new_kiln, b"scheduler"))
    assert len(schedulers) == 3

    ids: list[str] = []
    for path in paths:
        status, page, _ = new_kiln.request("GET", f"/api/w/main/schedules/runs/p/{path}?limit=500")
        assert status == 200, page
        ticks = sorted(datetime.fromisoformat(run["schedule_tick"]) for run in page["items"])
        assert len(ticks) >= 9, ticks
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert set(gaps) == {timedelta(seconds=1)}, ticks  # every second, once
        ids += [run["id"] for run in page["items"]]
    for job_id in ids:
        new_kiln.wait_job(job_id, {"success", "failure", "canceled", "timeout", "crashed"}, timeout=120)
    check_jobs(new_kiln, ids, expect={"success"})
