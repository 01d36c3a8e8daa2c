#!/usr/bin/env python3
"""The whole performance suite in one command (`make bench`): every scenario on a fresh
`kiln up`, a summary table against issue 12's targets and the peers, a JSON file and charts.

Scenarios (each on a fresh platform: SQLite + embedded Valkey unless DATABASE_URL / REDIS_URL
are set; worker concurrency 2). "cold + warm" runs twice: cold with KILN_WARM_RUNNERS=0 (every
job a fresh nsjail and interpreter, by default a spare sandbox started ahead of it;
KILN_SPARE_SANDBOXES=0 turns those off), warm with the defaults, saved scripts carrying
`settings: {"warm": true}` and enough warm-up runs for inline flow steps to become warm by
traffic (KILN_WARM_HOT_RUNS). Sizes in parentheses: full / --quick.

- W1  40 sequential fibo(10) flow steps: total (median of --runs after warm-up), overhead per
      step, step-to-step hop p50/p95 (bench/flow_steps.py). cold + warm. Runs 5 / 1.
- W2  10 sequential fibo(33) flow steps, the same figures. cold + warm.
- W3  fan-out of 100 parallel fibo(10) steps and a join (bench/fanout.py). cold + warm.
- W4  drain a backlog of trivial jobs: jobs/s (bench/backlog_drain.py). 2,000 / 100. cold + warm.
- W5  open-loop sync webhook latency at 1, 10, 50 req/s: p50/p95/p99/max, errors, p99/p50
      (bench/webhook_latency.py). 10 s / 3 s per rate. cold + warm.
- W6  a new script with a dependency (humanize): first run vs second run (bench/python_deps.py).
      cold + warm.
- log      print → websocket line, p50/p95, steady and sparse (bench/log_latency.py). 100+20 / 30+4 lines.
- sched    scheduler lag, the lag scenario only (bench/schedule_lag.py): 5 schedules, 20 s / 5 s.
- joblist  GET …/jobs p50/p95 per filter shape (bench/job_list.py): 20,000 / 2,000 jobs, 50 / 5
           requests a shape (100,000 jobs is the module's own default, too long for the suite).
- webhook  async webhook throughput, 50 keep-alive clients (bench/webhook_load.py): 10 s / 3 s.
- peers    W1–W4 on raw Celery, Temporal and Prefect (bench/peers/run.py, `make bench-peers-install`).

The earlier issues' scenarios (log, sched, joblist, webhook) run once, cold, as they were
first measured. A scenario that fails is recorded as {"error": ...} and the suite goes on.

Output (--out, default bench/results): <YYYY-MM-DD>-<hostname>.json with every figure and the
machine, and PNG charts in <YYYY-MM-DD>-<hostname>/ (matplotlib, the `bench` extra).

Run from the repository root:
    .venv/bin/python -m bench.suite [--quick] [--only W1,W4,...] [--out bench/results] [--no-peers]
Targets are printed and marked met / missed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform as stdlib_platform
import socket
import subprocess
import sys
import textwrap
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import (
    backlog_drain,
    fanout,
    flow_steps,
    job_list,
    log_latency,
    python_deps,
    schedule_lag,
    webhook_latency,
    webhook_load,
)
from bench.common import MODES, backend, platform, warmup_count
from tests.e2e.harness import Kiln

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("W1", "W2", "W3", "W4", "W5", "W6", "log", "sched", "joblist", "webhook")
BOTH_MODES = ("W1", "W2", "W3", "W4", "W5", "W6")
PEER_WORKLOADS = ("W1", "W2", "W3", "W4")
SINGLE_MODE = "cold"  # the earlier issues' scenarios run once, as first measured (no warm runners)

# W1 as published by each project (their hardware, their set-up); Windmill twice (normal / dedicated workers).
PUBLISHED_W1 = {
    "Airflow": 116.0,
    "Kestra": 6.0,
    "Prefect": 4.9,
    "Windmill": 4.3,
    "Windmill dedicated": 2.1,
    "Temporal": 3.0,
    "Hatchet": 1.2,
}


@dataclass(frozen=True)
class Sizes:
    runs: int = 5
    w1_steps: int = 40
    w2_steps: int = 10
    w3_items: int = 100
    w4_jobs: int = 2000
    w5_rates: tuple[float, ...] = (1.0, 10.0, 50.0)
    w5_seconds: float = 10.0
    w6_runs: int = 5
    log_lines: int = 100
    log_sparse_lines: int = 20
    sched_schedules: int = 5
    sched_seconds: float = 20.0
    joblist_jobs: int = 20_000
    joblist_requests: int = 50
    webhook_clients: int = 50
    webhook_seconds: float = 10.0


FULL = Sizes()
QUICK = Sizes(
    runs=1,
    w4_jobs=100,
    w5_seconds=3.0,
    w6_runs=1,
    log_lines=30,
    log_sparse_lines=4,
    sched_seconds=5.0,
    joblist_jobs=2000,
    joblist_requests=5,
    webhook_clients=20,
    webhook_seconds=3.0,
)

RATE_LIMITS_OFF = webhook_latency.RATE_LIMITS_OFF


# --- running the scenarios ---------------------------------------------------------------------


@contextlib.contextmanager
def kiln_for(mode: str, record: dict[str, Any], env: dict[str, str] | None = None) -> Iterator[Kiln]:
    """A fresh platform in `mode`; how long it took to come up and what it runs on go in `record`."""
    started = time.monotonic()
    with platform(mode, env) as kiln:
        record["kiln_up_s"] = round(time.monotonic() - started, 2)
        record.update(backend(kiln))
        yield kiln


def run_w1_w2(name: str, mode: str, sizes: Sizes) -> dict[str, Any]:
    steps, n = (sizes.w1_steps, 10) if name == "W1" else (sizes.w2_steps, 33)
    record: dict[str, Any] = {"warm_by": "traffic (inline flow steps)" if mode == "warm" else None}
    with kiln_for(mode, record) as kiln:
        warmups = warmup_count(mode, steps)
        record.update(flow_steps.measure(kiln, name, steps, n, sizes.runs, warmups))
    return record


def run_w3(mode: str, sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {"warm_by": "traffic (inline flow steps)" if mode == "warm" else None}
    with kiln_for(mode, record) as kiln:
        record.update(fanout.measure(kiln, sizes.w3_items, sizes.runs, warmup_count(mode, sizes.w3_items)))
    return record


def run_w4(mode: str, sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {}
    with kiln_for(mode, record, {"KILN_SWEEP_AFTER": "3600"}) as kiln:  # the backlog waits: no re-rings
        record.update(
            backlog_drain.drain(kiln, sizes.w4_jobs, warm=mode == "warm", warmups=warmup_count(mode))
        )
    return record


def run_w5(mode: str, sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {"rate_limits": "off"}
    with kiln_for(mode, record, RATE_LIMITS_OFF) as kiln:
        record.update(
            webhook_latency.measure(
                kiln, sizes.w5_rates, sizes.w5_seconds, warm=mode == "warm", warmups=warmup_count(mode) + 2
            )
        )
    return record


def run_w6(mode: str, sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {}
    with kiln_for(mode, record) as kiln:
        record.update(python_deps.measure(kiln, sizes.w6_runs, warm=mode == "warm"))
    return record


def run_log(sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {}
    with kiln_for(SINGLE_MODE, record) as kiln:
        record.update(log_latency.measure(kiln, sizes.log_lines, sizes.log_sparse_lines))
    return record


def run_sched(sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {}
    with kiln_for(SINGLE_MODE, record, {"KILN_SCHEDULER_INTERVAL": "1"}) as kiln:
        record.update(schedule_lag.lag_figures(kiln, sizes.sched_schedules, sizes.sched_seconds))
    return record


def run_joblist(sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {}
    saved = dict(os.environ)  # job_list.fill() sets Django up in this process through os.environ
    try:
        with kiln_for(SINGLE_MODE, record) as kiln:
            record.update(job_list.measure(kiln, sizes.joblist_jobs, sizes.joblist_requests))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return record


def run_webhook(sizes: Sizes) -> dict[str, Any]:
    record: dict[str, Any] = {"rate_limits": "off"}
    with kiln_for(SINGLE_MODE, record, RATE_LIMITS_OFF) as kiln:
        record.update(webhook_load.measure(kiln, sizes.webhook_clients, sizes.webhook_seconds))
    return record


def attempt(label: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one scenario; an exception becomes {"error": ...} so that the suite goes on."""
    print(f"suite: {label} ...", flush=True)
    started = time.monotonic()
    try:
        result = work()
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"[:2000], "traceback": traceback.format_exc()[-4000:]}
        print(f"suite: {label} FAILED: {result['error']}", flush=True)
    result["wall_s"] = round(time.monotonic() - started, 1)
    if "error" not in result:
        print(
            f"suite: {label} done in {result['wall_s']:.0f} s: {brief(label.split()[0], result)}", flush=True
        )
    return result


