"""Chaos: the platform keeps its promise when a worker dies in the middle of a job."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.harness import Kiln, processes_marked

pytestmark = pytest.mark.e2e

SLOW = "import time\n\ndef main(n: int):\n    print('start', flush=True)\n    time.sleep(n)\n    return n\n"


def worker_pid(kiln: Kiln) -> int:
    for pid in processes_marked(kiln.mark):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"worker" in cmdline and os.getpgid(pid) == pid:  # the worker's main process leads its group
            return pid
    raise AssertionError("no worker process found")


def wait_for(kiln: Kiln, job_id: str, states: set[str], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = kiln.request("GET", f"/api/w/main/jobs/{job_id}")[1]
        if job["status"] in states or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def test_a_job_survives_kill_9_of_its_worker(new_kiln: Kiln) -> None:
    new_kiln.env.update(KILN_LEASE_SECONDS="6", KILN_SCHEDULER_INTERVAL="1")
    new_kiln.start()
    new_kiln.request(
        "POST", "/api/w/main/scripts", {"path": "u/admin/slow", "language": "python3", "content": SLOW}
    )
    status, body, _ = new_kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/slow", {"n": 4})
    assert status == 201
    deadline = time.monotonic() + 30
    while "start" not in (job := new_kiln.request("GET", f"/api/w/main/jobs/{body['id']}")[1])["logs"]:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "running" and job["attempt"] == 1  # mid-job: printed, still sleeping

    os.killpg(worker_pid(new_kiln), signal.SIGKILL)  # the worker, its pool and (by PDEATHSIG) the jail

    job = wait_for(new_kiln, body["id"], {"success", "failure", "crashed", "timeout"}, 60)
    assert (job["status"], job["result"], job["attempt"]) == ("success", 4, 2), job
    assert "attempt 1 lost its worker" in job["logs"]
    assert job["logs"].count("start\n") == 2  # the first attempt's line, then the retry's
    assert "restarting it" in new_kiln.output()
    # The platform is whole again: a new job runs at once.
    status, result, _ = new_kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/slow", {"n": 0})
    assert (status, result) == (200, 0)


def test_cancelling_a_running_job_stops_its_sandbox(kiln: Kiln) -> None:
    kiln.request(
        "POST", "/api/w/main/scripts", {"path": "u/admin/slow", "language": "python3", "content": SLOW}
    )
    job_id = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/slow", {"n": 60})[1]["id"]
    deadline = time.monotonic() + 30
    while "start" not in kiln.request("GET", f"/api/w/main/jobs/{job_id}")[1]["logs"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    status, body, _ = kiln.request("POST", f"/api/w/main/jobs/{job_id}/cancel")
    assert status == 200
    job = wait_for(kiln, job_id, {"canceled", "success", "failure"}, 15)
    assert job["status"] == "canceled"
    assert job["error"]["message"] == "canceled by admin@kiln.local"
    assert job["logs"].startswith("start\n") and "[kiln] canceled by admin@kiln.local" in job["logs"]
    assert job["duration_ms"] < 15_000
