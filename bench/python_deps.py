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
from typing import Any

from bench.common import save_script
from tests.e2e.harness import Kiln

SCRIPT = "import humanize\n\ndef main(n: int) -> str:\n    return humanize.intcomma(n)\n"


def timed_run(kiln: Kiln, n: int) -> float:
    t0 = time.perf_counter()
    status, result, _ = kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/deps", {"n": n})
    assert status == 200, result
    return (time.perf_counter() - t0) * 1000


def measure(kiln: Kiln, runs: int = 5, warm: bool = False) -> dict[str, Any]:
    """On a running platform: the first run of a new script with a dependency (resolve + install),
    the second run, the median of `runs` later runs, and the first run of a new version with the
    same lock; in ms. With `warm`, the script is saved with the `warm` setting."""
    warm_setting = save_script(kiln, "u/admin/deps", SCRIPT, warm=warm)
    first = timed_run(kiln, 1)
    later = [timed_run(kiln, i) for i in range(max(1, runs))]
    save_script(kiln, "u/admin/deps", SCRIPT + "\n# v2\n", warm=warm)
    new_version = timed_run(kiln, 2)
    return {
        "package": "humanize",
        "warm_setting": warm_setting,
        "first_ms": first,
        "second_ms": later[0],
        "later_median_ms": statistics.median(later),
        "later_runs": len(later),
        "new_version_same_lock_ms": new_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.start()
        try:
            r = measure(kiln, opts.runs)
            print(
                f"python deps (humanize): first run {r['first_ms']:.0f} ms (resolve + install); "
                f"later runs median {r['later_median_ms']:.0f} ms; "
                f"a new version with the same lock {r['new_version_same_lock_ms']:.0f} ms "
                "(resolve only, no install)"
            )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
