"""Waking a sync run's waiter the moment its job ends: one Redis PUBLISH, one subscription per
web process.

`run_wait_result` waits for its job's end (kiln.jobs.api.wait_in_thread). It used to listen on
the job's Channels group, where live-log viewers get `job.done`: between the worker's commit
and the waiter waking, about 4 ms on a quiet machine. The worker's `group_send` is four Redis
round trips, sent from its publisher thread after the log's last chunk, and channels_redis's
`receive` runs a script, a blocking pop and a write before it hands the message over
(docs/performance.md).

Here the process that ends a job (or gives a flow's early answer) publishes on
`kiln:wake:<job id>` right after its commit, from its own thread. Each web process keeps one
Redis connection (per event loop) subscribed to the channels of the jobs its requests wait
for, and a task that reads it and wakes the waiting request threads (ThreadSignal): on the
server's loop (kiln.asgi), or, for a request no server loop serves (Django's test client, a
WSGI server), on the process's own background loop. A script job's end carries its outcome
(status, result, error) when that is at most OUTCOME_MAX_BYTES of JSON: exactly what was
committed, so the waiter answers without reading the row (a terminal row never changes).
Otherwise the row stays the truth: a waiter reads it when woken, and at least every
SYNC_RECHECK_S anyway, so a lost message (Redis restarted, a crashed worker that never
published) costs at most that. With Redis unreachable, waiters just read the row at that
pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import redis.asyncio
from django.conf import settings

from kiln.loops import ProcessLoop
from kiln.ratelimit import redis_client

log = logging.getLogger(__name__)

PREFIX = "kiln:wake:"
IDLE_CHANNEL = PREFIX + "-"  # always subscribed: the reader always has something to read
SUBSCRIBE_TIMEOUT_S = 1.0
LEAVE_AFTER_S = 1.0  # a released channel is unsubscribed with the next subscription, or this late
OUTCOME_MAX_BYTES = 16 * 1024  # a larger outcome is read from the row
NO_OUTCOME = b"1"
NO_SIGNAL = "job %s: no live completion signal (%s); falling back to reading the row"


def channel(job_id: str) -> str:
    return PREFIX + job_id


def wake(job_id: str, outcome: bytes = NO_OUTCOME, count: tuple[bytes, float] | None = None) -> int | None:
    """After the commit that ended `job_id` (or gave its flow's early answer): wake whoever
    waits for it, with its committed `outcome` (from `outcome_of`) if it has one. Best
    effort, never raises: waiters read the row again within SYNC_RECHECK_S regardless.

    `count`: a sorted set's key and a score; its members scored above that are counted in
    the same round trip and returned (None when not asked, or when Redis failed)."""
    client = redis_client(settings.REDIS_URL)
    try:
        if count is None:
            client.publish(channel(job_id), outcome)
            return None
        pipe = client.pipeline(transaction=False)
        pipe.publish(channel(job_id), outcome)
        pipe.zcount(count[0], f"({count[1]!r}", "+inf")
        return int(pipe.execute()[1])
    except Exception as exc:  # Redis down: the waiters' rechecks find the end
        log.debug("job %s: no wake-up sent (%s)", job_id, exc)
        return None


def outcome_of(status: str, result: Any, error: Any) -> bytes:
    """A job's end as a wake-up's payload: its JSON if that is at most OUTCOME_MAX_BYTES (the
    encoding stops there, so a large result costs no more than that), else NO_OUTCOME."""
    encoded = bytearray()
    try:
        # iterencode (not dumps) yields as it goes: stopped at the limit.
        for part in json.JSONEncoder(ensure_ascii=False).iterencode(
            {"status": status, "result": result, "error": error}
        ):
            encoded += part.encode()
            if len(encoded) > OUTCOME_MAX_BYTES:
                return NO_OUTCOME
    except (TypeError, ValueError):  # not JSON as such (the row's encoder knows more): read the row
        return NO_OUTCOME
    return bytes(encoded)


def outcome_in(payload: bytes | None) -> dict[str, Any] | None:
    """The outcome a wake-up carried ({"status", "result", "error"}), or None."""
    if not payload or payload == NO_OUTCOME:
        return None
    try:
        outcome = json.loads(payload)
    except ValueError:
        return None
    if isinstance(outcome, dict) and {"status", "result", "error"} <= outcome.keys():
        return outcome
    return None


class Waiter:
    """One request thread's wait: its event set by the loop's reader when a wake-up arrives,
    with what it carried."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.payload: bytes | None = None

    def wake(self, payload: bytes | None) -> None:
        self.payload = payload
        self.event.set()


class Listener:
    """One subscribed connection and its reader, for one event loop."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=SUBSCRIBE_TIMEOUT_S)
        self.pubsub = self.client.pubsub()
        self.waiters: dict[str, set[Waiter]] = {}
        self.leaving: set[str] = set()  # released by threads: unsubscribed by add() or _leave()
        self.confirming: dict[str, asyncio.Future[None]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.broken = False
        self.sweep: asyncio.TimerHandle | None = None  # unsubscribes what is leaving, LEAVE_AFTER_S on
        self.unsubscribing: set[asyncio.Task[None]] = set()

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
                    for waiter in self.waiters.get(name, ()):
                        waiter.wake(message["data"])
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
            for waiter in (w for waiters in self.waiters.values() for w in waiters):
                waiter.wake(None)  # each reads its row now, then polls
            for confirmed in self.confirming.values():
                if not confirmed.done():
                    confirmed.set_exception(ConnectionError("the wake-up subscription was lost"))

    async def add(self, name: str, waiter: Waiter) -> None:
        """Register `waiter` for `name`, subscribed (and confirmed by Redis) when this returns."""
        self.leaving.discard(name)
        if self.leaving and not self.broken:
            leaving, self.leaving = self.leaving, set()
            await self.pubsub.unsubscribe(*leaving)
        waiters = self.waiters.setdefault(name, set())
        waiters.add(waiter)
        if len(waiters) == 1:
            confirmed = self.confirming[name] = asyncio.get_running_loop().create_future()
            await self.pubsub.subscribe(name)
        elif (pending := self.confirming.get(name)) is not None:
            confirmed = pending  # an earlier waiter's subscription, not confirmed yet
        else:
            return  # an earlier waiter's subscription is in place
        await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT_S)

    async def remove(self, name: str, waiter: Waiter) -> None:
        """release(), with the channel unsubscribed now if that was its last waiter."""
        self.release(name, waiter)
        if name in self.leaving and not self.broken:
            self.leaving.discard(name)
            await self.pubsub.unsubscribe(name)

    def release(self, name: str, waiter: Waiter) -> None:
        """remove() without a wait, for a thread's waiter (call it on the loop): the channel is
        unsubscribed with the next add(), or LEAVE_AFTER_S later if no add() comes, several
        at a time, so a request that is over has nothing left to wait for."""
        waiters = self.waiters.get(name)
        if waiters is None:
            return
        waiters.discard(waiter)
        if not waiters:
            del self.waiters[name]
            self.confirming.pop(name, None)
            self.leaving.add(name)
            if self.sweep is None:
                self.sweep = asyncio.get_running_loop().call_later(LEAVE_AFTER_S, self._leave)

    def _leave(self) -> None:
        """Unsubscribe what is leaving (a task of its own, not waited for)."""
        self.sweep = None
        if self.leaving and not self.broken:
            leaving, self.leaving = self.leaving, set()
            task = asyncio.get_running_loop().create_task(self.pubsub.unsubscribe(*leaving))
            self.unsubscribing.add(task)
            task.add_done_callback(self._unsubscribed)

    def _unsubscribed(self, task: asyncio.Task[None]) -> None:
        self.unsubscribing.discard(task)
        if not task.cancelled() and task.exception() is not None:  # the reader sees the loss too
            log.debug("job wake-ups: could not unsubscribe (%s)", task.exception())

    async def close(self) -> None:
        if self.sweep is not None:
            self.sweep.cancel()
        for task in list(self.unsubscribing):
            task.cancel()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()
            await self.client.aclose()


_listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Listener] = weakref.WeakKeyDictionary()
_starting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
# A failed start, per loop: when, and for which Redis.
_failed: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[float, str]] = weakref.WeakKeyDictionary()
RETRY_AFTER_S = 5.0  # after a failed start, waiters poll this long before the next try


async def listener() -> Listener:
    """This event loop's listener to the configured Redis, started (or started again after it
    broke, or when the setting names another Redis). After a failed start, raises at once for
    RETRY_AFTER_S: a Redis that does not answer must not make each sync run wait for its own
    connection attempt, in turn."""
    loop = asyncio.get_running_loop()
    url = settings.REDIS_URL

    def refuse_if_failed_lately() -> None:
        when, where = _failed.get(loop, (-RETRY_AFTER_S, ""))
        if where == url and loop.time() - when < RETRY_AFTER_S:
            raise ConnectionError("the wake-up subscription failed to start a moment ago")

    refuse_if_failed_lately()
    async with _starting.setdefault(loop, asyncio.Lock()):
        current = _listeners.get(loop)
        if current is not None and not current.broken and current.url == url:
            return current
        refuse_if_failed_lately()  # another waiter's attempt, while this one queued for the lock
        if current is not None:
            await current.close()  # its waiters are woken: they read their rows, then poll
        fresh = Listener(url)
        try:
            await asyncio.wait_for(fresh.start(), SUBSCRIBE_TIMEOUT_S)
        except BaseException:
            _failed[loop] = (loop.time(), url)
            await fresh.close()
            raise
        _failed.pop(loop, None)
        _listeners[loop] = fresh
        return fresh


_background = ProcessLoop("kiln-wakeups", lambda loop: None, stop_at_exit=True)


def background_loop() -> asyncio.AbstractEventLoop:
    """This process's own event loop for wake-up subscriptions, running in a daemon thread:
    the listening loop of the requests that no server loop serves (Django's test client, a
    WSGI server). It stops at the interpreter's exit, so its reader does not report a lost
    subscription on the way out (kiln/loops.py)."""
    return _background.get()[0]


async def subscribe(name: str, waiter: Waiter) -> Listener:
    """This loop's listener, with `waiter` added for `name` (confirmed by Redis); on failure,
    nothing is left registered and the error is raised."""
    current = await listener()
    try:
        await current.add(name, waiter)
    except BaseException:
        with contextlib.suppress(Exception):
            await current.remove(name, waiter)
        raise
    return current


class ThreadSignal:
    """A request thread's wait for a job's wake-ups, with an event loop (`loop`: the server's,
    or background_loop()) listening.

    The subscription is sent to the loop when this is made; `ready()` waits for it. The
    thread then waits on an Event that the loop's reader sets: no round trip to the loop and
    back for the wait or the wake-up, as an async view has (docs/performance.md). Leaving
    releases the waiter without a wait (Listener.release).
    """

    def __init__(self, job_id: str, loop: asyncio.AbstractEventLoop) -> None:
        self.job_id = job_id
        self.name = channel(job_id)
        self.loop = loop
        self.waiter = Waiter()
        self.listener: Listener | None = None
        self.failed = False
        self.subscribed: Future[Listener] | None = None
        pending = subscribe(self.name, self.waiter)
        try:
            self.subscribed = asyncio.run_coroutine_threadsafe(pending, loop)
        except RuntimeError as exc:  # the loop is closed: a process on its way out
            pending.close()
            self._give_up(exc)

    def _give_up(self, exc: BaseException) -> None:
        log.warning(NO_SIGNAL, self.job_id, exc)
        self.failed = True

    def ready(self) -> bool:
        """True once Redis has confirmed the subscription (a wake-up can't be missed from then
        on); False if it failed: the waits then just sleep, and the caller reads the row."""
        if self.listener is not None or self.failed:
            return self.listener is not None
        assert self.subscribed is not None  # else failed
        try:
            # The listener's start and the subscription, each bounded by SUBSCRIBE_TIMEOUT_S.
            self.listener = self.subscribed.result(timeout=2 * SUBSCRIBE_TIMEOUT_S + 0.5)
        except Exception as exc:
            self._give_up(exc)
            return False
        return True

    def wait(self, timeout: float) -> dict[str, Any] | None:
        """Until a wake-up arrives or `timeout` passes: the outcome it carried, else None."""
        current = self.listener if self.ready() else None
        if current is None or current.broken:
            time.sleep(timeout)
            return None
        self.waiter.event.wait(timeout)
        self.waiter.event.clear()
        payload, self.waiter.payload = self.waiter.payload, None
        return outcome_in(payload)

    def close(self) -> None:
        """Leave (on the loop, not waited for: Listener.release)."""
        if self.subscribed is None:
            return

        def leave(subscribed: Future[Listener]) -> None:
            if subscribed.cancelled() or subscribed.exception() is not None:
                return  # never subscribed: subscribe() removed the waiter itself
            with contextlib.suppress(RuntimeError):  # the loop is closed: nothing is subscribed
                self.loop.call_soon_threadsafe(subscribed.result().release, self.name, self.waiter)

        self.subscribed.add_done_callback(leave)


@contextlib.contextmanager
def thread_signal(job_id: str, loop: asyncio.AbstractEventLoop) -> Iterator[ThreadSignal]:
    """A ThreadSignal for `job_id`, unsubscribed at the end."""
    signal = ThreadSignal(job_id, loop)
    try:
        yield signal
    finally:
        signal.close()
