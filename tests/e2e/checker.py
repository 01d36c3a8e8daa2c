"""The chaos tests' referee: every job the platform accepted ended exactly once, within its attempts.

Run after each chaos test with the ids of the jobs the test got a 2xx for. For each job it
asserts, from the API (what a user sees):

- it is in a terminal state (success, failure, canceled, timeout, crashed), with a
  `finished_at`, and the logs endpoint agrees that it is over (`done`, same status);
- a success has no error, every other ending has an error with a name and a message;
- `attempt <= max_attempts` (3, the model's default, while the job API does not expose it);
- the number of executions seen in its log (lines equal to the marker its script prints
  first thing) is at most `attempt`: no attempt ran twice, no run went uncounted;
- no id was handed out twice.

All problems are collected and reported together, so one failure shows the whole picture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from tests.e2e.harness import Kiln

TERMINAL = frozenset({"success", "failure", "canceled", "timeout", "crashed"})
DEFAULT_MAX_ATTEMPTS = 3  # Job.max_attempts' default; used when the API does not say


def executions(logs: str, marker: str) -> int:
    """How many times the script started, by the marker line it prints first thing."""
    return sum(1 for line in logs.splitlines() if line == marker)


def check_jobs(
    kiln: Kiln,
    job_ids: Iterable[str],
    *,
    marker: str | None = "start",
    expect: set[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Assert the invariants above for every job; returns the jobs as the API shows them.

    `marker`: the line the job's script prints when it starts (None: not counted).
    `expect`: the terminal states this test allows (None: any terminal state).
    """
    ids = [str(job_id) for job_id in job_ids]
    problems: list[str] = []
    repeated = [job_id for job_id, n in Counter(ids).items() if n > 1]
    if repeated:
        problems.append(f"ids returned for more than one request: {repeated}")
    jobs: dict[str, dict[str, Any]] = {}
    for job_id in dict.fromkeys(ids):
        status, job, _ = kiln.request("GET", f"/api/w/main/jobs/{job_id}")
        if status != 200:
            problems.append(f"{job_id}: accepted, but GET answers {status} {job}")
            continue
        jobs[job_id] = job
        where = f"{job_id} ({job['status']}, attempt {job['attempt']})"
        if job["status"] not in TERMINAL:
            problems.append(f"{where}: not in a terminal state")
            continue
        if expect is not None and job["status"] not in expect:
            problems.append(f"{where}: expected {sorted(expect)}; error {job.get('error')}")
        if job["finished_at"] is None:
            problems.append(f"{where}: terminal without finished_at")
        if job["status"] == "success" and job["error"] is not None:
            problems.append(f"{where}: success with an error {job['error']}")
        if job["status"] != "success" and not (job["error"] or {}).get("message"):
            problems.append(f"{where}: ended without a clear error: {job['error']}")
        max_attempts = int(job.get("max_attempts", DEFAULT_MAX_ATTEMPTS))
        # A retry after a failure (the script's retry policy) is an attempt of its own.
        allowed = max_attempts + int(job.get("retries", 0) or 0)
        if job["attempt"] > allowed:
            problems.append(f"{where}: more attempts than allowed ({allowed})")
        if job["status"] in ("success", "failure", "timeout", "crashed") and job["attempt"] < 1:
            problems.append(f"{where}: ended as if it ran, yet no attempt was counted")
        if marker is not None:
            runs = executions(job["logs"], marker)
            if runs > job["attempt"]:
                problems.append(f"{where}: the log shows {runs} executions (marker {marker!r})")
            if job["status"] == "success" and runs < 1:
                problems.append(f"{where}: succeeded without printing its marker {marker!r}")
        status, logs, _ = kiln.request("GET", f"/api/w/main/jobs/{job_id}/logs?from=0")
        paged = status == 200 and logs["next"] < job["log_size"]  # a long log comes in pages
        if status != 200 or logs["status"] != job["status"] or not (logs["done"] or paged):
            problems.append(f"{where}: the logs endpoint disagrees: {status} {logs}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
    return jobs