def brief(name: str, r: dict[str, Any]) -> str:
    """One line of a scenario's main figures, for the progress log."""
    if name in ("W1", "W2"):
        return (
            f"total {fmt(r.get('total_s'), 's')}, overhead/step {fmt(r.get('overhead_per_step_ms'), 'ms')}, "
            f"hop p50 {fmt(r.get('hop_p50_ms'), 'ms')}"
        )
    if name == "W3":
        return f"total {fmt(r.get('total_s'), 's')}"
    if name == "W4":
        return f"{fmt(r.get('jobs_per_s'), 'jobs/s')}, statuses {r.get('statuses')}"
    if name == "W5":
        return "; ".join(
            f"{rate} req/s p50 {fmt(f['p50_ms'], 'ms')} p99 {fmt(f['p99_ms'], 'ms')} errors {f['errors']}"
            for rate, f in r.get("rates", {}).items()
        )
    if name == "W6":
        return f"first {fmt(r.get('first_ms'), 'ms')}, second {fmt(r.get('second_ms'), 'ms')}"
    if name == "log":
        return "; ".join(
            f"{k} {v['summary']}" for k, v in r.items() if isinstance(v, dict) and "summary" in v
        )
    if name == "sched":
        return (
            f"{r.get('jobs')} jobs, tick->created p50 {fmt(r['tick_to_created']['p50_ms'], 'ms')}, "
            f"tick->started p50 {fmt(r['tick_to_started']['p50_ms'], 'ms')}"
        )
    if name == "joblist":
        return f"{r.get('jobs')} jobs, worst p95 {fmt(r.get('worst_p95_ms'), 'ms')}"
    if name == "webhook":
        return f"{fmt(r.get('requests_per_s'), 'req/s')}, p50 {fmt(r.get('p50_ms'), 'ms')}"
    return ""


