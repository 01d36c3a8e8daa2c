#!/usr/bin/env python3
"""Benchmark: the async webhook endpoint under sustained load from many clients.

Starts Kiln with `kiln up` (the end-to-end tests' harness: fresh data dir, free port,
SQLite, worker concurrency 2) with the run-endpoint rate limits off
(KILN_RATE_LIMIT_TOKEN=0, KILN_RATE_LIMIT_IP=0: the default 12,000 a minute per token
would otherwise cap the bench), saves a one-line Python script, then has N clients
(default 50) each send `POST /api/w/main/jobs/run/p/u/admin/hook` with a JSON body and
a bearer token back to back, on one HTTP/1.1 keep-alive connection each, for S seconds
(default 30). It prints

- total requests, 2xx responses, non-2xx responses by status, connection errors;
- requests/s (responses / wall time, the requests in flight at the end included);
- latency p50 / p95 / p99 / max in ms (request written → response read);
- the jobs of that script the platform lists (`GET …/jobs?path=…`, every cursor page)
  and whether that count equals the 2xx responses (a MISMATCH line if not).

It does not wait for the jobs to run: the worker drains the backlog meanwhile (sharing
the cores with the platform and this client), and the platform is stopped at the end.
The load generator is plain asyncio (no wrk/locust), one process, on the same machine.

Run from the repository root:  .venv/bin/python -m bench.webhook_load [--clients 50] [--seconds 30]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.run_latency import percentile
from tests.e2e.harness import Kiln, processes_marked

SCRIPT = "def main(n: int):\n    return n + 1\n"
HOOK = "u/admin/hook"
WARMUP = "u/admin/warmup"
REQUEST_TIMEOUT_S = 60.0


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    job_ids: set[str] = field(default_factory=set)


class Connection:
    """One HTTP/1.1 keep-alive connection: a request written, its response read, repeat."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()  # the empty trailer
            payload = b"".join(chunks)
        else:
            payload = await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return status, payload


async def client(number: int, host: str, port: int, token: str, deadline: float, tally: Tally) -> None:
    conn = Connection(host, port)
    path = f"/api/w/main/jobs/run/p/{quote(HOOK)}"
    sent = 0
    try:
        while time.perf_counter() < deadline:
            body = json.dumps({"n": number * 1_000_000 + sent}).encode()
            head = (
                f"POST {path} HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n"
                f"Authorization: Bearer {token}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                "\r\n"
            ).encode()
            sent += 1
            t0 = time.perf_counter()
            try:
                status, payload = await asyncio.wait_for(conn.request(head, body), REQUEST_TIMEOUT_S)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                tally.errors[type(exc).__name__] += 1
                await conn.close()
                continue
            tally.latencies_ms.append((time.perf_counter() - t0) * 1000)
            tally.statuses[status] += 1
            if 200 <= status < 300:
                try:
                    tally.job_ids.add(str(json.loads(payload)["id"]))
                except (ValueError, KeyError, TypeError):
                    tally.errors["2xx without a job id"] += 1
    finally:
        await conn.close()


async def load(host: str, port: int, token: str, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(client(i, host, port, token, deadline, tally) for i in range(clients)))
    return tally, time.perf_counter() - start


def listed_jobs(kiln: Kiln, path: str) -> list[str]:
    """The ids of every job of `path`, following next_cursor to the last page."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        query = f"/api/w/main/jobs?path={quote(path)}&limit=500"
        if cursor:
            query += f"&cursor={quote(cursor)}"
        status, body, _ = kiln.request("GET", query)
        assert status == 200, (status, body)
        ids.extend(str(item["id"]) for item in body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            return ids


def measure(kiln: Kiln, clients: int, seconds: float) -> dict[str, Any]:
    """On a running platform with the rate limits off: save the scripts, warm up, load the
    endpoint from `clients` clients for `seconds`, then count the jobs listed. The figures, as a dict."""
    kiln.save_script(HOOK, SCRIPT)
    kiln.save_script(WARMUP, SCRIPT)
    for i in range(5):  # warm-up, on another script so it is not counted below
        status, body, _ = kiln.request("POST", f"/api/w/main/jobs/run/p/{WARMUP}", {"n": i})
        assert status == 201, (status, body)

    tally, elapsed = asyncio.run(load("127.0.0.1", kiln.port, kiln.token, clients, seconds))
    responses = sum(tally.statuses.values())
    ok = sum(n for status, n in tally.statuses.items() if 200 <= status < 300)
    lat = tally.latencies_ms
    listed = listed_jobs(kiln, HOOK)
    return {
        "clients": clients,
        "seconds": seconds,
        "wall_s": elapsed,
        "requests": responses + sum(tally.errors.values()),
        "ok": ok,
        "non_2xx": {status: n for status, n in sorted(tally.statuses.items()) if not 200 <= status < 300},
        "errors": dict(tally.errors),
        "requests_per_s": responses / elapsed,
        "p50_ms": percentile(lat, 0.50) if lat else None,
        "p95_ms": percentile(lat, 0.95) if lat else None,
        "p99_ms": percentile(lat, 0.99) if lat else None,
        "max_ms": max(lat) if lat else None,
        "jobs_listed": len(listed),
        "jobs_listed_distinct": len(set(listed)),
        "listed_not_answered": len(set(listed) - tally.job_ids),
        "answered_not_listed": len(tally.job_ids - set(listed)),
        "jobs_match": len(listed) == ok and set(listed) == tally.job_ids,
        "answered_distinct": len(tally.job_ids),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent keep-alive clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients send")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.env["KILN_RATE_LIMIT_TOKEN"] = "0"
        kiln.env["KILN_RATE_LIMIT_IP"] = "0"
        kiln.start()
        try:
            print(
                "kiln up: SQLite, embedded Valkey, worker concurrency 2; "
                "KILN_RATE_LIMIT_TOKEN=0 and KILN_RATE_LIMIT_IP=0 (run-endpoint rate limits off)",
                flush=True,
            )
            r = measure(kiln, opts.clients, opts.seconds)
            print(
                f"POST /api/w/main/jobs/run/p/{HOOK}, {opts.clients} keep-alive clients for "
                f"{opts.seconds:g}s (wall {r['wall_s']:.1f}s with the last requests in flight)"
            )
            print(
                f"requests {r['requests']}: 2xx {r['ok']}, "
                f"non-2xx {r['non_2xx'] or 'none'}, connection errors {r['errors'] or 'none'}"
            )
            print(f"throughput {r['requests_per_s']:.0f} requests/s")
            if r["p50_ms"] is not None:
                print(
                    f"latency p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
                    f"p99 {r['p99_ms']:.0f} ms, max {r['max_ms']:.0f} ms"
                )
            if r["jobs_match"]:
                print(f"jobs created {r['jobs_listed']} == 2xx responses {r['ok']}: OK (the same job ids)")
            else:
                print(
                    f"MISMATCH: jobs created {r['jobs_listed']} (distinct {r['jobs_listed_distinct']}) != "
                    f"2xx responses {r['ok']} (distinct job ids {r['answered_distinct']}); "
                    f"listed but not answered {r['listed_not_answered']}, "
                    f"answered but not listed {r['answered_not_listed']}"
                )
        finally:
            try:
                kiln.stop()
            except subprocess.TimeoutExpired:
                print("kiln up did not stop within 60 s of SIGTERM; killed", flush=True)
                assert kiln.process is not None
                kiln.process.kill()
                kiln.process.wait(timeout=30)
                for pid in processes_marked(kiln.mark):  # its children, by pid
                    os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
