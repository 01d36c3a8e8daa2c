#!/usr/bin/env python3
"""Benchmark: what a warm runner's recycling costs the jobs around it.

Sets Kiln up on a temporary data dir (SQLite + embedded Valkey unless DATABASE_URL / REDIS_URL
are set), saves a trivial Python script marked warm, and runs N jobs one after the other with
the Celery task's own code (`kiln.jobs.tasks.run_job`, in this process: no broker), with
KILN_WARM_MAX_JOBS set low (`--max-jobs`) so the runner is recycled every so many jobs. It
prints each job's time (the task's call, claim to finish) as median, p99 and max, and the
slowest job of each run of `--max-jobs` jobs (each holds one recycle), against the median.

Before successors (2026-12-07), the job after a recycle waited for the new runner's start:
about 60-75 ms against a median of 3 ms on the reference machine.

Run from the repository root:
    .venv/bin/python -m bench.warm_recycle [--jobs 500] [--max-jobs 100]
It prints its figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench.profile_hot_path import timed_jobs
from bench.sandbox_overhead import setup_django, start_valkey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--max-jobs", type=int, default=100, help="KILN_WARM_MAX_JOBS")
    opts = parser.parse_args()
    os.environ["KILN_WARM_RUNNERS"] = "1"
    os.environ["KILN_WARM_MAX_JOBS"] = str(opts.max_jobs)
    with tempfile.TemporaryDirectory(prefix="kiln-recycle-") as tmp:
        valkey = start_valkey(Path(tmp))
        try:
            setup_django(Path(tmp) / "data")
            # the cold first run (it resolves the lock), then the runner's first jobs
            times = timed_jobs(opts.jobs, warmups=3)
        finally:
            from kiln.jobs.warm import pool

            pool.close_all()
            if valkey is not None:
                valkey.stop()
    median = statistics.median(times)
    p99 = statistics.quantiles(times, n=100)[98]
    print(
        f"{opts.jobs} warm jobs, a runner recycled every {opts.max_jobs}: median {median:.1f} ms, "
        f"p99 {p99:.1f} ms, max {max(times):.1f} ms"
    )
    # each window holds one recycle: its slowest job is the one that paid for it, if any did
    windows = [times[i : i + opts.max_jobs] for i in range(0, len(times), opts.max_jobs)]
    slowest = ", ".join(f"{max(w):.1f}" for w in windows)
    print(f"the slowest job of each run of --max-jobs jobs: {slowest} ms")


if __name__ == "__main__":
    main()
