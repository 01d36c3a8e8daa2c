#!/usr/bin/env python3
"""Peer: Prefect 3, local: `prefect server start` (SQLite) and flows of tasks.

This file plays three parts. Run plainly, it is the supervisor (stdlib only): it makes a temp
PREFECT_HOME, starts `prefect server start` on a free port (SQLite in that home, no UI, no
analytics) and runs the benchmark as a child process with PREFECT_API_URL pointing at it;
it stops both (their whole process groups) on exit, error, Ctrl-C or SIGTERM. The child
(`--child`) runs the workloads; for W4 it starts a task worker (`--task-worker`).

- W1/W2: a flow calling a task 40 times with `fibo(10)` / 10 times with `fibo(33)`, one after
  the other (a plain task call runs in the flow's thread); each task returns the seconds its
  own `fibo` took.
- W3: a flow with ThreadPoolTaskRunner(max_workers=2): `leaf.map` over 100 `fibo(10)`, then a
  join task summing them.
- W4: a real backlog, as Kiln's W4, with background tasks (Prefect 3's queue): a warm-up and N
  `inc.delay(n)` from 4 client threads (each a task run the server stores as Scheduled) while
  no task worker runs, then one task worker process (`prefect.task_worker.serve(inc,
  limit=2)`: 2 threads) started; N / (first counted task run's start_time -> last end_time).
  The backlog is capped at BACKLOG_CAP (300): a `.delay()` takes ~100-250 ms here, so 2,000
  would take minutes to enqueue.

Prefect's defaults are kept, two of which weigh on these figures (see "notes" in the JSON):
flow-run heartbeats (a flow call ends on a whole second) and, on SQLite, 'database is locked'
answers (503) that the client retries after ~2 s. `--database-url` points the server at
another database (e.g. an empty PostgreSQL database) instead of SQLite.

Run with the peers' virtualenv (`make bench-peers-install`):
    .cache/bench-peers-venv/bin/python bench/peers/prefect_peer.py --runs 3 --backlog 2000 --json OUT.json
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from peer_common import sequential_figures  # beside this file: run as a script

BACKLOG_CAP = 300


def fibo(n: int) -> int:
    return n if n < 2 else fibo(n - 1) + fibo(n - 2)


# --- the supervisor: stdlib only, so Prefect reads its settings from the env set here ---


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_group(proc: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    """SIGTERM the process group `proc` leads (started with start_new_session), then SIGKILL."""
    if proc is None:
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        try:  # the leader is gone; give its group's stragglers the same signal
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return


def _tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def supervise(opts: argparse.Namespace) -> dict[str, Any]:
    from importlib.metadata import version

    prefect_version = version("prefect")
    db = "PostgreSQL" if opts.database_url.startswith("postgres") else "SQLite in a temp PREFECT_HOME"
    if opts.database_url and not opts.database_url.startswith("postgres"):
        db = opts.database_url.split(":", 1)[0]
    report: dict[str, Any] = {
        "peer": "prefect",
        "version": prefect_version,
        "setup": (
            f"Prefect {prefect_version}: `prefect server start` ({db}, no UI) in a "
            "subprocess; flows of tasks in a client process; W3 ThreadPoolTaskRunner(max_workers=2); W4 a "
            "backlog of background tasks (.delay) drained by one task worker serve(limit=2) started after it"
        ),
        "notes": (
            "Prefect's defaults: a flow called in-process ends by joining its heartbeat thread, which "
            "sleeps in 1 s steps, so a flow's total rounds up to about the next whole second; on SQLite "
            "a flow run's creation can meet 'database is locked' (the server's task run recorder writing) "
            "and is retried by the client after ~2 s"
        ),
        "workloads": {},
        "skipped": {},
    }
    server = child = None
    with tempfile.TemporaryDirectory(prefix="kiln-peer-prefect-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        port = _free_port()
        env = dict(
            os.environ,
            PREFECT_HOME=str(home),
            PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_UI_ENABLED="false",
            PREFECT_LOGGING_LEVEL="WARNING",
            PREFECT_LOGGING_TO_API_ENABLED="false",
            PREFECT_CLI_PROMPT="false",
            PREFECT_SERVER_TASKS_SCHEDULING_MAX_SCHEDULED_QUEUE_SIZE="100000",  # W4's backlog waits there
            PYTHONPATH=str(Path(__file__).parent),
        )
        if opts.database_url:
            env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = opts.database_url
        try:
            log = Path(tmp) / "server.log"
            with open(log, "wb") as out:
                server = subprocess.Popen(
                    [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                     "--port", str(port), "--no-ui", "--analytics-off", "--log-level", "WARNING"],
                    env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"prefect server exited {server.returncode}: {_tail(log)}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"prefect server not healthy after 120 s: {_tail(log)}")
                time.sleep(0.3)
            out_path = Path(tmp) / "child.json"
            args = ["--runs", str(opts.runs), "--backlog", str(opts.backlog), "--workloads", opts.workloads]
            child = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--child", *args, "--json", str(out_path)],
                env=env,
                start_new_session=True,
            )
            code = child.wait()
            if out_path.exists():
                found = json.loads(out_path.read_text())
                report["workloads"].update(found.get("workloads", {}))
                report["skipped"].update(found.get("skipped", {}))
                if "error" in found:
                    report["error"] = found["error"]
            if code != 0 and "error" not in report:
                report["error"] = f"the benchmark process exited {code}"
        except (Exception, KeyboardInterrupt, SystemExit) as exc:  # SIGTERM raises SystemExit
            report["error"] = f"{type(exc).__name__}: {exc}" if isinstance(exc, Exception) else "interrupted"
        finally:
            _stop_group(child)
            _stop_group(server)
    if "error" in report:
        print(f"prefect: error: {report['error']}", file=sys.stderr, flush=True)
    return report


# --- the child: the workloads, against the server the supervisor started ---


def child(opts: argparse.Namespace) -> dict[str, Any]:
    import statistics
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC

    from prefect import flow, task
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterId
    from prefect.task_runners import ThreadPoolTaskRunner

    @task
    def step(n: int) -> float:
        """One flow step: fibo(n); returns the seconds fibo took."""
        started = time.perf_counter()
        fibo(n)
        return time.perf_counter() - started

    @task
    def leaf(n: int) -> int:
        return fibo(n)

    @task
    def join(values: list[int]) -> int:
        return sum(values)

    @flow
    def sequential_flow(steps: int, n: int) -> float:
        return sum(step(n) for _ in range(steps))

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=2))
    def fan_out_flow(width: int, n: int) -> int:
        return join(leaf.map([n] * width).result())

    report: dict[str, Any] = {"workloads": {}, "skipped": {}}
    work = report["workloads"]

    def sequential(name: str, steps: int, n: int) -> dict[str, Any]:
        def once() -> tuple[float, float]:
            started = time.perf_counter()
            ran = sequential_flow(steps, n)
            return time.perf_counter() - started, ran

        once()  # warm-up
        results = [once() for _ in range(opts.runs)]
        return sequential_figures("prefect", name, steps, n, results, "tasks")

    def fan_out(width: int = 100, n: int = 10) -> dict[str, Any]:
        def once() -> float:
            started = time.perf_counter()
            assert fan_out_flow(width, n) == width * fibo(n)
            return time.perf_counter() - started

        once()  # warm-up
        totals = [once() for _ in range(opts.runs)]
        out = {"steps": width, "fibo": n, "total_s": round(statistics.median(totals), 4)}
        out["runs"] = [round(t, 4) for t in totals]
        print(
            f"prefect W3: fan-out of {width} fibo({n}) tasks (2 threads) + join: total {out['total_s']:.3f} s"
        )
        return out

    def backlog(jobs: int, clients: int = 4) -> dict[str, Any]:
        """A real backlog, as Kiln's W4: a warm-up and `jobs` background task runs (`inc.delay`)
        stored while no task worker runs, then one task worker started; jobs / (first counted
        task run's start_time -> last one's end_time)."""
        warmup = inc.delay(0)
        first = time.time()
        with ThreadPoolExecutor(clients) as pool:  # as Kiln's backlog bench: 4 client threads
            futures = list(pool.map(inc.delay, range(jobs)))
        enqueued = time.time() - first
        worker_started = time.time()
        worker = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--task-worker"])
        try:
            assert warmup.result(timeout=300) == 1
            for i, future in enumerate(futures):
                assert future.result(timeout=600) == i + 1
            observed = time.time()
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

        def stamp(value: Any) -> float:
            return float(value.timestamp() if value.tzinfo else value.replace(tzinfo=UTC).timestamp())

        starts, ends = [], []
        with get_client(sync_client=True) as client:
            ids = [f.task_run_id for f in futures]
            for i in range(0, len(ids), 200):
                runs = client.read_task_runs(
                    task_run_filter=TaskRunFilter(id=TaskRunFilterId(any_=ids[i : i + 200]))
                )
                starts += [stamp(r.start_time) for r in runs if r.start_time]
                ends += [stamp(r.end_time) for r in runs if r.end_time]
        complete = len(starts) == len(ends) == jobs
        start = min(starts) if complete else worker_started
        last = max(ends) if complete else observed
        out = {
            "jobs": jobs,
            "jobs_per_s": round(jobs / (last - start), 1),
            "drain_s": round(last - start, 3),
            "enqueue_per_s": round(jobs / enqueued, 1),
            "worker_start_to_first_job_s": round(start - worker_started, 3),
            "mode": (
                f"a real backlog: 1 warm-up + N background task runs (inc.delay, {clients} client threads) "
                "stored while no task worker ran, then one task worker (serve(inc, limit=2)) started; "
                "N / (first counted task run's start_time -> last end_time)"
                + ("" if complete else " (times observed by the client: some start/end_time missing)")
            ),
        }
        print(
            f"prefect W4: backlog of {jobs} background tasks: {out['jobs_per_s']:.1f} jobs/s "
            f"(drained in {out['drain_s']:.2f} s; delayed at {out['enqueue_per_s']:.1f}/s)",
            flush=True,
        )
        return out

    try:
        if "W1" in opts.workloads:
            work["W1"] = sequential("W1", 40, 10)
        if "W2" in opts.workloads:
            work["W2"] = sequential("W2", 10, 33)
        if "W3" in opts.workloads:
            work["W3"] = fan_out()
        if "W4" in opts.workloads:
            jobs = min(opts.backlog, BACKLOG_CAP)
            work["W4"] = backlog(jobs)
            if jobs < opts.backlog:
                work["W4"]["note"] = (
                    f"backlog capped at {BACKLOG_CAP} of {opts.backlog}: Prefect's per-task cost"
                )
    except Exception as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"
    return report


def _inc_task() -> Any:
    from prefect import task

    @task(name="inc")
    def inc(n: int) -> int:
        return n + 1

    return inc


inc: Any = None


def main() -> None:
    global inc
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="which to run (default: all)")
    parser.add_argument(
        "--database-url",
        default="",
        help="the server's database (PREFECT_SERVER_DATABASE_CONNECTION_URL), e.g. postgresql+asyncpg://"
        "postgres@127.0.0.1:5432/DB (an empty database); default: SQLite in the temp home",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--task-worker", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)

    if opts.task_worker:
        from prefect.task_worker import serve

        serve(_inc_task(), limit=2)
        return
    if opts.child:
        inc = _inc_task()
        report = child(opts)
    else:
        report = supervise(opts)
    if opts.json:
        opts.json.write_text(json.dumps(report, indent=2) + "\n")
    sys.exit(1 if "error" in report else 0)


if __name__ == "__main__":
    main()
