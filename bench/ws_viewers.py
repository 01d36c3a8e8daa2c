#!/usr/bin/env python3
"""Benchmark: one running job watched live by many websocket viewers.

Starts Kiln with `kiln up` (the end-to-end tests' harness), runs a job that waits a few
seconds (so every viewer is connected), then prints N lines stamped with the wall clock,
and connects V viewers to `/ws/w/main/jobs/<id>/logs?from=0` at once. Each viewer records
when every line arrives. It prints

- how many viewers got every line, in order, with no gap or repeat, then `done`;
- the delivery latency (arrival minus the time the job printed the line; the job and the
  viewers share this machine's clock) p50 / p95 / max over all viewers and lines.

Run from the repository root:  .venv/bin/python -m bench.ws_viewers [--viewers 200] [--lines 50]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from bench.run_latency import percentile
from tests.e2e.harness import Kiln

STAMPED = (
    "import time\n\n"
    "def main(lines: int, interval: float, wait: float):\n"
    "    time.sleep(wait)\n"
    "    for i in range(lines):\n"
    "        print(f'{time.time():.6f} {i}', flush=True)\n"
    "        time.sleep(interval)\n"
    "    return lines\n"
)


STAMP = re.compile(r"(\d+\.\d+) (\d+)")  # a line the job printed: its wall-clock time, its number


@dataclass
class View:
    """What one viewer saw: (arrival time, message) in order, or the error that stopped it."""

    messages: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    error: str = ""
    connected: float = 0.0  # when the socket opened

    def complete(self, lines: int) -> bool:
        """Every line, in order, each once (offsets tile the log), then `done` with success."""
        if self.error or not self.messages or self.messages[-1][1].get("type") != "done":
            return False
        text, position = "", 0
        for _, message in self.messages[:-1]:
            if message.get("type") != "log" or message["offset"] != position:
                return False
            text += message["data"]
            position += len(message["data"].encode())
        parsed = [STAMP.fullmatch(line) for line in text.splitlines()]
        numbers = [int(m[2]) if m else -1 for m in parsed]
        done = self.messages[-1][1]
        return numbers == list(range(lines)) and done["status"] == "success" and done["log_size"] == position

    def stamps(self) -> list[tuple[float, float]]:
        """(printed, arrived) for each stamped line: the time in the line, the time it came."""
        found, partial = [], ""
        for arrived, message in self.messages:
            if message.get("type") == "log":  # a line split over two messages arrives with the second
                *lines, partial = (partial + message["data"]).split("\n")
                matches = (STAMP.fullmatch(line) for line in lines)
                found += [(float(m[1]), arrived) for m in matches if m]
        return found

    def latencies(self) -> list[float]:
        """Seconds from print to arrival, for each line."""
        return [arrived - printed for printed, arrived in self.stamps()]


async def watch(url: str, timeout: float = 120) -> View:
    view = View()
    try:
        async with connect(url, open_timeout=60, max_size=None) as ws:
            view.connected = time.time()
            while not view.messages or view.messages[-1][1].get("type") != "done":
                raw = await asyncio.wait_for(ws.recv(), timeout)
                view.messages.append((time.time(), json.loads(raw)))
    except Exception as exc:  # counted as a viewer that did not get everything
        view.error = repr(exc)
    return view


def summary(values: list[float]) -> str:
    if not values:
        return "no line arrived"
    ms = [v * 1000 for v in values]
    return f"p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms"


def start_job(kiln: Kiln, lines: int, interval: float, wait: float) -> str:
    status, body, _ = kiln.request(
        "POST", "/api/w/main/jobs/run/p/u/admin/stamped", {"lines": lines, "interval": interval, "wait": wait}
    )
    assert status == 201, (status, body)
    return str(body["id"])


async def fan_out(kiln: Kiln, job_id: str, viewers: int) -> list[View]:
    return list(await asyncio.gather(*(watch(kiln.ws_url(job_id)) for _ in range(viewers))))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between lines")
    parser.add_argument("--wait", type=float, default=5.0, help="seconds the job waits before printing")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.start()
        try:
            kiln.save_script("u/admin/stamped", STAMPED)
            job_id = start_job(kiln, opts.lines, opts.interval, opts.wait)
            views = asyncio.run(fan_out(kiln, job_id, opts.viewers))
            complete = sum(view.complete(opts.lines) for view in views)
            if complete < len(views):
                sample = next(view for view in views if not view.complete(opts.lines))
                print(f"an incomplete view: {sample.error or sample.messages[:3]}")
            errors = [view.error for view in views if view.error]
            latencies = [lat for view in views for lat in view.latencies()]
            print(
                f"{opts.viewers} viewers of one job printing {opts.lines} lines every {opts.interval}s: "
                f"{complete} got every line in order once, then done"
                + (f"; {len(errors)} failed, e.g. {errors[0]}" if errors else "")
            )
            if latencies:
                first_line = min(printed for view in views for printed, _ in view.stamps())
                early = sum(1 for view in views if view.connected and view.connected < first_line)
                print(
                    f"print-to-viewer latency over {len(latencies)} deliveries: {summary(latencies)} "
                    f"({early} viewers connected before the first line)"
                )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
