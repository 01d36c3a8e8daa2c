#!/usr/bin/env python3
"""Benchmark: how late a schedule's tick starts its job, and exactly-once with several schedulers.

Starts Kiln with `kiln up` (the end-to-end tests' harness; SQLite + embedded Valkey unless
DATABASE_URL / REDIS_URL are set). Two scenarios:

- lag: `--schedules` (5) schedules firing every second a trivial Python script, for
  `--seconds` (30), with the worker free: for each job, tick → job row created (the
  scheduler's part) and tick → job started in its sandbox (what a user sees), p50/p95/max.
- exactly-once: `--many` (200) every-second schedules on a script whose tag no worker
  serves (so only the schedulers work), with 3 scheduler processes for `--minutes` (3); one
  copy is killed with SIGKILL and restarted every minute. Then every schedule's ticks are
  checked: none has two jobs, none is lost (each second has a job or a recorded skip).
  The same check runs in CI with a 20-second window (tests/e2e/test_schedules.py).

Run from the repository root:  .venv/bin/python -m bench.schedule_lag [--scenario lag|exactly-once|both]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.harness import Kiln
from tests.e2e.test_schedules import extra_scheduler, runs

TERMINAL = {"success", "failure", "timeout", "crashed", "canceled"}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def figures(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{name} p50 {pct(ms, 0.5):.0f} ms, p95 {pct(ms, 0.95):.0f} ms, max {max(ms):.0f} ms"


def lag_figures(kiln: Kiln, schedules: int, seconds: float) -> dict[str, Any]:
    """The lag scenario on a running platform (KILN_SCHEDULER_INTERVAL=1): tick -> job created and
    tick -> job started, in seconds per job and as p50 / p95 / max in ms."""
    kiln.save_script("u/admin/noop", "def main():\n    return 1\n")
    for i in range(schedules):
        status, body, _ = kiln.request(
            "POST",
            "/api/w/main/schedules",
            {"path": f"u/admin/lag_{i}", "script_path": "u/admin/noop", "cron": "* * * * * *"},
        )
        assert status == 201, body
    time.sleep(seconds)
    for i in range(schedules):
        kiln.request("POST", f"/api/w/main/schedules/enabled/p/u/admin/lag_{i}", {"enabled": False})
    created: list[float] = []
    started: list[float] = []
    for i in range(schedules):
        for item in runs(kiln, f"u/admin/lag_{i}"):
            job = kiln.wait_job(item["id"], TERMINAL, 60)
            tick = datetime.fromisoformat(job["schedule_tick"])
            created.append((datetime.fromisoformat(job["created_at"]) - tick).total_seconds())
            if job["started_at"]:
                started.append((datetime.fromisoformat(job["started_at"]) - tick).total_seconds())

    def ms(values: list[float]) -> dict[str, float | None]:
        got = [v * 1000 for v in values]
        return {
            "p50_ms": pct(got, 0.5) if got else None,
            "p95_ms": pct(got, 0.95) if got else None,
            "max_ms": max(got) if got else None,
        }

    return {
        "schedules": schedules,
        "seconds": seconds,
        "jobs": len(created),
        "created": created,
        "started": started,
        "tick_to_created": ms(created),
        "tick_to_started": ms(started),
    }


def lag(kiln: Kiln, schedules: int, seconds: float) -> None:
    r = lag_figures(kiln, schedules, seconds)
    print(f"lag: {schedules} every-second schedules for {seconds:.0f}s, 2 worker slots: {r['jobs']} jobs")
    print("  " + figures("tick -> job created", r["created"]))
    print("  " + figures("tick -> job started (in its sandbox)", r["started"]))


def exactly_once(kiln: Kiln, many: int, minutes: float) -> None:
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {
            "path": "u/admin/parked",
            "language": "python3",
            "content": "def main():\n    pass\n",
            "settings": {"tag": "parked"},
        },
    )
    assert status == 201, body
    others = [extra_scheduler(kiln), extra_scheduler(kiln)]
    kills = 0
    try:
        for i in range(many):
            kiln.request(
                "POST",
                "/api/w/main/schedules",
                {"path": f"u/admin/once_{i}", "script_path": "u/admin/parked", "cron": "* * * * * *"},
            )
        end = time.monotonic() + minutes * 60
        while time.monotonic() < end:
            time.sleep(min(60.0, max(0.0, end - time.monotonic())))
            if time.monotonic() < end:
                others[kills % 2].send_signal(signal.SIGKILL)
                others[kills % 2].wait()
                others[kills % 2] = extra_scheduler(kiln)
                kills += 1
    finally:
        for i in range(many):
            kiln.request("POST", f"/api/w/main/schedules/enabled/p/u/admin/once_{i}", {"enabled": False})
        for proc in others:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    doubled = lost = jobs = skipped_total = 0
    created: list[float] = []
    for i in range(many):
        path = f"u/admin/once_{i}"
        items = runs(kiln, path)
        jobs += len(items)
        ticks = [datetime.fromisoformat(j["schedule_tick"]) for j in items]
        doubled += sum(n - 1 for n in Counter(ticks).values() if n > 1)
        _, events, _ = kiln.request("GET", f"/api/w/main/schedules/events/p/{path}?limit=1000")
        skipped = {datetime.fromisoformat(e["tick_at"]) for e in events if e["kind"].startswith("skipped")}
        skipped_total += sum(e["count"] for e in events if e["kind"].startswith("skipped"))
        covered = sorted(set(ticks) | skipped)
        lost += sum(
            int((b - a) / timedelta(seconds=1)) - 1 for a, b in zip(covered, covered[1:], strict=False)
        )
        created += [
            (
                datetime.fromisoformat(j["created_at"]) - datetime.fromisoformat(j["schedule_tick"])
            ).total_seconds()
            for j in items
        ]
    print(
        f"exactly-once: {many} every-second schedules, 3 schedulers for {minutes:g} min, "
        f"{kills} SIGKILL(s) + restart: {jobs} jobs, {doubled} tick(s) with a second job, "
        f"{lost} tick(s) lost, {skipped_total} recorded as skipped"
    )
    print("  " + figures("tick -> job created", created))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=["lag", "exactly-once", "both"], default="both")
    parser.add_argument("--schedules", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--many", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=3)
    opts = parser.parse_args()
    db = os.environ.get("DATABASE_URL")
    print(f"database: {'PostgreSQL' if db else 'SQLite'}; redis: {os.environ.get('REDIS_URL') or 'Valkey'}")
    for scenario in ("lag", "exactly-once"):
        if opts.scenario not in (scenario, "both"):
            continue
        with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
            kiln = Kiln(Path(tmp), database_url=db)
            kiln.env["KILN_SCHEDULER_INTERVAL"] = "1"
            kiln.start()
            try:
                if scenario == "lag":
                    lag(kiln, opts.schedules, opts.seconds)
                else:
                    exactly_once(kiln, opts.many, opts.minutes)
            finally:
                kiln.stop()


if __name__ == "__main__":
    main()
