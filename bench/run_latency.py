#!/usr/bin/env python3
"""Benchmark: how fast a saved script runs end to end through the HTTP API.

Starts Kiln with `kiln up` on a free port and a fresh data dir (the same harness
as the end-to-end tests), saves a one-line Python script, then measures

- sync latency: N sequential `run_wait_result` calls (request → sandboxed run →
  result), p50 / p95 / max;
- async throughput: M `run` calls fired at once, wall time until all finished.

Run from the repository root:  .venv/bin/python -m bench.run_latency [--runs 30] [--burst 40]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.e2e.harness import Kiln

SCRIPT = "def main(n: int):\n    return n + 1\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30, help="sequential sync runs")
    parser.add_argument("--burst", type=int, default=40, help="async runs queued at once")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        started = time.perf_counter()
        kiln.start()
        print(f"kiln up ready in {time.perf_counter() - started:.1f}s (SQLite, embedded Valkey, nsjail)")
        try:
            status, _, _ = kiln.request(
                "POST",
                "/api/w/main/scripts",
                {"path": "u/admin/inc", "language": "python3", "content": SCRIPT},
            )
            assert status == 201
            kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/inc", {"n": 0})  # warm-up

            latencies = []
            for i in range(opts.runs):
                t0 = time.perf_counter()
                status, result, _ = kiln.request(
                    "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/inc", {"n": i}
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                assert (status, result) == (200, i + 1), (status, result)
            print(
                f"sync run_wait_result, {opts.runs} sequential runs: "
                f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
                f"max {max(latencies):.0f} ms"
            )

            t0 = time.perf_counter()
            ids = [
                kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/inc", {"n": i})[1]["id"]
                for i in range(opts.burst)
            ]
            queued = time.perf_counter() - t0
            pending = set(ids)
            while pending:
                for job_id in list(pending):
                    if kiln.request("GET", f"/api/w/main/jobs/{job_id}")[1]["status"] not in (
                        "queued",
                        "running",
                    ):
                        pending.discard(job_id)
                time.sleep(0.05)
            total = time.perf_counter() - t0
            print(
                f"async run, {opts.burst} jobs: queued in {queued * 1000:.0f} ms, "
                f"all finished in {total:.1f}s ({opts.burst / total:.1f} jobs/s with worker concurrency 2)"
            )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
