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
import time
from pathlib import Path

from bench.sandbox_overhead import setup_django, start_valkey

TRIVIAL = "def main(n: int):\n    return n + 1\n"


def run(jobs: int, max_jobs: int) -> list[float]:
    from bench.profile_hot_path import owner
    from kiln.jobs.models import JobStatus
    from kiln.jobs.services import job_create
    from kiln.jobs.tasks import run_job
    from kiln.scripts.services import script_save

    workspace, user = owner()
    version = script_save(
        workspace=workspace,
        user=user,
        path="u/bench/recycled",
        language="python3",
        content=TRIVIAL,
        settings={"warm": True},
    ).version
    for _ in range(3):  # the cold first run (the lock), then the runner's first jobs
        run_job(str(job_create(workspace=workspace, user=user, version=version, args={"n": 0}).id))
    created = [
        job_create(workspace=workspace, user=user, version=version, args={"n": i}) for i in range(jobs)
    ]
    times = []
    for job in created:
        started = time.perf_counter()
        run_job(str(job.id))
        times.append((time.perf_counter() - started) * 1000)
    for job in created:
        job.refresh_from_db()
        if job.status != JobStatus.SUCCESS:
            raise SystemExit(f"a job did not succeed: {job.status} {job.error}")
    return times


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
            times = run(opts.jobs, opts.max_jobs)
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
