"""Readiness: can this web process serve, and will the jobs it takes run?

`/healthz` says only that the process answers (a load balancer or docker restarts it when
it does not). `/readyz` checks what a request needs: the database, Redis (the doorbell and
live logs), and at least one live worker for every configured tag. Each check has a short
time limit, so a blackholed dependency makes it answer 503 in about two seconds, not hang.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection

CHECK_TIMEOUT_S = 2.0


@dataclass
class Check:
    ok: bool
    ms: float
    error: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def out(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"ok": self.ok, "ms": round(self.ms, 1)}
        if self.error:
            shown["error"] = self.error
        return {**shown, **self.detail}


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {}
    finally:
        connection.close()  # this runs in a helper thread of its own: its connection goes with it


def _redis() -> dict[str, Any]:
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def _workers() -> dict[str, Any]:
    from kiln.jobs.workers import tags_served

    try:
        served = tags_served()
    finally:
        connection.close()
    missing = [tag for tag in settings.KILN_WORKER_TAGS if not served.get(tag)]
    if missing:
        raise NotReady(
            f"no live worker serves tag(s) {', '.join(missing)}", {"tags": served, "missing": missing}
        )
    return {"tags": served}


class NotReady(Exception):
    def __init__(self, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.detail = detail


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _database,
    "redis": _redis,
    "workers": _workers,
}


def _timed(check: Callable[[], dict[str, Any]]) -> Check:
    started = time.perf_counter()
    try:
        detail = check()
    except NotReady as exc:
        return Check(False, (time.perf_counter() - started) * 1000, str(exc), exc.detail)
    except Exception as exc:  # a dependency is down: say which and why, never raise
        return Check(False, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {exc}"[:500])
    return Check(True, (time.perf_counter() - started) * 1000, detail=detail)


def readiness() -> tuple[bool, dict[str, Check]]:
    """Every check, at once, each within CHECK_TIMEOUT_S (the workers check needs the
    database: with the database down it fails too, which is the truth)."""
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="kiln-readyz")
    try:
        futures = {name: pool.submit(_timed, check) for name, check in CHECKS.items()}
        deadline = time.monotonic() + CHECK_TIMEOUT_S
        results: dict[str, Check] = {}
        for name, future in futures.items():
            try:
                results[name] = future.result(timeout=max(deadline - time.monotonic(), 0.01))
            except FutureTimeout:
                ms = CHECK_TIMEOUT_S * 1000
                results[name] = Check(False, ms, f"no answer within {CHECK_TIMEOUT_S:g} s")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a hung check must not hold the answer
    return all(check.ok for check in results.values()), results
