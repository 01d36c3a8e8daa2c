#!/usr/bin/env python3
"""Profile: the worker's hot path, in one process, with pyinstrument.

Sets Kiln up on a temporary data dir (SQLite + embedded Valkey unless DATABASE_URL / REDIS_URL
are set), then runs, with the Celery task's own code (`kiln.jobs.tasks.run_job`, called in
this process: no broker in between):

- `flow`: W1, a flow of 40 sequential `fibo(10)` steps (claim → sandbox → result → the flow
  advances → the next step, handed to the same runner), after one warm-up run;
- `job`: 100 runs of a trivial script (claim → sandbox → result), after a warm-up.

Each with warm runners (the default) or `--cold`. Prints the wall time per step / per job and
pyinstrument's call tree (`--html FILE` writes the interactive page too). The findings are in
docs/performance.md.

Run from the repository root:  .venv/bin/python -m bench.profile_hot_path [--cold] [--what flow|job]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.sandbox_overhead import setup_django, start_valkey

FIBO = (
    "def fibo(n: int) -> int:\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\n\n"
    "def main(n: int):\n    return fibo(n)\n"
)


def flow_doc(steps: int) -> dict[str, Any]:
    module = {
        "type": "rawscript",
        "language": "python3",
        "content": FIBO,
        "input_transforms": {"n": {"type": "static", "value": 10}},
    }
    return {"summary": "W1", "value": {"modules": [{"id": f"s{i}", "value": module} for i in range(steps)]}}


def owner() -> tuple[Any, Any]:
    from kiln.accounts.models import Membership, Role, User, Workspace

    workspace, _ = Workspace.objects.get_or_create(
        id="bench", defaults={"name": "Bench", "settings": {"default_network": "none"}}
    )
    user = User.objects.filter(email="bench@example.com").first()
    if user is None:
        user = User.objects.create_user(email="bench@example.com", password="not-used-here")
        Membership.objects.create(user=user, workspace=workspace, role=Role.ADMIN)
    return workspace, user


def run_flow(steps: int) -> float:
    from kiln.flows.runs import flow_job_create
    from kiln.flows.services import flow_save
    from kiln.jobs.models import Job, JobStatus
    from kiln.jobs.tasks import run_job

    workspace, user = owner()
    version = flow_save(workspace=workspace, user=user, path="f/bench/w1", doc=flow_doc(steps)).version
    job = flow_job_create(workspace=workspace, user=user, version=version, args={})
    started = time.perf_counter()
    run_job(str(job.id))
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != JobStatus.SUCCESS:
        raise SystemExit(f"the flow did not succeed: {job.status} {job.error}")
    assert Job.objects.filter(parent=job).count() == steps
    return elapsed


def run_jobs(count: int) -> float:
    return sum(timed_jobs(count)) / 1000


def timed_jobs(count: int, warmups: int = 0) -> list[float]:
    """`count` runs of a trivial warm Python script, one after the other, each through the
    Celery task's own code (claim → sandbox → result), after `warmups` runs not counted:
    each counted run's time in ms. Raises SystemExit if one did not succeed."""
    from kiln.jobs.models import JobStatus
    from kiln.jobs.services import job_create
    from kiln.jobs.tasks import run_job
    from kiln.scripts.services import script_save

    workspace, user = owner()
    version = script_save(
        workspace=workspace,
        user=user,
        path="u/bench/inc",
        language="python3",
        content="def main(n: int):\n    return n + 1\n",
        settings={"warm": True},
    ).version
    for _ in range(warmups):
        run_job(str(job_create(workspace=workspace, user=user, version=version, args={"n": 0}).id))
    jobs = [job_create(workspace=workspace, user=user, version=version, args={"n": i}) for i in range(count)]
    times = []
    for job in jobs:
        started = time.perf_counter()
        run_job(str(job.id))
        times.append((time.perf_counter() - started) * 1000)
    for job in jobs:
        job.refresh_from_db()
        if job.status != JobStatus.SUCCESS:
            raise SystemExit(f"a job did not succeed: {job.status} {job.error}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--what", choices=("flow", "job"), default="flow")
    parser.add_argument("--cold", action="store_true", help="KILN_WARM_RUNNERS=0: every job in a new jail")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML page here")
    opts = parser.parse_args()
    os.environ["KILN_WARM_RUNNERS"] = "0" if opts.cold else "1"
    os.environ["KILN_WARM_HOT_RUNS"] = "3"
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory(prefix="kiln-profile-") as tmp:
        valkey = start_valkey(Path(tmp))
        try:
            setup_django(Path(tmp) / "data")
            run = (lambda: run_flow(opts.steps)) if opts.what == "flow" else (lambda: run_jobs(100))
            per = opts.steps if opts.what == "flow" else 100
            for _ in range(2):
                run()  # warm-up: the dependency lock, the runners, Django's first queries
            profiler = Profiler(interval=0.0005)
            profiler.start()
            elapsed = run()
            profiler.stop()
            mode = "cold" if opts.cold else "warm"
            print(f"{opts.what}, {mode}: {elapsed * 1000:.0f} ms, {elapsed * 1000 / per:.1f} ms per step/job")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            if opts.html:
                opts.html.write_text(profiler.output_html())
        finally:
            from kiln.jobs.warm import pool

            pool.close_all()
            if valkey is not None:
                valkey.stop()


if __name__ == "__main__":
    main()
