"""Cluster-wide counters for /metrics, kept in Redis.

Every process that ends a job (a worker's pool processes), takes a schedule's tick (the
schedulers) or holds a websocket (the web processes) adds to a few Redis hashes; whichever
web process is scraped reads them all (kiln.operations.metrics). So one scrape of any web
process sees the whole installation, and a worker that restarts loses nothing it counted.

Increments are summed in the process and sent at most once a second (FLUSH_S), as one
pipeline on the process's publisher loop (kiln.jobs.services.send_soon): no job waits for
Redis, a busy worker sends one update a second, not one a job, and with Redis down they are
dropped (logged), as live-log news is. A pool process sends what it holds as it exits.
Prometheus takes a counter that goes back (Redis flushed) as a reset.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

PREFIX = "kiln:metrics:"
FINISHED = PREFIX + "jobs_finished"  # field "tag|language|state" → jobs
LOG_BYTES = PREFIX + "log_bytes"  # field language → bytes of log stored
DURATION = PREFIX + "job_duration:"  # + language: histogram fields (see Histogram)
TICK_LAG = PREFIX + "schedule_tick_lag"  # histogram of how late a schedule's tick made its job
WEBSOCKETS = PREFIX + "websockets:"  # + process id: that web process's open websockets
WEBSOCKETS_TTL_S = 120  # a process that died without saying so stops counting after this

# Seconds. Job durations span a trivial warm job (a few ms) to a long batch.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
TICK_LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)


@dataclass(frozen=True)
class Histogram:
    """A histogram as one Redis hash: a count per bucket (not cumulative: `b<i>` counts the
    values in (bounds[i-1], bounds[i]], `b<len>` those above the last), `sum` and `count`."""

    bounds: tuple[float, ...]

    def field(self, value: float) -> str:
        for i, bound in enumerate(self.bounds):
            if value <= bound:
                return f"b{i}"
        return f"b{len(self.bounds)}"

    def cumulative(self, raw: dict[str, str]) -> tuple[list[tuple[str, float]], float]:
        """Prometheus' buckets (cumulative, `+Inf` last) and the sum, from the hash."""
        buckets, seen = [], 0.0
        for i, bound in enumerate((*self.bounds, float("inf"))):
            seen += float(raw.get(f"b{i}", 0))
            buckets.append(("+Inf" if bound == float("inf") else repr(float(bound)), seen))
        return buckets, float(raw.get("sum", 0))


DURATIONS = Histogram(DURATION_BUCKETS)
TICK_LAGS = Histogram(TICK_LAG_BUCKETS)


def _client() -> Any:
    """One asyncio Redis client per process and publisher loop (a forked pool process makes
    its own: a connection must not be shared across a fork)."""
    global _redis
    with _lock:
        if _redis is None or _redis[0] != os.getpid():
            import redis.asyncio

            _redis = (os.getpid(), redis.asyncio.Redis.from_url(settings.REDIS_URL, socket_timeout=5))
        return _redis[1]


_redis: tuple[int, Any] | None = None
_lock = threading.Lock()


def _soon(what: str, ops: list[tuple[str, tuple[Any, ...]]]) -> None:
    from kiln.jobs.services import send_soon

    async def send() -> None:
        pipe = _client().pipeline(transaction=False)
        for name, args in ops:
            getattr(pipe, name)(*args)
        await pipe.execute()

    send_soon(what, send)


FLUSH_S = 1.0
# (command, key, field) -> amount: hincrby / hincrbyfloat summed since the last flush
_pending: dict[tuple[str, str, str], float] = {}
_pending_lock = threading.Lock()
_flusher: tuple[int, threading.Timer] | None = None


def _add(ops: list[tuple[str, str, str, float]]) -> None:
    """Add increments to this process's sum; the first since a flush arms the next one."""
    global _flusher
    with _pending_lock:
        for op in ops:
            _pending[op[:3]] = _pending.get(op[:3], 0) + op[3]
        if _flusher is None or _flusher[0] != os.getpid() or not _flusher[1].is_alive():
            timer = threading.Timer(FLUSH_S, flush)
            timer.daemon = True
            _flusher = (os.getpid(), timer)
            timer.start()


def flush() -> bool:
    """Send what this process summed, now (the timer calls it; so does a pool process that
    exits, before its publisher's last news goes out). True when there was something."""
    global _flusher
    with _pending_lock:
        ops = [
            (name, (key, field, int(n) if name == "hincrby" else n))
            for (name, key, field), n in _pending.items()
        ]
        _pending.clear()
        _flusher = None
    if ops:
        _soon("job metrics", ops)
    return bool(ops)


def _observe(key: str, histogram: Histogram, value: float) -> list[tuple[str, str, str, float]]:
    return [
        ("hincrby", key, histogram.field(value), 1),
        ("hincrbyfloat", key, "sum", value),
        ("hincrby", key, "count", 1),
    ]


def job_ended(*, tag: str, language: str, state: str, seconds: float | None, log_bytes: int) -> None:
    """A job ran to an end on this worker (or was ended for it: crashed, canceled)."""
    ops: list[tuple[str, str, str, float]] = [("hincrby", FINISHED, f"{tag}|{language}|{state}", 1)]
    if log_bytes:
        ops.append(("hincrby", LOG_BYTES, language, log_bytes))
    if seconds is not None:
        ops += _observe(DURATION + language, DURATIONS, max(seconds, 0.0))
    _add(ops)


def tick_made(*, lag_seconds: float) -> None:
    """A schedule's tick made its job `lag_seconds` after the tick's time."""
    _add(_observe(TICK_LAG, TICK_LAGS, max(lag_seconds, 0.0)))


# --- websockets: a count per web process, with a time to live ----------------------------

_open = 0
_open_lock = threading.Lock()


def _process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def websocket_opened(delta: int = 1) -> None:
    global _open, _refresher
    with _open_lock:
        _open = max(_open + delta, 0)
        count = _open
        if _refresher is None or _refresher[0] != os.getpid():
            thread = threading.Thread(target=_refresh, name="kiln-websocket-count", daemon=True)
            _refresher = (os.getpid(), thread)
            thread.start()
    _soon("websocket metrics", [("setex", (WEBSOCKETS + _process_id(), WEBSOCKETS_TTL_S, count))])


def websocket_closed() -> None:
    websocket_opened(-1)


_refresher: tuple[int, threading.Thread] | None = None


def _refresh() -> None:
    """Say this process's count again well before its key's time to live runs out, while
    it holds connections that stay open for long (a live log followed for an hour)."""
    while True:
        time.sleep(WEBSOCKETS_TTL_S / 3)
        if _open:
            websocket_opened(0)


def parse_finished(raw: dict[str, str]) -> Iterable[tuple[str, str, str, float]]:
    for field, value in raw.items():
        tag, language, state = (field.split("|") + ["", "", ""])[:3]
        yield tag, language, state, float(value)
