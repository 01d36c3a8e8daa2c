"""Benchmark: the CPU a warm runner and each job's forked process cost, outside any jail.

Drives `scripts_runtime/wrappers/python_warm.py` (or another copy of it, `--wrapper`) as the
worker does, over its pipes: a trivial `main.py` in a temporary job dir, the SDK on its path,
N commands one after the other, each answered before the next. Only the runner and its jobs'
processes run, so the figures hold no claim, no database and no sandbox: what the template's
size, the fork, the copy-on-write faults and the runner's loop cost. It prints

- the job's process: CPU per job (mean and median of the runner's `cpu_s`, from `wait4`),
  and its minor page faults per job (the runner's reaped children's, from /proc);
- the runner's own CPU per job (from /proc, its children excluded) and its own minor page
  faults per job;
- the template's resident memory.

Run from the repository root:
    .venv/bin/python -m bench.warm_runner_cpu [--jobs 2000] [--script FILE] [--wrapper FILE]
Compare two versions of the wrapper by alternating runs (the machine's speed drifts). It
prints its figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cpu import own_seconds, stat_after_comm

MINFLT, CMINFLT = 7, 8  # in /proc/<pid>/stat after the command: minflt, cminflt (proc(5))


def _counters(pid: int) -> tuple[float, int, int]:
    """A process's own CPU seconds, its minor page faults and its reaped children's."""
    rest = stat_after_comm(pid)
    return own_seconds(rest), int(rest[MINFLT]), int(rest[CMINFLT])


ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "def main(n: int = 1):\n    return n + 1\n"


def run(jobs: int, script: str, wrapper: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as job_dir:
        Path(job_dir, "main.py").write_text(script)
        read, write = os.pipe()
        env = dict(
            os.environ,
            KILN_JOB_DIR=job_dir,
            KILN_SDK_DIR=str(ROOT / "scripts_runtime" / "sdk"),
            KILN_WARM_FD=str(write),
        )
        runner = subprocess.Popen(
            [sys.executable, "-I", "-S", str(wrapper)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=env,
            pass_fds=[write],
        )
        os.close(write)
        assert runner.stdin is not None
        with os.fdopen(read) as control:
            ready = json.loads(control.readline())
            child_cpu: list[float] = []
            before, started = _counters(runner.pid), time.perf_counter()
            answer: dict[str, float] = {}
            for n in range(jobs):
                command = {"env": {"KILN_JOB_ID": str(n)}, "cpu_s": 10, "args": {"n": n}}
                runner.stdin.write(json.dumps(command).encode() + b"\n")
                runner.stdin.flush()
                answer = json.loads(control.readline())
                child_cpu.append(float(answer["cpu_s"]))
                Path(job_dir, "result.json").unlink(missing_ok=True)
            after, wall = _counters(runner.pid), time.perf_counter() - started
            own, faults, child_faults = (a - b for a, b in zip(after, before, strict=True))
            runner.stdin.close()
            runner.wait(10)
    return {
        "job_process_cpu_ms_mean": statistics.fmean(child_cpu) * 1000,
        "job_process_cpu_ms_median": statistics.median(child_cpu) * 1000,
        "job_process_faults": child_faults / jobs,
        "runner_cpu_ms_per_job": own / jobs * 1000,
        "runner_faults_per_job": faults / jobs,
        "wall_ms_per_job": wall / jobs * 1000,
        "template_rss_kb": float(ready.get("rss_kb", 0)),
        "rss_kb_at_end": float(answer.get("rss_kb", 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--script", type=Path, help="main.py to run (default: a trivial one)")
    parser.add_argument(
        "--wrapper", type=Path, default=ROOT / "scripts_runtime" / "wrappers" / "python_warm.py"
    )
    args = parser.parse_args()
    script = args.script.read_text() if args.script else TRIVIAL
    figures = run(args.jobs, script, args.wrapper)
    print(
        f"warm runner, {args.jobs} jobs: the job's process {figures['job_process_cpu_ms_mean']:.2f} ms "
        f"of CPU (median {figures['job_process_cpu_ms_median']:.2f}), "
        f"{figures['job_process_faults']:.0f} minor faults; the runner "
        f"{figures['runner_cpu_ms_per_job']:.2f} ms per job, {figures['runner_faults_per_job']:.0f} faults; "
        f"{figures['wall_ms_per_job']:.2f} ms per job in all; "
        f"template RSS {figures['template_rss_kb']:.0f} KB"
    )


if __name__ == "__main__":
    main()
