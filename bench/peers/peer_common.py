"""What every peer reports the same way (imported by the peer files, run as scripts beside it)."""

from __future__ import annotations

import statistics
from typing import Any


def sequential_figures(
    peer: str, name: str, steps: int, n: int, results: list[tuple[float, float]], what: str = "steps"
) -> dict[str, Any]:
    """W1/W2 from measured runs, each (total seconds, seconds the steps computed): the median
    total and overhead per step (total minus compute, per step), printed and returned."""
    totals = [r[0] for r in results]
    overheads = [(r[0] - r[1]) / steps * 1000 for r in results]
    out = {
        "steps": steps,
        "fibo": n,
        "total_s": round(statistics.median(totals), 4),
        "overhead_per_step_ms": round(statistics.median(overheads), 2),
        "compute_s": round(statistics.median(r[1] for r in results), 4),
        "runs": [round(t, 4) for t in totals],
    }
    print(
        f"{peer} {name}: {steps} sequential fibo({n}) {what}: total {out['total_s']:.3f} s, "
        f"overhead per step {out['overhead_per_step_ms']:.1f} ms",
        flush=True,
    )
    return out
