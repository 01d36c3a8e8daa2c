#!/usr/bin/env python3
"""Benchmark: how fast a worker drains a backlog of trivial jobs.

Starts Kiln with `kiln up` (the end-to-end tests' harness: fresh data dir, free port,
worker concurrency 2), saves a one-line Python script with a tag no worker of `kiln up`
serves, enqueues N jobs through the async run endpoint (`POST /api/w/main/jobs/run/p/...`,
from a few client threads, as a burst of webhooks would), and only then starts a worker for
that tag (`kiln worker -Q backlog`, concurrency 2) and waits until every job is terminal.
It prints

- how long the enqueueing took (requests/s);
- the drain rate: N / (the first job's start → the last job's end), in jobs/s: the backlog
  exists before the drain starts, so neither the enqueueing nor the worker's boot is in it;
- the statuses (all should be success).

Run from the repository root:
    .venv/bin/python -m bench.backlog_drain [--jobs 2000] [--clients 4] [--warm]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import cpu
from bench.common import save_script
from tests.e2e.harness import Kiln

SCRIPT = "def main(n: int):\n    return n + 1\n"
TERMINAL = {"success", "failure", "canceled", "timeout", "crashed"}


BACKLOG_TAG = "backlog"  # served by no worker of `kiln up`: the jobs wait until the drain starts


def drain(
    kiln: Kiln,
    jobs: int,
    clients: int = 4,
    warm: bool = False,
    warmups: int = 1,
    network: str | None = None,
) -> dict[str, Any]:
    """A real backlog: save the script with a tag no worker serves (and the `warm` setting if
    asked), enqueue `jobs` jobs from `clients` threads, then start a worker for that tag
    (`kiln worker -Q backlog`, concurrency as the platform's) and wait until every job is
    terminal. The drain rate is jobs / (first job started → last job finished), so neither the
    enqueueing nor the worker's own start is in it. `warmups` jobs run first, through the same
    worker, and are not counted. `network` (`none` or `internet`) is the script's network;
    without it, the workspace's default (`internet` where the machine has pasta)."""
    settings: dict[str, Any] = {"tag": BACKLOG_TAG}
    if network:
        settings["network"] = network
    warm_setting = save_script(kiln, "u/admin/inc", SCRIPT, warm=warm, settings=settings)

    def enqueue(i: int) -> str:
        status, body, _ = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/inc", {"n": i})
        assert status == 201, (status, body)
        return str(body["id"])

    warmup_ids = [enqueue(i) for i in range(warmups)]
    first = time.time()
    with ThreadPoolExecutor(clients) as pool:
        ids = list(pool.map(enqueue, range(jobs)))
    enqueued = time.time() - first

    env = dict(kiln.env)
    env.setdefault("REDIS_URL", kiln.child_env("REDIS_URL"))
    concurrency = env.get("KILN_WORKER_CONCURRENCY", "2")
    worker = subprocess.Popen(
        [sys.executable, "-m", "kiln.cli", "worker", "--queues", BACKLOG_TAG, "--concurrency", concurrency],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker_started = time.time()
    try:
        _wait_all(kiln, warmup_ids)  # the worker has booted and warmed up: the CPU window opens
        cpu_before, window_start = cpu.snapshot(), time.time()
        _wait_last(kiln, ids)
        cpu_after, window_end = cpu.snapshot(), time.time()
        done = _wait_all(kiln, [*warmup_ids, *ids])
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    counted = [done[i] for i in ids]
    started = min(datetime.fromisoformat(job["started_at"]).timestamp() for job in counted)
    last = max(datetime.fromisoformat(job["finished_at"]).timestamp() for job in counted)
    seconds = last - started
    output = kiln.output()
    in_window = sum(
        1
        for job in counted
        if window_start < datetime.fromisoformat(job["finished_at"]).timestamp() <= window_end
    )
    return {
        "jobs": jobs,
        "clients": clients,
        "warm_setting": warm_setting,
        "warmups": warmups,
        "enqueue_s": enqueued,
        "enqueue_per_s": jobs / enqueued,
        "worker_start_to_first_job_s": started - worker_started,
        "drain_s": seconds,
        "jobs_per_s": jobs / seconds,
        "concurrency": int(concurrency),
        "statuses": dict(Counter(job["status"] for job in counted)),
        "cpu_jobs": in_window,
        "cpu_s_by_role": cpu.by_role(cpu_before, cpu_after, worker_pid=worker.pid),
        "sweeper_republished": sum(int(n) for n in re.findall(r"sweeper: re-published (\d+)", output)),
    }


def _wait_last(kiln: Kiln, ids: list[str]) -> None:
    """Until the newest job is terminal: jobs run about in order, so the drain is then about
    done. One request every 0.25 s: next to nothing in the CPU window, where following every job
    (a request each) would cost the web process about as much CPU as the drain itself."""
    while kiln.job(ids[-1])["status"] not in TERMINAL:
        time.sleep(0.25)


def _wait_all(kiln: Kiln, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Every job, once terminal."""
    _wait_last(kiln, ids)
    done: dict[str, dict[str, Any]] = {}
    while len(done) < len(ids):
        for job_id in ids:
            if job_id not in done and (job := kiln.job(job_id))["status"] in TERMINAL:
                done[job_id] = job
        if len(done) < len(ids):
            time.sleep(0.5)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2000, help="jobs in the backlog")
    parser.add_argument("--clients", type=int, default=4, help="client threads enqueueing")
    parser.add_argument("--concurrency", type=int, default=2, help="KILN_WORKER_CONCURRENCY")
    parser.add_argument("--sweep-after", type=int, default=3600, help="KILN_SWEEP_AFTER (a backlog waits)")
    parser.add_argument("--warm", action="store_true", help="the script is marked warm")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="KILN_WARM_RUNNERS=0: every job a fresh sandbox (the suite's cold)",
    )
    parser.add_argument(
        "--network", choices=["none", "internet"], help="the script's network (default: the workspace's)"
    )
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.env["KILN_WORKER_CONCURRENCY"] = str(opts.concurrency)
        if opts.cold:
            kiln.env["KILN_WARM_RUNNERS"] = "0"
        if opts.sweep_after is not None:
            kiln.env["KILN_SWEEP_AFTER"] = str(opts.sweep_after)
        kiln.start()
        try:
            r = drain(kiln, opts.jobs, opts.clients, warm=opts.warm, network=opts.network)
            print(
                f"enqueued {opts.jobs} jobs in {r['enqueue_s']:.1f}s ({r['enqueue_per_s']:.0f} requests/s, "
                f"{opts.clients} clients)",
                flush=True,
            )
            print(
                f"drained {opts.jobs} jobs in {r['drain_s']:.2f}s from the first job's start to the last "
                f"one's end: {r['jobs_per_s']:.1f} jobs/s with a worker of concurrency {opts.concurrency}; "
                f"statuses {r['statuses']}"
            )
            print("\n".join(cpu.report(r["cpu_s_by_role"], per=r["cpu_jobs"])))
            print(f"sweeper re-published {r['sweeper_republished']} message(s) while the backlog waited")
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
