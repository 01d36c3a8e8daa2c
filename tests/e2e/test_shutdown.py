"""SIGTERM to a worker: it takes no new job, lets its running jobs finish within its grace
period, then hands the rest back to the queue; every job still ends exactly once.

`kiln up` restarts the worker that stopped, as docker or systemd would; the new one takes
what was left. The referee is tests/e2e/checker.py, as for the chaos tests.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.e2e.checker import check_jobs
from tests.e2e.harness import Kiln
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
