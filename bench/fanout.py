#!/usr/bin/env python3
"""Benchmark W3: a fan-out of 100 parallel flow steps and a join.

Starts Kiln with `kiln up` (the end-to-end tests' harness; SQLite + embedded Valkey unless
DATABASE_URL / REDIS_URL are set; worker concurrency 2) and runs, through
`run_wait_result/f/`, a flow of two modules:

- `each`: a `forloopflow` with `"parallel": true` over `flow_input.items` (100 items) whose
  body is one Python step, `fibo(10)`, each a sandboxed job;
- `join`: one Python step that sums `results.each` (100 x 55 = 5500, checked).

One warm-up run (more in warm mode), then the median total (request → result) of `--runs` (5).
Modes: cold (`KILN_WARM_RUNNERS=0`, a fresh jail and interpreter per step) and warm (the
defaults; the steps become warm by traffic after KILN_WARM_HOT_RUNS runs). Both by default.

Run from the repository root:
    .venv/bin/python -m bench.fanout [--items 100] [--runs 5] [--mode cold|warm|both]
It prints its figures; it asserts nothing about speed (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.common import MODES, platform, warmup_count
from bench.flow_steps import FIBO
from tests.e2e.harness import Kiln

PATH = "u/admin/fanout"
JOIN = "def main(values: list) -> int:\n    return sum(values)\n"


def fanout_flow(n: int = 10) -> dict[str, Any]:
    body = {
        "type": "rawscript",
        "language": "python3",
        "content": FIBO,
        "input_transforms": {"n": {"type": "static", "value": n}},
    }
    join = {
        "type": "rawscript",
        "language": "python3",
        "content": JOIN,
        "input_transforms": {"values": {"type": "javascript", "expr": "results.each"}},
    }
    return {
        "modules": [
            {
                "id": "each",
                "value": {
                    "type": "forloopflow",
                    "iterator": {"type": "javascript", "expr": "flow_input.items"},
                    "parallel": True,
                    "modules": [{"id": "fibo", "value": body}],
                },
            },
            {"id": "join", "value": join},
        ]
    }


def fibo(n: int) -> int:
    return n if n < 2 else fibo(n - 1) + fibo(n - 2)


def one_run(kiln: Kiln, items: int, n: int) -> float:
    started = time.perf_counter()
    status, result, _ = kiln.request(
        "POST", f"/api/w/main/jobs/run_wait_result/f/{PATH}", {"items": list(range(items))}
    )
    total = time.perf_counter() - started
    assert status == 200, (status, result)
    assert result == items * fibo(n), result
    return total


def measure(kiln: Kiln, items: int = 100, runs: int = 5, warmups: int = 1, n: int = 10) -> dict[str, Any]:
    """Save the flow, run it `warmups` times, then `runs` times: the totals, as a dict."""
    status, body, _ = kiln.request("POST", "/api/w/main/flows", {"path": PATH, "value": fanout_flow(n)})
    assert status in (200, 201), body
    for _ in range(warmups):
        one_run(kiln, items, n)
    totals = [one_run(kiln, items, n) for _ in range(runs)]
    return {
        "items": items,
        "fibo": n,
        "runs": runs,
        "warmups": warmups,
        "total_s": statistics.median(totals),
        "total_min_s": min(totals),
        "total_max_s": max(totals),
        "totals_s": totals,
        "per_item_ms": statistics.median(totals) / items * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100, help="parallel steps")
    parser.add_argument("--runs", type=int, default=5, help="measured runs after the warm-up")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    opts = parser.parse_args()
    for mode in MODES:
        if opts.mode not in (mode, "both"):
            continue
        with platform(mode) as kiln:
            r = measure(kiln, opts.items, opts.runs, warmup_count(mode, opts.items))
        print(
            f"W3 {mode}: fan-out of {opts.items} parallel fibo(10) steps + a join, worker concurrency 2: "
            f"total median {r['total_s']:.2f} s (min {r['total_min_s']:.2f}, max {r['total_max_s']:.2f}); "
            f"{r['per_item_ms']:.0f} ms per item",
            flush=True,
        )


if __name__ == "__main__":
    main()
