"""A sync run's waiter woken by a Redis PUBLISH (kiln.jobs.wakeups), on the real Redis/Valkey:
subscribed before the caller reads the row, one job's wake-up never wakes another's waiter,
unsubscribed when the last waiter leaves, and a lost or unreachable Redis degrades to reading
the row at the waiter's own pace."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from django.conf import settings

from kiln.jobs import wakeups
from kiln.jobs.services import job_log_publish
from kiln.ratelimit import redis_client

LONG = 30.0  # a wait that ends before this was woken, not timed out


def subscribers(job_id: str) -> int:
    answer = redis_client(settings.REDIS_URL).pubsub_numsub(wakeups.channel(job_id))
    return int(answer[0][1])


async def in_thread(function: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def test_a_wake_up_ends_the_wait_at_once_and_only_for_its_job() -> None:
    job, other = str(uuid.uuid4()), str(uuid.uuid4())

    async def scenario() -> tuple[float, float]:
        async with wakeups.job_done_signal(job) as wait, wakeups.job_done_signal(other) as wait_other:
            started = time.monotonic()
            waiting = asyncio.ensure_future(wait(LONG))
            await in_thread(wakeups.wake, job)
            await waiting
            woken_after = time.monotonic() - started
            started = time.monotonic()
            await wait_other(0.3)  # job's wake-up is not other's
            return woken_after, time.monotonic() - started

    woken_after, other_waited = asyncio.run(scenario())
    assert woken_after < LONG / 3
    assert other_waited >= 0.29


def test_a_wake_up_sent_just_after_subscribing_is_never_missed() -> None:
    # What wait_result relies on: once job_done_signal is entered, its row read and the job's
    # end may come in any order without the wake-up being lost.
    async def scenario() -> list[float]:
        took = []
        for _ in range(20):
            job = str(uuid.uuid4())
            async with wakeups.job_done_signal(job) as wait:
                await in_thread(wakeups.wake, job)  # before the wait even starts
                started = time.monotonic()
                await wait(LONG)
                took.append(time.monotonic() - started)
        return took

    assert max(asyncio.run(scenario())) < LONG / 3


def test_every_waiter_of_a_job_is_woken_and_the_last_one_out_unsubscribes() -> None:
    job = str(uuid.uuid4())

    async def scenario() -> list[int]:
        counts = []
        async with wakeups.job_done_signal(job) as first:
            async with wakeups.job_done_signal(job) as second:
                counts.append(await in_thread(subscribers, job))  # one subscription for both
                waits = asyncio.gather(first(LONG), second(LONG))
                await in_thread(wakeups.wake, job)
                started = time.monotonic()
                await waits
                assert time.monotonic() - started < LONG / 3
            counts.append(await in_thread(subscribers, job))  # the first still waits
            waiting = asyncio.ensure_future(first(LONG))
            await in_thread(wakeups.wake, job)
            await asyncio.wait_for(waiting, LONG / 3)
        counts.append(await in_thread(subscribers, job))
        return counts

    assert asyncio.run(scenario()) == [1, 1, 0]


def test_job_done_and_an_early_return_wake_the_waiter_and_log_news_does_not() -> None:
    job = str(uuid.uuid4())

    async def scenario() -> list[bool]:
        woken = []
        async with wakeups.job_done_signal(job) as wait:
            for message in (
                {"type": "log.chunk", "offset": 0, "data": "x"},
                {"type": "job.done", "status": "success", "log_size": 1},
                {"type": "flow.early_return"},
            ):
                await in_thread(job_log_publish, job, message)
                started = time.monotonic()
                await wait(1.0)
                woken.append(time.monotonic() - started < 0.9)
        return woken

    assert asyncio.run(scenario()) == [False, True, True]


def test_with_redis_unreachable_the_waiter_sleeps_and_wake_does_not_raise(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    redis_client.cache_clear()
    try:
        wakeups.wake("anything")  # logged, not raised

        async def scenario() -> float:
            async with wakeups.job_done_signal("anything") as wait:
                started = time.monotonic()
                await wait(0.2)
                return time.monotonic() - started

        assert asyncio.run(scenario()) >= 0.19  # a plain sleep: the caller reads the row after it
    finally:
        redis_client.cache_clear()


def test_a_lost_subscription_wakes_its_waiters_and_the_next_wait_subscribes_again() -> None:
    job = str(uuid.uuid4())

    async def scenario() -> tuple[bool, float, float]:
        async with wakeups.job_done_signal(job) as wait:
            current = await wakeups.listener()
            waiting = asyncio.ensure_future(wait(LONG))
            await asyncio.sleep(0.05)
            await current.pubsub.connection.disconnect()  # as a Redis restart would
            started = time.monotonic()
            await waiting  # woken by the loss: it reads its row now
            woken_by_loss = time.monotonic() - started
            started = time.monotonic()
            await wait(0.2)  # then it polls (the caller reads the row after each)
            polled = time.monotonic() - started
            broken = current.broken
        again = str(uuid.uuid4())
        async with wakeups.job_done_signal(again) as wait_again:  # a new listener
            waiting = asyncio.ensure_future(wait_again(LONG))
            await in_thread(wakeups.wake, again)
            await asyncio.wait_for(waiting, LONG / 3)
        return broken, woken_by_loss, polled

    broken, woken_by_loss, polled = asyncio.run(scenario())
    assert broken and woken_by_loss < LONG / 3 and polled >= 0.19


def test_many_waiters_at_once_each_get_their_own_wake_up() -> None:
    jobs = [str(uuid.uuid4()) for _ in range(50)]

    async def one(job: str) -> float:
        async with wakeups.job_done_signal(job) as wait:
            waiting = asyncio.ensure_future(wait(LONG))
            await asyncio.sleep(0.05)
            started = time.monotonic()
            await in_thread(wakeups.wake, job)
            await waiting
            return time.monotonic() - started

    async def scenario() -> list[float]:
        return list(await asyncio.gather(*(one(job) for job in jobs)))

    assert max(asyncio.run(scenario())) < LONG / 3
    assert all(subscribers(job) == 0 for job in jobs)
