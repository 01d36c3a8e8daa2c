#!/usr/bin/env python3
"""Benchmark W5: open-loop latency of the sync webhook, `run_wait_result`, at fixed rates.

Starts Kiln with `kiln up` (the end-to-end tests' harness; SQLite + embedded Valkey unless
DATABASE_URL / REDIS_URL are set; worker concurrency 2) with the run-endpoint rate limits off
(KILN_RATE_LIMIT_TOKEN=0, KILN_RATE_LIMIT_IP=0), saves a one-line Python script, warms up, then
for each rate (1, 10 and 50 requests/s) sends `POST /api/w/main/jobs/run_wait_result/p/<path>`
for `--seconds` (10) on a fixed schedule: open loop, request i goes out at start + i / rate
whatever the earlier ones are doing (each on a keep-alive connection of a pool that grows as
needed), so a slow platform meets a queue instead of a slower client. Latency is measured from
each request's scheduled time to its response (no coordinated omission). Before the next rate,
every response of this one is in.

Per rate: p50 / p95 / p99 / max of the 200 responses in ms, p99/p50, errors (202 = the result
was not ready within KILN_SYNC_WAIT, other statuses, connection errors). The load generator is
plain asyncio on raw HTTP/1.1 (bench/webhook_load.py's Connection), on the same machine.

Modes: cold (`KILN_WARM_RUNNERS=0`) and warm (the defaults, the script saved with
`settings: {"warm": true}`); each on a fresh platform. Both by default.

Run from the repository root:
    .venv/bin/python -m bench.webhook_latency [--rates 1,10,50] [--seconds 10] [--mode cold|warm|both]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bench.common import MODES, percentile, platform, save_script, warmup_count
from bench.webhook_load import Connection
from tests.e2e.harness import Kiln

SCRIPT = "def main(n: int):\n    return n + 1\n"
HOOK = "u/admin/sync_hook"
RATES = (1.0, 10.0, 50.0)
REQUEST_TIMEOUT_S = 90.0  # above the harness's KILN_SYNC_WAIT (60 s), after which Kiln answers 202
RATE_LIMITS_OFF = {"KILN_RATE_LIMIT_TOKEN": "0", "KILN_RATE_LIMIT_IP": "0"}


# uvicorn closes a keep-alive connection idle for 5 s; one idle about that long may be closed
# by the server just as a request goes out on it (the client's error, not the platform's).
IDLE_KEPT_S = 4.0


@dataclass
class Pool:
    """Keep-alive connections: an idle one if there is one (idle less than IDLE_KEPT_S), else a
    new one."""

    host: str
    port: int
    idle: list[tuple[float, Connection]] = field(default_factory=list)
    opened: int = 0
    stale: list[Connection] = field(default_factory=list)

    def take(self) -> Connection:
        while self.idle:
            since, conn = self.idle.pop()
            if time.monotonic() - since < IDLE_KEPT_S:
                return conn
            self.stale.append(conn)
        self.opened += 1
        return Connection(self.host, self.port)

    def give_back(self, conn: Connection) -> None:
        self.idle.append((time.monotonic(), conn))

    async def close(self) -> None:
        for conn in [*self.stale, *(c for _, c in self.idle)]:
            await conn.close()
        self.idle.clear()
        self.stale.clear()


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    late_sends_ms: list[float] = field(default_factory=list)  # how late the client sent (its own lag)
    wrong_results: int = 0
    connections: int = 0  # keep-alive connections the pool opened


def request_bytes(host: str, port: int, token: str, path: str, n: int) -> tuple[bytes, bytes]:
    body = json.dumps({"n": n}).encode()
    head = (
        f"POST /api/w/main/jobs/run_wait_result/p/{quote(path)} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode()
    return head, body


async def one(pool: Pool, token: str, path: str, n: int, scheduled: float, tally: Tally) -> None:
    tally.late_sends_ms.append((time.perf_counter() - scheduled) * 1000)
    conn = pool.take()
    head, body = request_bytes(pool.host, pool.port, token, path, n)
    try:
        status, payload = await asyncio.wait_for(conn.request(head, body), REQUEST_TIMEOUT_S)
    except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
        tally.errors[type(exc).__name__] += 1
        await conn.close()
        return
    elapsed_ms = (time.perf_counter() - scheduled) * 1000
    pool.give_back(conn)
    tally.statuses[status] += 1
    if status == 200:
        tally.latencies_ms.append(elapsed_ms)
        try:
            if json.loads(payload) != n + 1:
                tally.wrong_results += 1
        except ValueError:
            tally.wrong_results += 1


async def open_loop(host: str, port: int, token: str, path: str, rate: float, seconds: float) -> Tally:
    """Send rate * seconds requests at their scheduled times; wait for every response."""
    pool = Pool(host, port)
    tally = Tally()
    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(max(1, round(rate * seconds))):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(pool, token, path, i, scheduled, tally)))
    await asyncio.gather(*tasks)
    await pool.close()
    tally.connections = pool.opened
    return tally


def figures(rate: float, seconds: float, tally: Tally) -> dict[str, Any]:
    lat = tally.latencies_ms
    p50 = percentile(lat, 0.50) if lat else None
    p99 = percentile(lat, 0.99) if lat else None
    errors = {f"HTTP {status}": n for status, n in sorted(tally.statuses.items()) if status != 200}
    errors.update(tally.errors)
    if tally.wrong_results:
        errors["wrong result"] = tally.wrong_results
    return {
        "rate_per_s": rate,
        "seconds": seconds,
        "requests": round(rate * seconds) or 1,
        "ok": tally.statuses.get(200, 0),
        "errors": sum(errors.values()),
        "errors_by_kind": errors,
        "p50_ms": p50,
        "p95_ms": percentile(lat, 0.95) if lat else None,
        "p99_ms": p99,
        "max_ms": max(lat) if lat else None,
        "p99_over_p50": p99 / p50 if p50 and p99 is not None else None,
        "client_send_lag_max_ms": max(tally.late_sends_ms) if tally.late_sends_ms else None,
        "connections": tally.connections,
    }


def measure(
    kiln: Kiln, rates: tuple[float, ...] = RATES, seconds: float = 10.0, warm: bool = False, warmups: int = 3
) -> dict[str, Any]:
    """On a running platform (rate limits off): save the script (with the `warm` setting if asked),
    run it `warmups` times, then each rate in turn. The figures, as a dict (per rate, keyed by
    the rate as text: "1", "10", "50")."""
    warm_setting = save_script(kiln, HOOK, SCRIPT, warm=warm)
    for i in range(warmups):
        status, result, _ = kiln.request("POST", f"/api/w/main/jobs/run_wait_result/p/{HOOK}", {"n": i})
        assert (status, result) == (200, i + 1), (status, result)
    out: dict[str, Any] = {"warm_setting": warm_setting, "warmups": warmups, "rates": {}}
    for rate in rates:
        tally = asyncio.run(open_loop("127.0.0.1", kiln.port, kiln.token, HOOK, rate, seconds))
        out["rates"][f"{rate:g}"] = figures(rate, seconds, tally)
    return out


def line(mode: str, r: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f} ms"

    ratio = "-" if r["p99_over_p50"] is None else f"{r['p99_over_p50']:.1f}"
    return (
        f"W5 {mode}: {r['rate_per_s']:g} req/s for {r['seconds']:g}s ({r['requests']} requests): "
        f"p50 {ms(r['p50_ms'])}, p95 {ms(r['p95_ms'])}, p99 {ms(r['p99_ms'])}, max {ms(r['max_ms'])}; "
        f"p99/p50 {ratio}; errors {r['errors_by_kind'] or 0}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", default="1,10,50", help="requests/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each rate lasts")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both")
    opts = parser.parse_args()
    rates = tuple(float(r) for r in opts.rates.split(","))
    for mode in MODES:
        if opts.mode not in (mode, "both"):
            continue
        with platform(mode, RATE_LIMITS_OFF) as kiln:
            r = measure(kiln, rates, opts.seconds, warm=mode == "warm", warmups=warmup_count(mode) + 2)
        print(f"W5 {mode}: warm setting {r['warm_setting']}", flush=True)
        for figures_of_rate in r["rates"].values():
            print(line(mode, figures_of_rate), flush=True)


if __name__ == "__main__":
    main()
