"""Django's ASGI handler with fewer thread hops and request threads that are kept.

Django's own ASGI handler costs a busy API a few milliseconds of CPU per request before any
view runs (docs/performance.md, "The web process"):

- It runs the middleware in async mode. Every `MiddlewareMixin` (most of Django's) then sends
  its `process_request` and `process_response` to a thread one at a time, and WhiteNoise and
  Kiln's own middleware, which are sync only, send the rest back: about eleven round trips
  between the event loop and a thread for a plain GET.
- It gives each request a new thread (asgiref's `ThreadSensitiveContext`), and a second one to
  join it. Per-thread state is lost with it: the database connection (`CONN_MAX_AGE` can't
  keep it: a new SQLite connection costs ~1.4 ms, a PostgreSQL one ~7 ms) and Celery's
  per-thread result backend.

Here the middleware chain is built in sync mode and entered with one hop, as under WSGI. An
async view is awaited on the event loop from that thread (Django's `async_to_sync`); it holds
its request thread meanwhile, as it did already behind the sync-only middleware. A view that
needs the loop from its thread (a sync run waiting for its job's wake-up,
kiln.jobs.wakeups.ThreadSignal) finds it with `server_loop(request)`. Each request borrows a
one-thread executor from a pool and gives it back when its response is sent, so a thread,
with its connection, serves one request after another; most recently used first, so a quiet
server keeps using the same few. At most KEPT_IDLE idle executors are kept; more are shut
down.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.db import connections
from django.http import HttpRequest, HttpResponseBase

KEPT_IDLE = 16  # idle request threads kept (each may hold a database connection)


class ExecutorPool:
    """One-thread executors, lent one per request (last returned, first lent)."""

    def __init__(self, kept_idle: int = KEPT_IDLE) -> None:
        self.kept_idle = kept_idle
        self._idle: list[ThreadPoolExecutor] = []
        self._lock = threading.Lock()
        self.created = 0

    def take(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self.created += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiln-request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.kept_idle:
                self._idle.append(executor)
                return
        # Not waited for: its thread ends after what it is running (it may still be finishing
        # the sync part of a request whose client went away).
        executor.shutdown(wait=False)

    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        """Close the idle threads' database connections and end the threads (tests; a
        stopping process needs none of it: its connections end with it)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for executor in idle:
            executor.submit(connections.close_all).result()
            executor.shutdown()


class KilnASGIHandler(ASGIHandler):
    def __init__(self, pool: ExecutorPool | None = None) -> None:
        base.BaseHandler.__init__(self)  # not ASGIHandler's: it loads the middleware in async mode
        self.load_middleware(is_async=False)
        self.pool = pool or ExecutorPool()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.pool.take()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.pool.give_back(executor)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        request.kiln_loop = asyncio.get_running_loop()  # type: ignore[attr-defined]  # server_loop()
        # The whole sync chain in one hop (BaseHandler.get_response sets the URLconf, logs
        # 4xx/5xx and registers the request's closers, as get_response_async does).
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        return response


def server_loop(request: HttpRequest) -> asyncio.AbstractEventLoop | None:
    """The event loop serving `request` when KilnASGIHandler does (its view runs in a thread of
    its own); None under Django's test client or a WSGI server."""
    return getattr(request, "kiln_loop", None)