def run_peers_safely(sizes: Sizes, only: list[str] | None) -> dict[str, Any]:
    """bench.peers.run.run_peers, or why the peers were skipped."""
    try:
        from bench.peers.run import run_peers  # type: ignore[import-not-found]
    except Exception as exc:
        return {"skipped": f"bench.peers.run not importable: {type(exc).__name__}: {exc}", "peers": []}
    print(
        f"suite: peers (runs {sizes.runs}, backlog {sizes.w4_jobs}, workloads {only or 'all'}) ...",
        flush=True,
    )
    try:
        result = run_peers(runs=sizes.runs, backlog=sizes.w4_jobs, only=only)
    except Exception as exc:
        return {"skipped": f"run_peers failed: {type(exc).__name__}: {exc}", "peers": []}
    if not isinstance(result, dict) or not isinstance(result.get("peers"), list):
        return {"skipped": f"run_peers returned {type(result).__name__}, not {{'peers': [...]}}", "peers": []}
    return result


# --- figures, targets, ratios ------------------------------------------------------------------


def dig(data: Any, *keys: Any) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) or math.isinf(value) else float(value)


def fmt(value: Any, unit: str) -> str:
    v = number(value)
    if v is None:
        return "-"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "ms":
        return f"{v:.1f} ms" if abs(v) < 100 else f"{v:.0f} ms"
    if unit == "x":
        return f"{v:.2f}"
    if unit == "n":
        return f"{v:.0f}"
    return f"{v:.1f} {unit}"


@dataclass
class Target:
    op: str  # "<=", ">=" or "<"
    value: float

    def met(self, v: float) -> bool:
        return {"<=": v <= self.value, ">=": v >= self.value, "<": v < self.value}[self.op]


@dataclass
class Row:
    scenario: str
    metric: str
    unit: str
    cold: float | None = None
    warm: float | None = None
    single: bool = False  # ran once (cold), no warm figure
    target_text: str = ""
    targets: dict[str, Target] = field(default_factory=dict)
    peer: tuple[str, str, str] | None = None  # (workload, peer's key, "time" | "rate" | "value")
    status: dict[str, str] = field(default_factory=dict)


def mode_value(results: dict[str, Any], scenario: str, mode: str, *keys: Any) -> float | None:
    return number(dig(results, scenario, mode, *keys))


def build_rows(results: dict[str, Any], sizes: Sizes) -> list[Row]:
    rows: list[Row] = []

    def both(scenario: str, metric: str, unit: str, *keys: Any, **extra: Any) -> Row | None:
        if scenario not in results:
            return None
        row = Row(
            scenario,
            metric,
            unit,
            mode_value(results, scenario, "cold", *keys),
            mode_value(results, scenario, "warm", *keys),
            **extra,
        )
        rows.append(row)
        return row

    def single(scenario: str, metric: str, unit: str, *keys: Any, **extra: Any) -> None:
        if scenario in results:
            rows.append(
                Row(
                    scenario,
                    metric,
                    unit,
                    mode_value(results, scenario, SINGLE_MODE, *keys),
                    single=True,
                    **extra,
                )
            )

    full_w1 = sizes.w1_steps == 40
    w1_total_targets = {"cold": Target("<=", 2.0), "warm": Target("<=", 0.4)} if full_w1 else {}
    both(
        "W1",
        "total (median)",
        "s",
        "total_s",
        target_text="cold <= 2.0 s, warm <= 0.4 s" if full_w1 else "(40 steps only)",
        targets=w1_total_targets,
        peer=("W1", "total_s", "time"),
    )
    both(
        "W1",
        "overhead per step",
        "ms",
        "overhead_per_step_ms",
        target_text="cold <= 50 ms, warm <= 10 ms",
        targets={"cold": Target("<=", 50), "warm": Target("<=", 10)},
        peer=("W1", "overhead_per_step_ms", "value"),
    )
    hop = {"cold": Target("<=", 5), "warm": Target("<=", 5)}
    both("W1", "step-to-step hop p50", "ms", "hop_p50_ms", target_text="<= 5 ms", targets=hop)
    both("W1", "step-to-step hop p95", "ms", "hop_p95_ms")
    both("W2", "total (median)", "s", "total_s", peer=("W2", "total_s", "time"))
    both(
        "W2", "overhead per step", "ms", "overhead_per_step_ms", peer=("W2", "overhead_per_step_ms", "value")
    )
    both("W2", "step-to-step hop p50", "ms", "hop_p50_ms", target_text="<= 5 ms", targets=hop)
    both("W2", "step-to-step hop p95", "ms", "hop_p95_ms")
    both("W3", "total (median)", "s", "total_s", peer=("W3", "total_s", "time"))
    both(
        "W4",
        "drain rate",
        "jobs/s",
        "jobs_per_s",
        target_text="cold >= 60, warm >= 500",
        targets={"cold": Target(">=", 60), "warm": Target(">=", 500)},
        peer=("W4", "jobs_per_s", "rate"),
    )
    for rate in (f"{r:g}" for r in sizes.w5_rates):
        at10 = rate == "10"
        both(
            "W5",
            f"{rate} req/s p50",
            "ms",
            "rates",
            rate,
            "p50_ms",
            target_text="cold <= 60 ms, warm <= 15 ms" if at10 else "",
            targets={"cold": Target("<=", 60), "warm": Target("<=", 15)} if at10 else {},
        )
        both("W5", f"{rate} req/s p95", "ms", "rates", rate, "p95_ms")
        both("W5", f"{rate} req/s p99", "ms", "rates", rate, "p99_ms")
        both("W5", f"{rate} req/s max", "ms", "rates", rate, "max_ms")
        both(
            "W5",
            f"{rate} req/s p99/p50",
            "x",
            "rates",
            rate,
            "p99_over_p50",
            target_text="<= 3" if at10 else "",
            targets={"cold": Target("<=", 3), "warm": Target("<=", 3)} if at10 else {},
        )
        both("W5", f"{rate} req/s errors", "n", "rates", rate, "errors")
    both("W6", "first run (resolve + install)", "ms", "first_ms")
    both("W6", "second run", "ms", "second_ms")
    log_target = {"cold": Target("<=", 50)}
    single(
        "log",
        "steady p50 (a line / 20 ms)",
        "ms",
        "steady",
        "p50_ms",
        target_text="<= 50 ms",
        targets=log_target,
    )
    single("log", "steady p95", "ms", "steady", "p95_ms")
    single(
        "log",
        "sparse p50 (a line / 500 ms)",
        "ms",
        "sparse",
        "p50_ms",
        target_text="<= 50 ms",
        targets=log_target,
    )
    single("log", "sparse p95", "ms", "sparse", "p95_ms")
    single("sched", "tick -> job created p50", "ms", "tick_to_created", "p50_ms")
    single("sched", "tick -> job created p95", "ms", "tick_to_created", "p95_ms")
    single("sched", "tick -> job started p50", "ms", "tick_to_started", "p50_ms")
    single("sched", "tick -> job started p95", "ms", "tick_to_started", "p95_ms")
    single("joblist", "newest page p95", "ms", "queries", "newest page", "p95_ms")
    single(
        "joblist",
        "worst shape p95",
        "ms",
        "worst_p95_ms",
        target_text="< 200 ms (issue 5)",
        targets={"cold": Target("<", 200)},
    )
    single("webhook", "throughput", "req/s", "requests_per_s")
    single("webhook", "latency p50", "ms", "p50_ms")
    single("webhook", "latency p99", "ms", "p99_ms")
    for row in rows:
        for mode in MODES:
            target = row.targets.get(mode)
            value = row.cold if mode == "cold" else row.warm
            if target is not None:
                row.status[mode] = "n/a" if value is None else ("met" if target.met(value) else "MISSED")
    return rows


