"""Schedules on a real platform: several `kiln scheduler` copies at once (one killed and
restarted mid-run) make exactly one job per tick; no_overlap with a real slow job; an
on_failure handler run by the real worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e

SCHEDULES = int(os.environ.get("KILN_TEST_SCHEDULES", "200"))
WINDOW_S = float(os.environ.get("KILN_TEST_SCHEDULE_WINDOW", "20"))


def extra_scheduler(kiln: Kiln) -> subprocess.Popen[bytes]:
    """Another `kiln scheduler` on the platform's database and Redis."""
    env = {**kiln.env, "REDIS_URL": kiln.child_env("REDIS_URL"), "KILN_SCHEDULER_INTERVAL": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "kiln.cli", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def runs(kiln: Kiln, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, page, _ = kiln.request("GET", f"/api/w/main/schedules/runs/p/{path}?limit=500{cursor}")
        assert status == 200, page
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = f"&cursor={page['next_cursor']}"


def test_three_schedulers_make_exactly_one_job_per_tick_even_when_one_is_killed(new_kiln: Kiln) -> None:
    kiln = new_kiln
    kiln.env["KILN_SCHEDULER_INTERVAL"] = "1"
    kiln.start()
    # A tag no worker serves: the jobs wait in the queue, so the test measures the schedulers alone.
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {
            "path": "u/admin/tick",
            "language": "python3",
            "content": "def main():\n    pass\n",
            "settings": {"tag": "parked"},
        },
    )
    assert status == 201, body
    others = [extra_scheduler(kiln), extra_scheduler(kiln)]
    try:
        for i in range(SCHEDULES):
            status, body, _ = kiln.request(
                "POST",
                "/api/w/main/schedules",
                {"path": f"u/admin/every_second_{i}", "script_path": "u/admin/tick", "cron": "* * * * * *"},
            )
            assert status == 201, body
        started = time.monotonic()
        time.sleep(WINDOW_S / 2)
        others[0].send_signal(signal.SIGKILL)  # one copy dies mid-pass, without a goodbye
        others[0].wait()
        others[0] = extra_scheduler(kiln)
        time.sleep(max(0.0, WINDOW_S - (time.monotonic() - started)))
    finally:
        for i in range(SCHEDULES):
            kiln.request(
                "POST", f"/api/w/main/schedules/enabled/p/u/admin/every_second_{i}", {"enabled": False}
            )
        for proc in others:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    problems: list[str] = []
    lags: list[float] = []
    for i in range(SCHEDULES):
        path = f"u/admin/every_second_{i}"
        jobs = runs(kiln, path)
        ticks = [datetime.fromisoformat(j["schedule_tick"]) for j in jobs]
        doubled = [t for t, n in Counter(ticks).items() if n > 1]
        if doubled:
            problems.append(f"{path}: ticks with more than one job: {doubled[:3]}")
        status, events, _ = kiln.request("GET", f"/api/w/main/schedules/events/p/{path}")
        skipped = {datetime.fromisoformat(e["tick_at"]) for e in events if e["kind"].startswith("skipped")}
        covered = sorted(set(ticks) | skipped)
        if len(covered) < WINDOW_S * 0.8:
            problems.append(f"{path}: only {len(covered)} ticks in a {WINDOW_S}s window")
        gaps = [b for a, b in zip(covered, covered[1:], strict=False) if b - a != timedelta(seconds=1)]
        if gaps:
            problems.append(f"{path}: ticks lost before {gaps[:3]}")
        lags += [
            (
                datetime.fromisoformat(j["created_at"]) - datetime.fromisoformat(j["schedule_tick"])
            ).total_seconds()
            for j in jobs
        ]
    assert problems == []
    lags.sort()
    print(
        f"\n{SCHEDULES} schedules x {WINDOW_S:.0f}s, 3 schedulers: {len(lags)} jobs; tick to job created "
        f"p50 {lags[len(lags) // 2] * 1000:.0f} ms, p95 {lags[int(len(lags) * 0.95)] * 1000:.0f} ms"
    )


def test_no_overlap_keeps_a_slow_job_from_running_beside_itself(kiln: Kiln) -> None:
    kiln.save_script("u/admin/slow3", "import time\n\ndef main():\n    time.sleep(3)\n    return 'ok'\n")
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/schedules",
        {
            "path": "u/admin/slow_every_second",
            "script_path": "u/admin/slow3",
            "cron": "* * * * * *",
            "no_overlap": True,
        },
    )
    assert status == 201, body
    time.sleep(10)
    kiln.request("POST", "/api/w/main/schedules/enabled/p/u/admin/slow_every_second", {"enabled": False})
    jobs = [
        kiln.wait_job(j["id"], {"success", "failure", "timeout", "crashed", "canceled"}, 60)
        for j in runs(kiln, "u/admin/slow_every_second")
    ]
    spans = sorted(
        (datetime.fromisoformat(j["started_at"]), datetime.fromisoformat(j["finished_at"])) for j in jobs
    )
    assert len(spans) >= 2 and all(j["status"] == "success" for j in jobs)
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)), spans
    status, events, _ = kiln.request("GET", "/api/w/main/schedules/events/p/u/admin/slow_every_second")
    assert sum(1 for e in events if e["kind"] == "skipped_overlap") >= 3


def test_on_failure_runs_a_handler_with_the_error_after_two_failures(kiln: Kiln) -> None:
    kiln.save_script("u/admin/broken", "def main():\n    raise RuntimeError('the upstream API is down')\n")
    kiln.save_script(
        "u/admin/pager",
        "def main(schedule: str, error: dict, failed_times: int):\n"
        "    print('paging about', schedule, failed_times, error['message'])\n"
        "    return error['message']\n",
    )
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/schedules",
        {
            "path": "u/admin/broken_every_second",
            "script_path": "u/admin/broken",
            "cron": "* * * * * *",
            "no_overlap": True,
            "on_failure": {"path": "u/admin/pager", "times": 2},
        },
    )
    assert status == 201, body
    deadline = time.monotonic() + 60
    handler: dict[str, Any] | None = None
    while handler is None and time.monotonic() < deadline:
        time.sleep(0.5)
        handler = next(
            (j for j in runs(kiln, "u/admin/broken_every_second") if j["script_path"] == "u/admin/pager"),
            None,
        )
    kiln.request("POST", "/api/w/main/schedules/enabled/p/u/admin/broken_every_second", {"enabled": False})
    assert handler is not None
    done = kiln.wait_job(handler["id"], {"success", "failure"}, 60)
    assert done["status"] == "success" and done["result"] == "the upstream API is down"
    assert done["args"]["failed_times"] == 2 and done["args"]["schedule"] == "u/admin/broken_every_second"
