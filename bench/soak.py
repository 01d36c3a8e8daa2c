#!/usr/bin/env python3
"""Soak: a long run of mixed load on one `kiln up`, watching every process for leaks.

For `--minutes` (30), all at once:

- webhooks: sync `run_wait_result` and async `run` requests, `--rate` (2) a second each;
- schedules: `--schedules` (3) every-second schedules;
- flows: a three-step flow every 5 s;
- log streaming: every 15 s a job printing a line every 0.2 s for 6 s, followed live by two
  websocket viewers that must get every line once, in order.

Every 10 s it samples each of the platform's processes (web, worker, its pool, scheduler,
Valkey, `kiln up`; not the short-lived jails): resident memory (VmRSS) and open file
descriptors. A role's growth compares its mean over the last three samples with its mean
over the three after warm-up (the first fifth of the run, 1 to 5 minutes). Target: every
role grows less than 10 %. At the end: log lines at ERROR (or tracebacks) in `kiln up`'s
output, and the exactly-once checker (tests/e2e/checker.py) over every job the load made.

Run from the repository root:  .venv/bin/python -m bench.soak [--minutes 30] [--out FILE]
Prints its figures (and writes them as JSON with --out); it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import platform, save_script
from tests.e2e.checker import check_jobs
from tests.e2e.harness import Kiln, processes_marked

NAP = "def main(n: int = 0):\n    print('start', flush=True)\n    return n\n"
LINES = (
    "import time\n\ndef main():\n    print('start', flush=True)\n"
    "    for i in range(30):\n        print(f'line {i}', flush=True)\n        time.sleep(0.2)\n"
)
STEP = {"type": "rawscript", "language": "python3", "content": "def main(x: int = 0):\n    return x + 1\n"}
FLOW = {"value": {"modules": [{"id": f"s{i}", "value": STEP} for i in range(3)]}}
TRANSIENT = (b"nsjail", b"pasta", b"python_wrapper", b"python_warm", b"setpriv", b"nsenter")


def role(pid: int) -> str | None:
    """What a process of the platform is, or None for a job's short-lived processes."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if any(mark in cmdline for mark in TRANSIENT):
        return None
    args = cmdline.split(b"\0")
    for name in (b"web", b"scheduler", b"up"):
        if name in args:
            return name.decode()
    if b"worker" in args:
        return "worker" if int(stat[2]) == pid else "worker pool"  # stat[2]: the process group
    if b"valkey" in cmdline:
        return "valkey"
    return None


