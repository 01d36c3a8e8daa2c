"""Waking a sync run's waiter the moment its job ends: one Redis PUBLISH, one subscription per
web process.

`run_wait_result` waits for its job's end (kiln.jobs.api.wait_result). It used to listen on
the job's Channels group, where live-log viewers get `job.done`: between the worker's commit
and the waiter waking, about 4 ms on a quiet machine. The worker's `group_send` is four Redis
round trips, sent from its publisher thread after the log's last chunk, and channels_redis's
`receive` runs a script, a blocking pop and a write before it hands the message over
(docs/performance.md).

Here the process that ends a job (or gives a flow's early answer) publishes the job's id on
`kiln:wake:<job id>` right after its commit, from its own thread. Each web process keeps one
Redis connection (per event loop) subscribed to the channels of the jobs its requests wait
for, and a task that reads it and wakes the waiters. The row stays the truth: a waiter reads it
when woken, and at least every SYNC_RECHECK_S anyway, so a lost message (Redis restarted, a
crashed worker that never published) costs at most that. With Redis unreachable, waiters
just read the row at that pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import redis.asyncio
from django.conf import settings

from kiln.ratelimit import redis_client

log = logging.getLogger(__name__)

PREFIX = "kiln:wake:"
IDLE_CHANNEL = PREFIX + "-"  # always subscribed: the reader always has something to read
SUBSCRIBE_TIMEOUT_S = 1.0


def channel(job_id: str) -> str:
    return PREFIX + job_id


def wake(job_id: str) -> None:
    """After the commit that ended `job_id` (or gave its flow's early answer): wake whoever
    waits for it. Best effort, never raises: waiters read the row again within
    SYNC_RECHECK_S regardless."""
    try:
        redis_client(settings.REDIS_URL).publish(channel(job_id), b"1")
    except Exception as exc:  # Redis down: the waiters' rechecks find the end
        log.debug("job %s: no wake-up sent (%s)", job_id, exc)


class Listener:
    """One subscribed connection and its reader, for one event loop."""

    def __init__(self, url: str) -> None:
        self.client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=SUBSCRIBE_TIMEOUT_S)
        self.pubsub = self.client.pubsub()
        self.waiters: dict[str, set[asyncio.Event]] = {}
        self.confirming: dict[str, asyncio.Future[None]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.broken = False

    async def start(self) -> None:
        await self.pubsub.subscribe(IDLE_CHANNEL)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                message = await self.pubsub.get_message(timeout=None)
                if message is None:
                    continue
                name = message["channel"].decode()
                if message["type"] == "message":
                    for event in self.waiters.get(name, ()):
                        event.set()
                elif message["type"] == "subscribe":
                    confirmed = self.confirming.pop(name, None)
                    if confirmed is not None and not confirmed.done():
                        confirmed.set_result(None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the connection is gone: waiters fall back to reading rows
            log.warning("job wake-ups: lost the Redis subscription (%s); waiters poll until it is back", exc)
        finally:
            self.broken = True
            for event in (e for events in self.waiters.values() for e in events):
                event.set()  # each reads its row now, then waits on a new listener or polls
            for confirmed in self.confirming.values():
                if not confirmed.done():
                    confirmed.set_exception(ConnectionError("the wake-up subscription was lost"))

    async def add(self, name: str, event: asyncio.Event) -> None:
        """Register `event` for `name`, subscribed (and confirmed by Redis) when this returns."""
        events = self.waiters.setdefault(name, set())
        events.add(event)
        if len(events) == 1:
            confirmed = self.confirming[name] = asyncio.get_running_loop().create_future()
            await self.pubsub.subscribe(name)
        else:
            confirmed = self.confirming.get(name) or asyncio.get_running_loop().create_future()
            if name not in self.confirming:
                confirmed.set_result(None)  # an earlier waiter's subscription is in place
        await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT_S)

    async def remove(self, name: str, event: asyncio.Event) -> None:
        events = self.waiters.get(name)
        if events is None:
            return
        events.discard(event)
        if not events:
            del self.waiters[name]
            self.confirming.pop(name, None)
            if not self.broken:
                await self.pubsub.unsubscribe(name)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
            await self.client.aclose()


_listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Listener] = weakref.WeakKeyDictionary()
_starting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


async def listener() -> Listener:
    """This event loop's listener, started (or started again after it broke)."""
    loop = asyncio.get_running_loop()
    lock = _starting.setdefault(loop, asyncio.Lock())
    async with lock:
        current = _listeners.get(loop)
        if current is not None and not current.broken:
            return current
        if current is not None:
            await current.close()
        fresh = Listener(settings.REDIS_URL)
        try:
            await fresh.start()
        except BaseException:
            await fresh.close()
            raise
        _listeners[loop] = fresh
        return fresh


@contextlib.asynccontextmanager
async def job_done_signal(job_id: str) -> AsyncIterator[Callable[[float], Awaitable[None]]]:
    """Subscribed to the job's wake-ups (when this is entered, a wake-up is no longer missed);
    yields `wait(timeout)`, which returns when one arrives or the timeout passes. With Redis
    unreachable it degrades to sleeping: the caller reads the row once per timeout."""
    name = channel(job_id)
    event = asyncio.Event()
    current: Listener | None = None
    try:
        current = await listener()
        await current.add(name, event)
    except Exception as exc:
        log.warning("job %s: no live completion signal (%s); falling back to reading the row", job_id, exc)
        if current is not None:
            with contextlib.suppress(Exception):
                await current.remove(name, event)
        current = None

    async def wait(timeout: float) -> None:
        if current is None or current.broken:
            await asyncio.sleep(timeout)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        event.clear()

    try:
        yield wait
    finally:
        if current is not None:
            with contextlib.suppress(Exception):
                await current.remove(name, event)


def forget(loop: Any = None) -> None:
    """Tests: drop the listener kept for `loop` (every loop's by default) without closing it."""
    if loop is None:
        _listeners.clear()
    else:
        _listeners.pop(loop, None)
