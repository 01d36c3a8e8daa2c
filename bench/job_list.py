#!/usr/bin/env python3
"""Benchmark: `GET /api/w/{ws}/jobs` with 100,000 jobs in the table, filtered and paged.
Target (issue 5): p95 under 200 ms.

Starts a real platform (`kiln up`, SQLite; or PostgreSQL when DATABASE_URL is set: a fresh
database is made from it), fills the jobs table with bulk inserts (mixed statuses, paths,
triggers, tags, over 30 days), then times each query shape over HTTP.

Run from the repository root:  .venv/bin/python -m bench.job_list [--jobs 100000] [--requests 50]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import fresh_database
from bench.run_latency import percentile
from tests.e2e.harness import Kiln

QUERIES = {
    "newest page": "limit=50",
    "status=failure": "status=failure&limit=50",
    "status=running,queued": "status=running,queued&limit=50",
    "path (exact)": "path=f/etl/job_7&limit=50",
    "path_prefix": "path_prefix=f/etl/&limit=50",
    "trigger=schedule": "trigger=schedule&limit=50",
    "tag=reports": "tag=reports&limit=50",
    "last 24 h": "created_after={day_ago}&limit=50",
    "page 20 (cursor)": "cursor",
}


def fill(kiln: Kiln, count: int) -> float:
    """Insert `count` jobs straight into the platform's database; returns seconds taken."""
    os.environ["KILN_DATA_DIR"] = str(kiln.data_dir)
    if "DATABASE_URL" in kiln.env:
        os.environ["DATABASE_URL"] = kiln.env["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    import django

    django.setup()
    from django.utils import timezone

    from kiln.accounts.models import User, Workspace
    from kiln.jobs.models import Job, JobStatus
    from kiln.scripts.models import ScriptVersion

    version = ScriptVersion.objects.get(script__path="f/etl/job_0")
    user = User.objects.get(email="admin@kiln.local")
    ws = Workspace.objects.get(id="main")
    rng = random.Random(5)
    now = timezone.now()
    statuses = (
        [JobStatus.SUCCESS] * 85 + [JobStatus.FAILURE] * 10 + [JobStatus.RUNNING] * 2 + [JobStatus.QUEUED] * 3
    )
    started = time.perf_counter()
    batch: list[Job] = []
    for i in range(count):
        created = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
        status = rng.choice(statuses)
        batch.append(
            Job(
                id=uuid.uuid4(),
                workspace=ws,
                script_version=version,
                script_path=f"f/etl/job_{i % 40}" if i % 3 else f"u/admin/s{i % 200}",
                language="python3",
                queue="reports" if i % 10 == 0 else "python3",
                args={"n": i},
                status=status,
                created_by=user,
                trigger=rng.choice(["manual", "webhook", "webhook", "schedule", "flow"]),
                timeout_s=60,
                limits={},
                network="none",
                started_at=created,
                finished_at=created + timedelta(seconds=1)
                if status in (JobStatus.SUCCESS, JobStatus.FAILURE)
                else None,
            )
        )
        if len(batch) == 5000:
            Job.objects.bulk_create(batch)
            batch = []
    if batch:
        Job.objects.bulk_create(batch)
    # auto_now_add stamped every row "now": spread them over 30 days as real history would be.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE jobs_job SET created_at = now() - random() * interval '30 days'")
            cursor.execute("ANALYZE jobs_job")
        else:
            cursor.execute(
                "UPDATE jobs_job SET created_at = "
                "strftime('%Y-%m-%d %H:%M:%S', 'now', '-' || abs(random() % 2592000) || ' seconds')"
                " || '.' || printf('%06d', abs(random() % 1000000))"
            )
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def measure(kiln: Kiln, jobs: int, requests: int) -> dict[str, Any]:
    """Fill a running platform with `jobs` jobs, then time each query shape `requests` times:
    per shape p50 / p95 / max in ms and the rows of a page. Sets up Django in this process
    (once per process: run it against one platform per process)."""
    body = {
        "path": "f/etl/job_0",
        "language": "python3",
        "content": "def main(n: int = 0):\n    return n\n",
    }
    assert kiln.request("POST", "/api/w/main/scripts", body)[0] == 201
    seconds = fill(kiln, jobs)
    stamp = datetime.fromtimestamp(time.time() - 86400, UTC).isoformat().replace("+", "%2B")
    shapes: dict[str, dict[str, float]] = {}
    for name, query in QUERIES.items():
        times = []
        rows = 0
        for _ in range(requests):
            url = "/api/w/main/jobs?" + query.format(day_ago=stamp)
            if query == "cursor":
                url = "/api/w/main/jobs?limit=50"
                for _page in range(19):
                    url = "/api/w/main/jobs?limit=50&cursor=" + kiln.request("GET", url)[1]["next_cursor"]
            t0 = time.perf_counter()
            status, page, _ = kiln.request("GET", url)
            times.append((time.perf_counter() - t0) * 1000)
            assert status == 200, page
            rows = len(page["items"])
        shapes[name] = {
            "p50_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
            "max_ms": max(times),
            "rows": rows,
        }
    return {
        "jobs": jobs,
        "requests": requests,
        "database": "PostgreSQL" if "DATABASE_URL" in kiln.env else "SQLite",
        "insert_s": seconds,
        "queries": shapes,
        "worst_p95_ms": max(shape["p95_ms"] for shape in shapes.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp) / "kiln", fresh_database())
        kiln.start()
        try:
            r = measure(kiln, options.jobs, options.requests)
            print(f"{options.jobs} jobs inserted in {r['insert_s']:.1f}s ({r['database']})")
            print(f"{'query':24} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'rows':>5}")
            for name, shape in r["queries"].items():
                print(
                    f"{name:24} {shape['p50_ms']:8.1f} {shape['p95_ms']:8.1f} "
                    f"{shape['max_ms']:8.1f} {shape['rows']:5}"
                )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