def sample(kiln: Kiln) -> dict[str, tuple[float, int]]:
    """Per role: RSS in MB and open fds, summed over its processes (the pool has several)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for pid in processes_marked(kiln.mark):
        name = role(pid)
        if name is None:
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            fds = len(list(Path(f"/proc/{pid}/fd").iterdir()))
        except OSError:
            continue
        rss_kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        totals[name][0] += rss_kb / 1024
        totals[name][1] += fds
    return {name: (rss, int(fds)) for name, (rss, fds) in totals.items()}


class Load:
    """The mixed load, each kind in a thread of its own, pacing itself."""

    def __init__(self, kiln: Kiln, rate: float, until: float) -> None:
        self.kiln, self.rate, self.until = kiln, rate, until
        self.jobs: list[str] = []
        self.flows: list[str] = []
        self.errors: list[str] = []
        self.streams = {"jobs": 0, "viewers ok": 0, "viewers bad": 0}
        self.lock = threading.Lock()

    def every(self, seconds: float, action: Any) -> threading.Thread:
        def loop() -> None:
            next_at = time.monotonic()
            while next_at < self.until:
                try:
                    action()
                except Exception as exc:  # counted, the soak goes on
                    with self.lock:
                        self.errors.append(f"{action.__name__}: {exc!r}"[:300])
                next_at += seconds
                time.sleep(max(0.0, next_at - time.monotonic()))

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def webhook_sync(self) -> None:
        status, body, headers = self.kiln.request(
            "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/nap", {"n": 1}
        )
        self._accepted(status, body, headers.get("x-kiln-job-id"), want=200)

    def webhook_async(self) -> None:
        status, body, _ = self.kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/nap", {"n": 2})
        self._accepted(status, body, body.get("id") if isinstance(body, dict) else None, want=201)

    def flow(self) -> None:
        status, body, _ = self.kiln.request("POST", "/api/w/main/jobs/run/f/f/soak/steps", {})
        if status == 201:
            with self.lock:
                self.flows.append(body["id"])
        else:
            raise AssertionError(f"flow run: {status} {body}")

    def stream(self) -> None:
        from websockets.sync.client import connect

        status, body, _ = self.kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/lines", {})
        self._accepted(status, body, body.get("id") if isinstance(body, dict) else None, want=201)
        job_id = body["id"]
        want = "start\n" + "".join(f"line {i}\n" for i in range(30))

        def view() -> None:
            text, ok = "", False
            try:
                with connect(self.kiln.ws_url(job_id), open_timeout=10) as ws:
                    while True:
                        message = json.loads(ws.recv(timeout=60))
                        if message["type"] == "done":
                            ok = text == want and message["status"] == "success"
                            break
                        text += message["data"]
            except Exception:
                ok = False
            with self.lock:
                self.streams["viewers ok" if ok else "viewers bad"] += 1

        viewers = [threading.Thread(target=view, daemon=True) for _ in range(2)]
        for viewer in viewers:
            viewer.start()
        with self.lock:
            self.streams["jobs"] += 1

    def _accepted(self, status: int, body: Any, job_id: str | None, *, want: int) -> None:
        if status != want or job_id is None:
            raise AssertionError(f"{status} {str(body)[:200]}")
        with self.lock:
            self.jobs.append(job_id)


def growth(samples: list[tuple[float, dict[str, tuple[float, int]]]], warmup_s: float) -> dict[str, Any]:
    start = samples[0][0]
    after = [s for t, s in samples if t - start >= warmup_s][:3]
    last = [s for _, s in samples[-3:]]
    out: dict[str, Any] = {}
    for name in sorted({n for _, s in samples for n in s}):
        base = [s[name] for s in after if name in s]
        end = [s[name] for s in last if name in s]
        if not base or not end:
            continue
        rss0, rss1 = statistics.mean(b[0] for b in base), statistics.mean(e[0] for e in end)
        fd0, fd1 = statistics.mean(b[1] for b in base), statistics.mean(e[1] for e in end)
        out[name] = {
            "rss_mb": [round(rss0, 1), round(rss1, 1)],
            "rss_growth_pct": round(100 * (rss1 - rss0) / rss0, 1) if rss0 else 0.0,
            "fds": [round(fd0, 1), round(fd1, 1)],
            "fd_growth_pct": round(100 * (fd1 - fd0) / fd0, 1) if fd0 else 0.0,
        }
    return out


def all_scheduled(kiln: Kiln) -> list[str]:
    """Every job the schedules made (they all run u/admin/nap)."""
    ids: list[str] = []
    cursor = ""
    while True:
        status, page, _ = kiln.request(
            "GET", f"/api/w/main/jobs?path=u/admin/nap&trigger=schedule&limit=500{cursor}"
        )
        assert status == 200, page
        ids += [job["id"] for job in page["items"]]
        if not page.get("next_cursor"):
            return ids
        cursor = f"&cursor={page['next_cursor']}"


def soak(minutes: float, rate: float, schedules: int) -> dict[str, Any]:
    # Every process's memory is what is watched: the job retention and heartbeats as they are.
    with platform(env={"KILN_WORKER_CONCURRENCY": "2"}) as kiln:
        save_script(kiln, "u/admin/nap", NAP)
        save_script(kiln, "u/admin/lines", LINES)
        status, body, _ = kiln.request("POST", "/api/w/main/flows", {"path": "f/soak/steps", **FLOW})
        assert status in (200, 201), body
        for i in range(schedules):
            status, body, _ = kiln.request(
                "POST",
                "/api/w/main/schedules",
                {"path": f"u/admin/every_second_{i}", "script_path": "u/admin/nap", "cron": "* * * * * *"},
            )
            assert status == 201, body
        started = time.monotonic()
        until = started + minutes * 60
        load = Load(kiln, rate, until)
        threads = [
            load.every(1 / rate, load.webhook_sync),
            load.every(1 / rate, load.webhook_async),
            load.every(5, load.flow),
            load.every(15, load.stream),
        ]
        samples: list[tuple[float, dict[str, tuple[float, int]]]] = []
        while time.monotonic() < until:
            samples.append((time.monotonic(), sample(kiln)))
            time.sleep(min(10.0, max(0.0, until - time.monotonic())))
        samples.append((time.monotonic(), sample(kiln)))
        for thread in threads:
            thread.join(timeout=120)
        for i in range(schedules):
            kiln.request(
                "POST", f"/api/w/main/schedules/enabled/p/u/admin/every_second_{i}", {"enabled": False}
            )
        time.sleep(10)  # the last jobs end
        scheduled = all_scheduled(kiln)
        jobs = sorted(set(load.jobs) | set(scheduled))
        for job_id in jobs + load.flows:
            kiln.wait_job(job_id, {"success", "failure", "canceled", "timeout", "crashed"}, timeout=120)
        try:
            check_jobs(kiln, jobs, expect={"success"})
            check_jobs(kiln, load.flows, marker=None, expect={"success"})
            checker = "passed"
        except AssertionError as exc:
            checker = str(exc)[:2000]
        output = kiln.output()
        errors = [line for line in output.splitlines() if " ERROR " in line or line.startswith("Traceback")]
        warmup_s = min(300.0, max(60.0, minutes * 60 / 5))
        return {
            "minutes": minutes,
            "rate_per_kind": rate,
            "schedules": schedules,
            "jobs": len(jobs),
            "flows": len(load.flows),
            "streams": load.streams,
            "load_errors": load.errors[:20],
            "load_error_count": len(load.errors),
            "log_errors": errors[:20],
            "log_error_count": len(errors),
            "checker": checker,
            "warmup_s": warmup_s,
            "growth": growth(samples, warmup_s) if minutes * 60 > warmup_s else {},
            "samples": [(round(t - started, 1), s) for t, s in samples],
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument(
        "--rate", type=float, default=2.0, help="sync and async webhook requests a second, each"
    )
    parser.add_argument("--schedules", type=int, default=3)
    parser.add_argument("--out", type=Path)
    opts = parser.parse_args()
    result = soak(opts.minutes, opts.rate, opts.schedules)
    print(
        f"soak: {result['minutes']:g} min, {result['jobs']} jobs, {result['flows']} flows, "
        f"streams {result['streams']}"
    )
    print(f"  load errors: {result['load_error_count']}  {result['load_errors'][:3]}")
    print(f"  log errors: {result['log_error_count']}  {result['log_errors'][:3]}")
    print(f"  exactly-once checker: {result['checker']}")
    print(f"  growth after {result['warmup_s']:.0f} s of warm-up (target < 10 % each):")
    if not result["growth"]:
        print("    (none: the run was not longer than its warm-up)")
    for name, g in result["growth"].items():
        verdict = "ok" if g["rss_growth_pct"] < 10 and g["fd_growth_pct"] < 10 else "OVER"
        print(
            f"    {name:12s} RSS {g['rss_mb'][0]:7.1f} -> {g['rss_mb'][1]:7.1f} MB "
            f"({g['rss_growth_pct']:+.1f} %)"
            f"   fds {g['fds'][0]:6.1f} -> {g['fds'][1]:6.1f} ({g['fd_growth_pct']:+.1f} %)   {verdict}"
        )
    if opts.out:
        opts.out.write_text(json.dumps(result, indent=2))
        print(f"  written to {opts.out}")


if __name__ == "__main__":
    main()