def peer_list(peers: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in peers.get("peers", []) if isinstance(p, dict) and "peer" in p]


def peer_value(peer: dict[str, Any], workload: str, key: str) -> float | None:
    return number(dig(peer, "workloads", workload, key))


def ratio(kiln: float | None, other: float | None, kind: str) -> float | None:
    """Kiln / peer, < 1 when Kiln is faster: totals as they are, jobs/s inverted."""
    if kiln is None or other is None or kiln <= 0 or other <= 0:
        return None
    return kiln / other if kind == "time" else other / kiln


def ratios(results: dict[str, Any], peers: dict[str, Any]) -> dict[str, Any]:
    keys = {
        "W1": ("total_s", "time"),
        "W2": ("total_s", "time"),
        "W3": ("total_s", "time"),
        "W4": ("jobs_per_s", "rate"),
    }
    out: dict[str, Any] = {}
    for peer in peer_list(peers):
        if isinstance(peer.get("skipped"), str):
            continue
        per: dict[str, Any] = {}
        for workload, (key, kind) in keys.items():
            other = peer_value(peer, workload, key)
            if other is None:
                continue
            per[workload] = {
                "metric": key,
                "peer": other,
                **{mode: ratio(mode_value(results, workload, mode, key), other, kind) for mode in MODES},
            }
        out[str(peer["peer"])] = per
    return out


def temporal_row(results: dict[str, Any], peers: dict[str, Any]) -> Row | None:
    """Issue 12: Kiln/Temporal on W1 < 1 with warm runners."""
    temporal = next((p for p in peer_list(peers) if p.get("peer") == "temporal"), None)
    if "W1" not in results:
        return None
    other = peer_value(temporal, "W1", "total_s") if temporal else None
    row = Row(
        "W1",
        "Kiln/Temporal total",
        "x",
        ratio(mode_value(results, "W1", "cold", "total_s"), other, "time"),
        ratio(mode_value(results, "W1", "warm", "total_s"), other, "time"),
        target_text="warm < 1",
        targets={"warm": Target("<", 1)},
    )
    row.status["warm"] = "n/a" if row.warm is None else ("met" if row.warm < 1 else "MISSED")
    return row


