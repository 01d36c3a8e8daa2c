"""Retries of a failed job, in Windmill's `retry` shape (see kiln.scripts.run_settings).

A job that fails (its code raised, it timed out, it hit a limit) and has retries left goes
back to `queued` with `scheduled_for` set to now + the delay: the retry waits in the
database, not in a Celery ETA message, so it survives broker and worker restarts.
"""

from __future__ import annotations

import random
from typing import Any

# Failures that another run would not fix: the platform or its configuration, or a user's cancel.
NOT_RETRIED = frozenset({"Canceled", "SandboxError", "PlatformError", "LeaseLost"})


def total_retries(retry: dict[str, Any] | None) -> int:
    if not retry:
        return 0
    return int((retry.get("constant") or {}).get("attempts", 0)) + int(
        (retry.get("exponential") or {}).get("attempts", 0)
    )


def next_delay(
    retry: dict[str, Any] | None, retries_done: int, rng: random.Random | None = None
) -> float | None:
    """Seconds before retry number `retries_done + 1`, or None when none is left.

    Constant retries come first, each after `seconds`; then the n-th exponential one after
    `multiplier * seconds ** n`, capped at `max_seconds`, moved by up to ±`random_factor` %.
    """
    if not retry:
        return None
    constant = retry.get("constant") or {}
    n_constant = int(constant.get("attempts", 0))
    if retries_done < n_constant:
        return float(constant.get("seconds", 0))
    exponential = retry.get("exponential") or {}
    n = retries_done - n_constant + 1
    if n > int(exponential.get("attempts", 0)):
        return None
    cap = float(exponential.get("max_seconds", 3600))
    try:
        delay = min(float(exponential.get("multiplier", 1)) * float(exponential.get("seconds", 2)) ** n, cap)
    except OverflowError:
        delay = cap
    jitter = int(exponential.get("random_factor", 0)) / 100
    if jitter:
        delay *= 1 + (rng or random).uniform(-jitter, jitter)
    return max(delay, 0.0)
