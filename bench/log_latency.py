#!/usr/bin/env python3
"""Benchmark: how long a line a job prints takes to reach a websocket viewer.

Starts Kiln with `kiln up` (the end-to-end tests' harness). A job prints lines stamped
with the wall clock; one viewer on `/ws/w/main/jobs/<id>/logs` records when each line
arrives (same machine, same clock). Two patterns:

- steady: a line every 20 ms (the worker batches lines into chunks: FLUSH_EVERY_S and
  FLUSH_EVERY_BYTES in kiln/jobs/runner.py);
- sparse: a line every 500 ms (each line is a chunk of its own).

It prints p50 / p95 / max of print-to-arrival for each.

Run from the repository root:  .venv/bin/python -m bench.log_latency [--lines 100]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench.run_latency import percentile
from bench.ws_viewers import STAMPED, start_job, summary, watch
from tests.e2e.harness import Kiln


def measure(kiln: Kiln, lines: int = 100, sparse_lines: int = 20) -> dict[str, Any]:
    """Both patterns on a running platform: per pattern, whether every line came, and the
    print-to-websocket latency p50 / p95 / max in ms."""
    kiln.save_script("u/admin/stamped", STAMPED)
    figures: dict[str, Any] = {}
    for name, count, interval in (("steady", lines, 0.02), ("sparse", sparse_lines, 0.5)):
        job_id = start_job(kiln, count, interval, wait=2.0)
        view = asyncio.run(watch(kiln.ws_url(job_id)))
        ms = [v * 1000 for v in view.latencies()]
        figures[name] = {
            "lines": count,
            "interval_ms": interval * 1000,
            "complete": view.complete(count),
            "error": view.error or None,
            "summary": summary(view.latencies()),
            "p50_ms": percentile(ms, 0.5) if ms else None,
            "p95_ms": percentile(ms, 0.95) if ms else None,
            "max_ms": max(ms) if ms else None,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100, help="lines of the steady pattern")
    parser.add_argument("--sparse-lines", type=int, default=20, help="lines of the sparse pattern")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.start()
        try:
            for name, r in measure(kiln, opts.lines, opts.sparse_lines).items():
                state = "every line" if r["complete"] else f"INCOMPLETE {r['error'] or ''}"
                print(
                    f"{name}: {r['lines']} lines, one every {r['interval_ms']:.0f} ms, 1 viewer ({state}): "
                    f"print-to-websocket {r['summary']}"
                )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