def table(rows: list[Row], peers: dict[str, Any]) -> str:
    measured = [p for p in peer_list(peers) if not isinstance(p.get("skipped"), str)]
    headers = [
        "scenario",
        "metric",
        "cold",
        "warm",
        "target",
        *(f"{p['peer']}: value (Kiln/peer cold|warm, <1 = Kiln faster)" for p in measured),
    ]

    def cell(row: Row, mode: str) -> str:
        value = row.cold if mode == "cold" else row.warm
        if mode == "warm" and row.single:
            return "(not run)"
        text = fmt(value, row.unit)
        status = row.status.get(mode)
        return f"{text} [{status}]" if status and value is not None else text

    def peer_cell(row: Row, peer: dict[str, Any]) -> str:
        if row.peer is None:
            return ""
        workload, key, kind = row.peer
        other = peer_value(peer, workload, key)
        if other is None:
            skipped = dig(peer, "skipped", workload)
            return "skipped" if skipped else "-"
        text = fmt(other, row.unit)
        if kind == "value":
            return text
        c, w = ratio(row.cold, other, kind), ratio(row.warm, other, kind)
        return f"{text} ({fmt(c, 'x')}|{fmt(w, 'x')})"

    lines = [
        [
            row.scenario + ("*" if row.single else ""),
            row.metric,
            cell(row, "cold"),
            cell(row, "warm"),
            row.target_text,
        ]
        + [peer_cell(row, p) for p in measured]
        for row in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *lines, strict=True)]
    rule = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), rule]
    previous = None
    for row, line in zip(rows, lines, strict=True):
        if previous is not None and row.scenario != previous:
            out.append("")
        previous = row.scenario
        out.append("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    notes = [
        "* ran once, cold (KILN_WARM_RUNNERS=0), as the earlier issues measured it.",
        "[met] / [MISSED]: issue 12's targets (printed, never asserted); W5's are judged at 10 req/s.",
    ]
    if measured:
        notes.append(
            "Peers: the peer's figure, then Kiln/peer for Kiln cold | warm: a ratio of totals (W1-W3) or of "
            "jobs/s inverted (W4), so < 1 always means Kiln is faster."
        )
    skipped = peers.get("skipped")
    if skipped:
        notes.append(f"Peers skipped: {skipped}")
    for p in peer_list(peers):
        if isinstance(p.get("skipped"), str):
            notes.append(f"Peer {p['peer']} skipped: {p['skipped']}")
        elif isinstance(p.get("skipped"), dict) and p["skipped"]:
            notes.append(f"Peer {p['peer']}: skipped workloads {p['skipped']}")
    return "\n".join(out + [""] + notes)


# --- charts ------------------------------------------------------------------------------------


