#!/usr/bin/env python3
"""Benchmark: a Python script with a dependency (humanize), first run vs. later runs.

The first run resolves the lock and installs into the shared cache; later runs of the
same version (and other versions with the same lock) install nothing.

Run from the repository root:  .venv/bin/python -m bench.python_deps [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.e2e.harness import Kiln

SCRIPT = "import humanize\n\ndef main(n: int) -> str:\n    return humanize.intcomma(n)\n"


def timed_run(kiln: Kiln, n: int) -> float:
    t0 = time.perf_counter()
    status, result, _ = kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/deps", {"n": n})
    assert status == 200, result
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.start()
        try:
            kiln.request(
                "POST",
                "/api/w/main/scripts",
                {"path": "u/admin/deps", "language": "python3", "content": SCRIPT},
            )
            first = timed_run(kiln, 1)
            later = [timed_run(kiln, i) for i in range(opts.runs)]
            kiln.request(
                "POST",
                "/api/w/main/scripts",
                {"path": "u/admin/deps", "language": "python3", "content": SCRIPT + "\n# v2\n"},
            )
            new_version = timed_run(kiln, 2)
            print(
                f"python deps (humanize): first run {first:.0f} ms (resolve + install); "
                f"later runs median {statistics.median(later):.0f} ms; "
                f"a new version with the same lock {new_version:.0f} ms (resolve only, no install)"
            )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
