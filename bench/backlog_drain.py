#!/usr/bin/env python3
"""Benchmark: how fast a worker drains a backlog of trivial jobs.

Starts Kiln with `kiln up` (the end-to-end tests' harness: fresh data dir, free port,
worker concurrency 2), saves a one-line Python script, then enqueues N jobs through the
async run endpoint (`POST /api/w/main/jobs/run/p/...`, from a few client threads, as a
burst of webhooks would) and waits until every one of them is terminal. It prints

- how long the enqueueing took (requests/s);
- the drain rate: N / (last job's finished_at - first enqueue), in jobs/s;
- the statuses (all should be success).

Run from the repository root:  .venv/bin/python -m bench.backlog_drain [--jobs 2000] [--clients 4]
It prints its figures; it asserts nothing (targets are judged by people, not by CI).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from tests.e2e.harness import Kiln

SCRIPT = "def main(n: int):\n    return n + 1\n"
TERMINAL = {"success", "failure", "canceled", "timeout", "crashed"}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2000, help="jobs in the backlog")
    parser.add_argument("--clients", type=int, default=4, help="client threads enqueueing")
    parser.add_argument("--concurrency", type=int, default=2, help="KILN_WORKER_CONCURRENCY")
    parser.add_argument("--sweep-after", type=int, default=None, help="KILN_SWEEP_AFTER (default: Kiln's)")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.env["KILN_WORKER_CONCURRENCY"] = str(opts.concurrency)
        if opts.sweep_after is not None:
            kiln.env["KILN_SWEEP_AFTER"] = str(opts.sweep_after)
        kiln.start()
        try:
            kiln.save_script("u/admin/inc", SCRIPT)
            kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/inc", {"n": 0})  # warm-up

            def enqueue(i: int) -> str:
                status, body, _ = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/inc", {"n": i})
                assert status == 201, (status, body)
                return str(body["id"])

            first = time.time()
            with ThreadPoolExecutor(opts.clients) as pool:
                ids = list(pool.map(enqueue, range(opts.jobs)))
            enqueued = time.time() - first
            print(
                f"enqueued {opts.jobs} jobs in {enqueued:.1f}s ({opts.jobs / enqueued:.0f} requests/s, "
                f"{opts.clients} clients)",
                flush=True,
            )

            # Jobs run about in order: follow the oldest unfinished one, then confirm them all.
            watermark = 0
            while watermark < len(ids):
                if kiln.job(ids[watermark])["status"] in TERMINAL:
                    watermark += 1
                else:
                    time.sleep(0.5)
            jobs: dict[str, dict] = {}
            while len(jobs) < len(ids):
                for job_id in ids:
                    if job_id not in jobs and (job := kiln.job(job_id))["status"] in TERMINAL:
                        jobs[job_id] = job
                if len(jobs) < len(ids):
                    time.sleep(0.5)

            last = max(datetime.fromisoformat(job["finished_at"]).timestamp() for job in jobs.values())
            drain = last - first
            statuses = Counter(job["status"] for job in jobs.values())
            print(
                f"drained {opts.jobs} jobs in {drain:.1f}s from the first enqueue to the last finish: "
                f"{opts.jobs / drain:.1f} jobs/s with worker concurrency {opts.concurrency}; "
                f"statuses {dict(statuses)}"
            )
            # Extra doorbells: the sweeper re-publishes a job that waited KILN_SWEEP_AFTER
            # seconds unclaimed; each extra message costs a delivery and a refused claim.
            output = kiln.output()
            swept = sum(int(n) for n in re.findall(r"sweeper: re-published (\d+)", output))
            refused = output.count("not queued any more")
            print(
                f"sweeper re-published {swept} message(s) while the backlog drained; "
                f"{refused} delivery(ies) refused as not queued any more"
            )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