def charts(
    results: dict[str, Any], peers: dict[str, Any], sizes: Sizes, folder: Path, caption: str
) -> tuple[list[str], list[str]]:
    """PNG charts into `folder`, each with `caption` (the machine, the run) at the bottom:
    (files written, reasons for the ones skipped)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
        from matplotlib.ticker import NullFormatter, ScalarFormatter
    except ImportError as exc:
        return [], [f"all charts: matplotlib is not installed ({exc}); install the `bench` extra"]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    skipped: list[str] = []
    measured = [p for p in peer_list(peers) if not isinstance(p.get("skipped"), str)]
    colors = {"cold": "#d9822b", "warm": "#2b9d5b", "peer": "#3a6fb0", "published": "#9a9a9a"}

    def save(fig: Any, name: str, top: float = 1.0) -> None:
        width = fig.get_size_inches()[0]
        lines = textwrap.wrap(caption, int(width * 17))
        fig.text(0.01, 0.01, "\n".join(lines), fontsize=7, color="#555555")
        fig.tight_layout(rect=(0, 0.025 + 0.03 * len(lines) * 4.5 / fig.get_size_inches()[1], 1, top))
        fig.savefig(folder / name, dpi=110)
        plt.close(fig)
        written.append(str(folder / name))

    # W1 total, Kiln cold / warm and the peers measured here, against the published figures.
    bars: list[tuple[str, float, str]] = []
    for mode in MODES:
        value = mode_value(results, "W1", mode, "total_s")
        if value is not None:
            bars.append((f"Kiln {mode} (measured here)", value, colors[mode]))
    for p in measured:
        value = peer_value(p, "W1", "total_s")
        if value is not None:
            bars.append(
                (
                    f"{p['peer']} {p.get('version') or ''} (measured here)".replace("  ", " "),
                    value,
                    colors["peer"],
                )
            )
    if not bars:
        skipped.append("w1_vs_published.png: no W1 figure")
    else:
        steps = dig(results, "W1", "cold", "steps") or dig(results, "W1", "warm", "steps") or sizes.w1_steps
        bars += [(f"{name} (published)", value, colors["published"]) for name, value in PUBLISHED_W1.items()]
        bars.sort(key=lambda b: b[1])
        fig, ax = plt.subplots(figsize=(9, 0.45 * len(bars) + 1.9))
        ax.barh([b[0] for b in bars], [b[1] for b in bars], color=[b[2] for b in bars])
        for i, (_, value, _) in enumerate(bars):
            ax.text(value * 1.05, i, f"{value:.2f} s", va="center", fontsize=8)
        ax.set_xscale("log")
        ax.set_xlim(min(0.3, min(b[1] for b in bars) / 1.5), max(b[1] for b in bars) * 3)
        ax.set_xlabel("total seconds, log scale (lower is better)")
        ax.set_title(f"W1: a flow of {steps} sequential fibo(10) steps, end to end")
        handles = [Patch(color=colors[m], label=f"Kiln {m}, measured here") for m in MODES]
        if any(b[2] == colors["peer"] for b in bars):
            handles.append(Patch(color=colors["peer"], label="peer, measured here"))
        handles.append(Patch(color=colors["published"], label="published by the project (its hardware)"))
        if steps == 40:
            for mode, limit in (("cold", 2.0), ("warm", 0.4)):
                ax.axvline(limit, color=colors[mode], linestyle="--", linewidth=1)
                handles.append(
                    Line2D([], [], color=colors[mode], linestyle="--", label=f"target {mode}: {limit:g} s")
                )
        ax.legend(handles=handles, fontsize=8, loc="lower right")
        save(fig, "w1_vs_published.png")

    # W1-W3 totals, Kiln cold / warm and each peer measured here.
    workloads = [w for w in ("W1", "W2", "W3") if w in results]
    series = [
        (f"Kiln {m}", colors[m], [mode_value(results, w, m, "total_s") for w in workloads]) for m in MODES
    ]
    palette = ["#3a6fb0", "#7b4fa8", "#b03a5a", "#3aa0b0"]
    for i, p in enumerate(measured):
        series.append(
            (str(p["peer"]), palette[i % len(palette)], [peer_value(p, w, "total_s") for w in workloads])
        )
    series = [s for s in series if any(v is not None for v in s[2])]
    if not workloads or not series:
        skipped.append("flows_vs_peers.png: no W1-W3 figure")
    else:
        fig, ax = plt.subplots(figsize=(9, 4.5))
        width = min(0.25, 0.8 / len(series))
        for i, (label, color, values) in enumerate(series):
            xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(workloads))]
            ax.bar(xs, [v or 0 for v in values], width, label=label, color=color)
            for x, v in zip(xs, values, strict=True):
                if v is not None:
                    ax.text(x, v, f"{v:.1f} s", ha="center", va="bottom", fontsize=7)
        names = {
            "W1": f"W1: {sizes.w1_steps} x fibo(10), sequential",
            "W2": f"W2: {sizes.w2_steps} x fibo(33), sequential",
            "W3": f"W3: {sizes.w3_items} x fibo(10), parallel + join",
        }
        ax.set_xticks(range(len(workloads)), [names[w] for w in workloads], fontsize=8)
        ax.set_xlim(-0.6, len(workloads) - 0.4)
        ax.set_ylabel("total seconds (lower is better)")
        ax.set_title("Flows, end to end: Kiln cold / warm and peers, all measured here")
        ax.legend(fontsize=8)
        save(fig, "flows_vs_peers.png")

    # W5 latency percentiles per rate, cold / warm.
    rates = [f"{r:g}" for r in sizes.w5_rates]
    if not any(mode_value(results, "W5", m, "rates", r, "p50_ms") is not None for m in MODES for r in rates):
        skipped.append("w5_latency.png: no W5 figure")
    else:
        percentiles = [("p50", "p50_ms"), ("p95", "p95_ms"), ("p99", "p99_ms"), ("max", "max_ms")]
        fig, axes = plt.subplots(1, len(rates), figsize=(4 * len(rates), 4.6), sharey=True, squeeze=False)
        for ax, rate in zip(axes[0], rates, strict=True):
            for i, mode in enumerate(MODES):
                values = [mode_value(results, "W5", mode, "rates", rate, key) for _, key in percentiles]
                xs = [j + (i - 0.5) * 0.38 for j in range(len(percentiles))]
                ax.bar(xs, [v or 0 for v in values], 0.38, color=colors[mode])
                for x, v in zip(xs, values, strict=True):
                    if v is not None:
                        ax.text(x, v, f"{v:.0f}", ha="center", va="bottom", fontsize=7)
                errors = mode_value(results, "W5", mode, "rates", rate, "errors")
                if errors:
                    ax.text(
                        0.02,
                        0.95 - 0.06 * i,
                        f"{mode}: {errors:.0f} errors",
                        transform=ax.transAxes,
                        fontsize=7,
                        color="#b00020",
                    )
            if rate == "10":
                for mode, limit in (("cold", 60), ("warm", 15)):
                    ax.axhline(limit, color=colors[mode], linestyle="--", linewidth=1)
            ax.set_xticks(range(len(percentiles)), [p for p, _ in percentiles])
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.set_title(f"{rate} request{'' if rate == '1' else 's'}/s, open loop")
        axes[0][0].set_ylabel("latency from scheduled send, ms (log scale)")
        handles = [Patch(color=colors[m], label=f"Kiln {m}") for m in MODES]
        handles += [
            Line2D([], [], color=colors[m], linestyle="--", label=f"p50 target {m} at 10 req/s: {limit} ms")
            for m, limit in (("cold", 60), ("warm", 15))
        ]
        fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=8, bbox_to_anchor=(0.5, 0.935))
        fig.suptitle(
            f"W5: sync webhook (run_wait_result) latency, {sizes.w5_seconds:g} s per rate (lower is better)"
        )
        save(fig, "w5_latency.png", top=0.87)

    # W4 jobs/s, cold / warm, against the peers measured here.
    bars = [(f"Kiln {m}", mode_value(results, "W4", m, "jobs_per_s"), colors[m]) for m in MODES]
    bars += [(str(p["peer"]), peer_value(p, "W4", "jobs_per_s"), colors["peer"]) for p in measured]
    shown = [(label, v, c) for label, v, c in bars if v is not None]
    if not shown:
        skipped.append("w4_throughput.png: no W4 figure")
    else:
        fig, ax = plt.subplots(figsize=(8, 4.6))
        ax.bar(range(len(shown)), [b[1] for b in shown], 0.6, color=[b[2] for b in shown])
        ax.set_xticks(range(len(shown)), [b[0] for b in shown])
        ax.set_xlim(-0.8, len(shown) - 0.2)
        for i, (_, v, _) in enumerate(shown):
            ax.text(i, v, f"{v:.1f}", ha="center", va="bottom", fontsize=8)
        for mode, limit in (("cold", 60), ("warm", 500)):
            ax.axhline(
                limit, color=colors[mode], linestyle="--", linewidth=1, label=f"target {mode}: {limit} jobs/s"
            )
        values = [b[1] for b in shown] + [60, 500]
        if max(values) / max(0.1, min(values)) > 20:
            ax.set_yscale("log")
            ax.set_ylim(max(0.1, min(values) / 3), max(values) * 2)
            ax.yaxis.set_major_formatter(ScalarFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_ylabel("jobs/s, log scale (higher is better)")
        else:
            ax.set_ylim(0, max(values) * 1.15)
            ax.set_ylabel("jobs/s (higher is better)")
        jobs = dig(results, "W4", "cold", "jobs") or dig(results, "W4", "warm", "jobs") or sizes.w4_jobs
        ax.set_title(
            f"W4: draining a backlog of {jobs} trivial jobs (Kiln: worker concurrency 2), measured here"
        )
        ax.legend(fontsize=8, loc="upper right")
        save(fig, "w4_throughput.png")
    return written, skipped


# --- the machine, the output -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    memory = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)

    def git(*args: str) -> str:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20, check=True
            ).stdout.strip()
        return ""

    return {
        "hostname": socket.gethostname(),
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "python": sys.version.split()[0],
        "os": stdlib_platform.platform(),
        "cpu": cpu_model(),
        "git_commit": git("rev-parse", "HEAD") or None,
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return None


def clean(value: Any) -> Any:
    """JSON-ready: NaN and infinities become null, tuples lists, keys text."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def parse_only(text: str | None, parser: argparse.ArgumentParser) -> list[str] | None:
    if not text:
        return None
    known = {name.lower(): name for name in (*SCENARIOS, "peers")}
    chosen = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if part.lower() not in known:
            parser.error(f"--only: unknown scenario {part!r} (known: {', '.join(known.values())})")
        chosen.append(known[part.lower()])
    return chosen


