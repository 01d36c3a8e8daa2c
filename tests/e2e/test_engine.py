"""The job engine on a real platform: worker tags, priorities, concurrency limits and retries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.harness import Kiln, processes_marked

pytestmark = pytest.mark.e2e

SLEEPY = "import time\n\ndef main(n: int = 0, s: float = 0):\n    time.sleep(s)\n    return n\n"
FAILS = "def main():\n    print('trying', flush=True)\n    raise ValueError('nope')\n"
TERMINAL = {"success", "failure", "canceled", "timeout", "crashed"}


def save(kiln: Kiln, path: str, content: str, settings: dict) -> None:
    body = {"path": path, "language": "python3", "content": content, "settings": settings}
    status, response, _ = kiln.request("POST", "/api/w/main/scripts", body)
    assert status in (200, 201), response


def run(kiln: Kiln, path: str, args: dict) -> str:
    status, body, _ = kiln.request("POST", f"/api/w/main/jobs/run/p/{path}", args)
    assert status == 201, body
    return body["id"]


def job(kiln: Kiln, job_id: str) -> dict:
    return kiln.request("GET", f"/api/w/main/jobs/{job_id}")[1]


def wait_all(kiln: Kiln, ids: list[str], timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = [job(kiln, i) for i in ids]
        if all(j["status"] in TERMINAL for j in jobs):
            return jobs
        assert time.monotonic() < deadline, [(j["id"], j["status"], j["waiting_reason"]) for j in jobs]
        time.sleep(0.3)


def platform_env(kiln: Kiln) -> dict[str, str]:
    """The environment `kiln up` gave its children (REDIS_URL of an embedded Valkey included)."""
    for pid in processes_marked(kiln.mark):
        try:
            raw = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        env = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
        if "REDIS_URL" in env:
            return {**kiln.env, "REDIS_URL": env["REDIS_URL"]}
    return dict(kiln.env)


@pytest.fixture
def tag_worker(kiln: Kiln) -> Iterator[callable]:
    """Start another worker for the platform, serving one tag only (with one slot)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(tag: str) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiln.cli", "worker", "-Q", tag, "--concurrency", "1"],
            env=platform_env(kiln),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(process)

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_a_job_on_an_unserved_tag_says_so_then_runs_by_priority_when_a_worker_comes(
    kiln: Kiln, tag_worker: callable
) -> None:
    tag = f"t{uuid.uuid4().hex[:8]}"
    for priority in (10, 90, 50):
        save(kiln, f"u/admin/p{priority}", SLEEPY, {"tag": tag, "priority": priority})
    ids = [run(kiln, f"u/admin/p{p}", {"n": p, "s": 0.2}) for p in (10, 90, 50)]
    waiting = job(kiln, ids[0])
    assert waiting["status"] == "queued" and waiting["tag"] == tag
    assert waiting["waiting_reason"] == f"no live worker serves the tag '{tag}': the job waits until one does"

    tag_worker(tag)
    jobs = wait_all(kiln, ids)
    assert [j["status"] for j in jobs] == ["success"] * 3
    order = [j["result"] for j in sorted(jobs, key=lambda j: j["started_at"])]
    assert order == [90, 50, 10]  # higher priority first within the tag


def test_a_concurrency_limit_runs_jobs_one_at_a_time_in_order(kiln: Kiln) -> None:
    save(kiln, "u/admin/one_at_a_time", SLEEPY, {"concurrency": {"limit": 1}})
    ids = [run(kiln, "u/admin/one_at_a_time", {"n": n, "s": 1}) for n in range(3)]
    time.sleep(0.5)
    queued = [j for j in (job(kiln, i) for i in ids) if j["status"] == "queued"]
    assert any((j["waiting_reason"] or "").startswith("waiting for a concurrency slot") for j in queued)
    jobs = wait_all(kiln, ids)
    assert [j["status"] for j in jobs] == ["success"] * 3
    spans = sorted(
        (datetime.fromisoformat(j["started_at"]), datetime.fromisoformat(j["finished_at"]), j["result"])
        for j in jobs
    )
    assert [s[2] for s in spans] == [0, 1, 2]  # in the order they were asked for
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        assert start >= end  # never two at once, although the worker has two slots


def test_a_failing_job_is_retried_after_its_back_off_then_fails(kiln: Kiln) -> None:
    save(kiln, "u/admin/flaky", FAILS, {"retry": {"constant": {"attempts": 2, "seconds": 1}}})
    job_id = run(kiln, "u/admin/flaky", {})
    (done,) = wait_all(kiln, [job_id], timeout=60)
    assert (done["status"], done["retries"], done["attempt"]) == ("failure", 2, 3)
    assert done["logs"].count("trying\n") == 3
    assert "retry 1 of 2 in 1.0s" in done["logs"] and "retry 2 of 2 in 1.0s" in done["logs"]