def summary(rows: list[Row]) -> list[dict[str, Any]]:
    """The table's rows as the JSON keeps them."""
    return [
        {
            "scenario": r.scenario,
            "metric": r.metric,
            "unit": r.unit,
            "cold": r.cold,
            "warm": None if r.single else r.warm,
            "single": r.single,
            "target": r.target_text or None,
            "status": r.status,
        }
        for r in rows
    ]


def ratio_block(results: dict[str, Any], peers: dict[str, Any]) -> dict[str, Any]:
    return {
        "note": "< 1 means Kiln is faster: a ratio of totals (W1-W3), of jobs/s inverted (W4)",
        **ratios(results, peers),
    }


def redraw(path: Path, peers_from: Path | None = None) -> int:
    """The table and the charts of an earlier run again, from its JSON (charts next to it).
    With `peers_from` (the JSON of `python -m bench.peers.run`, run on the same machine), those
    peers' figures replace the run's, and the run's JSON is rewritten with them and the ratios."""
    document = json.loads(path.read_text())
    sizes = Sizes(**{**document["sizes"], "w5_rates": tuple(document["sizes"]["w5_rates"])})
    results, peers = document["scenarios"], document["peers"]
    if peers_from is not None:
        peers = json.loads(peers_from.read_text())
        peers["from"] = f"{peers_from.name}: python -m bench.peers.run, separately, on the same machine"
    rows = build_rows(results, sizes)
    extra = temporal_row(results, peers)
    if extra is not None:
        rows.insert(max((i for i, r in enumerate(rows) if r.scenario == "W1"), default=-1) + 1, extra)
    text = table(rows, peers)
    print(text)
    if peers_from is not None:
        document["peers"] = peers
        document["ratios_kiln_over_peer"] = ratio_block(results, peers)
        document["table"] = text
        document["summary"] = summary(rows)
        path.write_text(json.dumps(clean(document), indent=2, sort_keys=False) + "\n")
    folder = path.with_suffix("")
    written, skipped = charts(results, peers, sizes, folder, document.get("caption") or "")
    print(f"suite: charts in {folder}: {', '.join(Path(w).name for w in written) or 'none'}")
    for reason in skipped:
        print(f"suite: chart skipped: {reason}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test of a few minutes)")
    parser.add_argument("--only", help=f"comma-separated scenarios: {','.join(SCENARIOS)},peers")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="output folder")
    parser.add_argument("--no-peers", action="store_true", help="do not run the peers")
    parser.add_argument("--runs", type=int, default=None, help="measured runs of W1-W3 (default 5; quick 1)")
    parser.add_argument(
        "--charts-from", type=Path, help="only redraw the charts (and the table) of an earlier run's JSON"
    )
    parser.add_argument(
        "--peers-from",
        type=Path,
        help="with --charts-from: take the peers from this JSON (python -m bench.peers.run --json FILE)",
    )
    opts = parser.parse_args(argv)
    if opts.charts_from:
        return redraw(opts.charts_from, opts.peers_from)
    only = parse_only(opts.only, parser)
    sizes = QUICK if opts.quick else FULL
    if opts.runs is not None:
        sizes = Sizes(**{**asdict(sizes), "runs": max(1, opts.runs)})
    selected = [name for name in SCENARIOS if only is None or name in only]

    started = datetime.now()
    shared_redis = os.environ.get("REDIS_URL") and not os.environ.get("KILN_TEST_EMBEDDED_REDIS")
    print(
        f"suite: {'quick' if opts.quick else 'full'} run of {', '.join(selected) or 'no scenario'}; "
        f"database {'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}, "
        f"redis {'REDIS_URL' if shared_redis else 'embedded Valkey'}",
        flush=True,
    )
    results: dict[str, Any] = {}
    for name in selected:
        if name in BOTH_MODES:
            results[name] = {}
            for mode in MODES:
                work: Callable[[], dict[str, Any]]
                if name in ("W1", "W2"):
                    work = lambda name=name, mode=mode: run_w1_w2(name, mode, sizes)  # noqa: E731
                else:
                    runner = {"W3": run_w3, "W4": run_w4, "W5": run_w5, "W6": run_w6}[name]
                    work = lambda runner=runner, mode=mode: runner(mode, sizes)  # noqa: E731
                results[name][mode] = attempt(f"{name} {mode}", work)
        else:
            runner1 = {"log": run_log, "sched": run_sched, "joblist": run_joblist, "webhook": run_webhook}[
                name
            ]
            results[name] = {
                SINGLE_MODE: attempt(f"{name} ({SINGLE_MODE}, once)", lambda r=runner1: r(sizes))
            }

    peer_workloads = [w for w in PEER_WORKLOADS if w in selected]
    if opts.no_peers:
        peers: dict[str, Any] = {"skipped": "--no-peers", "peers": []}
    elif only is not None and "peers" not in only and not peer_workloads:
        peers = {"skipped": "no peer workload (W1-W4) among --only", "peers": []}
    else:
        peers = run_peers_safely(sizes, None if only is None else (peer_workloads or list(PEER_WORKLOADS)))

    rows = build_rows(results, sizes)
    extra = temporal_row(results, peers)
    if extra is not None:
        rows.insert(max((i for i, r in enumerate(rows) if r.scenario == "W1"), default=-1) + 1, extra)
    text = table(rows, peers)

    info = machine()
    stem = f"{started:%Y-%m-%d}-{info['hostname']}"
    out = opts.out if opts.out.is_absolute() else Path.cwd() / opts.out
    out.mkdir(parents=True, exist_ok=True)
    backends = next(
        (
            {"database": r["database"], "redis": r["redis"]}
            for modes in results.values()
            for r in modes.values()
            if isinstance(r, dict) and "database" in r
        ),
        {
            "database": "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite",
            "redis": "Redis" if shared_redis else "embedded Valkey",
        },
    )
    backend_text = f"{backends['database']} + {backends['redis']}"
    caption = (
        f"measured here: {info['hostname']}, {info['cores']} cores, {info['memory_gib']} GiB, "
        f"{backend_text}; worker concurrency 2; {'quick' if opts.quick else 'full'} run "
        f"({sizes.runs} measured run(s) after warm-up), {started:%Y-%m-%d}, "
        f"commit {(info['git_commit'] or '?')[:10]}{' (+ local changes)' if info['git_dirty'] else ''}"
    )
    written, charts_skipped = charts(results, peers, sizes, out / stem, caption)

    document = {
        "suite": "bench.suite",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "mode": "quick" if opts.quick else "full",
        "only": only,
        "sizes": asdict(sizes),
        "machine": {**info, **backends, "worker_concurrency": 2},
        "modes": {
            "cold": "KILN_WARM_RUNNERS=0: every job a fresh nsjail and interpreter (started ahead: "
            f"spare sandboxes, KILN_SPARE_SANDBOXES={os.environ.get('KILN_SPARE_SANDBOXES', '2')})",
            "warm": "platform defaults; saved scripts with settings.warm = true; inline flow steps warm by "
            "traffic after KILN_WARM_HOT_RUNS runs (warm-up runs before measuring)",
            "single": "log, sched, joblist, webhook: once, cold",
        },
        "scenarios": results,
        "peers": peers,
        "ratios_kiln_over_peer": ratio_block(results, peers),
        "published_w1_s": PUBLISHED_W1,
        "summary": summary(rows),
        "table": text,
        "caption": caption,
        "charts": [str(Path(w).relative_to(out)) for w in written],
        "charts_skipped": charts_skipped,
    }
    json_path = out / f"{stem}.json"
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(clean(document), indent=2, sort_keys=False) + "\n")
    tmp.replace(json_path)

    print()
    print(text)
    print()
    print(f"suite: figures in {json_path}")
    if written:
        print(f"suite: charts in {out / stem}: {', '.join(Path(w).name for w in written)}")
    for reason in charts_skipped:
        print(f"suite: chart skipped: {reason}")
    failed = [f"{n} {m}" for n, modes in results.items() for m, r in modes.items() if "error" in r]
    if failed:
        print(
            f"suite: {len(failed)} scenario run(s) failed: {', '.join(failed)} (their `error` is in the JSON)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
