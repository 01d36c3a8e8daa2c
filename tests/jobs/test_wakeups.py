"""A sync run's waiter woken by a Redis PUBLISH (kiln.jobs.wakeups), on the real Redis/Valkey:
subscribed before the caller reads the row, one job's wake-up never wakes another's waiter,
unsubscribed when the last waiter leaves, and a lost or unreachable Redis degrades to reading
the row at the waiter's own pace."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.conf import settings
from django.db import connection

from kiln.accounts.models import User
from kiln.accounts.services import token_create
from kiln.asgi import django_http
from kiln.jobs import wakeups
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.services import job_claim, job_finish, job_log_publish
from kiln.ratelimit import redis_client
from tests.conftest import save_echo

LONG = 30.0  # a wait that ends before this was woken, not timed out


def subscribers(job_id: str) -> int:
    answer = redis_client(settings.REDIS_URL).pubsub_numsub(wakeups.channel(job_id))
    return int(answer[0][1])


@contextlib.contextmanager
def waiting_for(job_id: str) -> Iterator[wakeups.ThreadSignal]:
    """A request thread's wait for `job_id`, listened to by the process's background loop (as
    for a request no server loop serves: Django's test client), subscribed when it is entered."""
    with wakeups.thread_signal(job_id, wakeups.background_loop()) as signal:
        signal.ready()
        yield signal


def soon(seconds: float, function: Callable[..., Any], *args: Any) -> threading.Timer:
    timer = threading.Timer(seconds, function, args)
    timer.start()
    return timer


def on_background_loop(coroutine: Any) -> Any:
    return asyncio.run_coroutine_threadsafe(coroutine, wakeups.background_loop()).result(10)


def unsubscribed_later() -> None:
    """A request that left released its channel; the next subscription unsubscribes it."""
    with waiting_for(str(uuid.uuid4())):
        pass


def test_a_wake_up_ends_the_wait_at_once_and_only_for_its_job() -> None:
    job, other = str(uuid.uuid4()), str(uuid.uuid4())
    with waiting_for(job) as signal, waiting_for(other) as other_signal:
        assert signal.ready() and other_signal.ready()
        started = time.monotonic()
        soon(0.05, wakeups.wake, job).join()
        signal.wait(LONG)
        assert time.monotonic() - started < LONG / 3
        started = time.monotonic()
        assert other_signal.wait(0.3) is None  # job's wake-up is not other's
        assert time.monotonic() - started >= 0.29


def test_every_waiter_of_a_job_is_woken_and_the_last_one_out_unsubscribes() -> None:
    job = str(uuid.uuid4())
    counts = []
    with waiting_for(job) as first:
        with waiting_for(job) as second:
            counts.append(subscribers(job))  # one subscription for both
            wakeups.wake(job, wakeups.outcome_of("success", 1, None))
            started = time.monotonic()
            assert first.wait(LONG) == second.wait(LONG) == {"status": "success", "result": 1, "error": None}
            assert time.monotonic() - started < LONG / 3
        counts.append(subscribers(job))  # the first still waits
        soon(0.05, wakeups.wake, job)
        started = time.monotonic()
        first.wait(LONG)
        assert time.monotonic() - started < LONG / 3
    unsubscribed_later()
    counts.append(subscribers(job))
    assert counts == [1, 1, 0]


def test_job_done_and_an_early_return_wake_the_waiter_and_log_news_does_not() -> None:
    job = str(uuid.uuid4())
    woken = []
    with waiting_for(job) as signal:
        for message in (
            {"type": "log.chunk", "offset": 0, "data": "x"},
            {"type": "job.done", "status": "success", "log_size": 1},
            {"type": "flow.early_return"},
        ):
            job_log_publish(job, message)
            started = time.monotonic()
            signal.wait(1.0)
            woken.append(time.monotonic() - started < 0.9)
    assert woken == [False, True, True]


def test_with_redis_unreachable_the_waiter_sleeps_and_wake_does_not_raise(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    redis_client.cache_clear()
    try:
        wakeups.wake("anything")  # logged, not raised
        with waiting_for("anything") as signal:
            assert signal.ready() is False
            started = time.monotonic()
            assert signal.wait(0.2) is None
            assert time.monotonic() - started >= 0.19  # a plain sleep: the caller reads the row after it
    finally:
        redis_client.cache_clear()


def test_a_lost_subscription_wakes_its_waiters_and_the_next_wait_subscribes_again() -> None:
    job = str(uuid.uuid4())
    with waiting_for(job) as signal:
        current = on_background_loop(wakeups.listener())
        assert signal.listener is current
        soon(0.05, on_background_loop, current.pubsub.connection.disconnect())  # as a Redis restart would
        started = time.monotonic()
        assert signal.wait(LONG) is None  # woken by the loss: it reads its row now
        assert time.monotonic() - started < LONG / 3
        started = time.monotonic()
        assert signal.wait(0.2) is None  # then it polls (the caller reads the row after each)
        assert time.monotonic() - started >= 0.19
        assert current.broken
    again = str(uuid.uuid4())
    with waiting_for(again) as signal:  # a new listener
        assert signal.listener is not current
        soon(0.05, wakeups.wake, again)
        started = time.monotonic()
        signal.wait(LONG)
        assert time.monotonic() - started < LONG / 3


def test_a_new_redis_setting_gets_a_new_listener(settings: Any) -> None:
    with waiting_for(str(uuid.uuid4())) as signal:
        first = signal.listener
    settings.REDIS_URL = urlparse(settings.REDIS_URL)._replace(path="/3").geturl()  # the same server, db 3
    job = str(uuid.uuid4())
    with waiting_for(job) as signal:
        assert signal.listener is not first and signal.listener is not None
        assert signal.listener.url == settings.REDIS_URL
        assert first is not None and first.broken  # closed: it listened to the old setting
        wakeups.wake(job, wakeups.outcome_of("success", 3, None))  # pub/sub ignores the db number
        assert signal.wait(LONG) == {"status": "success", "result": 3, "error": None}


def test_a_released_channel_is_unsubscribed_soon_without_another_subscription() -> None:
    job = str(uuid.uuid4())
    with waiting_for(job):
        assert subscribers(job) == 1
    deadline = time.monotonic() + wakeups.LEAVE_AFTER_S + 5
    while subscribers(job) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert subscribers(job) == 0


def test_many_waiters_at_once_each_get_their_own_wake_up() -> None:
    jobs = [str(uuid.uuid4()) for _ in range(50)]
    with contextlib.ExitStack() as stack:
        signals = [stack.enter_context(waiting_for(job)) for job in jobs]
        for n, job in enumerate(jobs):
            wakeups.wake(job, wakeups.outcome_of("success", n, None))
        started = time.monotonic()
        got = [signal.wait(LONG) for signal in signals]
        assert time.monotonic() - started < LONG / 3
    assert [outcome["result"] for outcome in got if outcome] == list(range(50))
    unsubscribed_later()
    assert all(subscribers(job) == 0 for job in jobs)


# The outcome a wake-up carries, and a sync run answered from it


def test_a_small_outcome_is_carried_and_a_large_or_strange_one_is_not() -> None:
    small = wakeups.outcome_of("success", {"n": 1, "text": "café"}, None)
    assert wakeups.outcome_in(small) == {
        "status": "success",
        "result": {"n": 1, "text": "café"},
        "error": None,
    }
    failed = wakeups.outcome_in(wakeups.outcome_of("failure", None, {"name": "ValueError", "message": "no"}))
    assert failed == {"status": "failure", "result": None, "error": {"name": "ValueError", "message": "no"}}
    large = list(range(wakeups.OUTCOME_MAX_BYTES))  # far past the limit: the encoding stops early
    assert wakeups.outcome_of("success", large, None) == wakeups.NO_OUTCOME
    just_over = "x" * wakeups.OUTCOME_MAX_BYTES
    assert wakeups.outcome_of("success", just_over, None) == wakeups.NO_OUTCOME
    multibyte = "é" * (wakeups.OUTCOME_MAX_BYTES // 2)  # short in characters, long in bytes
    assert wakeups.outcome_of("success", multibyte, None) == wakeups.NO_OUTCOME
    assert wakeups.outcome_of("success", {1, 2}, None) == wakeups.NO_OUTCOME  # not JSON as such
    for payload in (None, b"", wakeups.NO_OUTCOME, b"{not json", b"[1]", b'{"status": "success"}'):
        assert wakeups.outcome_in(payload) is None


def test_the_wait_returns_what_the_wake_up_carried() -> None:
    job = str(uuid.uuid4())
    with waiting_for(job) as signal:
        wakeups.wake(job, wakeups.outcome_of("success", [1, 2], None))
        assert signal.wait(LONG) == {"status": "success", "result": [1, 2], "error": None}
        wakeups.wake(job)  # no outcome (a flow, a cancel): read the row
        assert signal.wait(LONG) is None


def sync_call(token: str, key: str | None = None) -> dict[str, Any]:
    """POST run_wait_result of u/ada/echo through the ASGI application: the answer."""
    headers = [(b"content-type", b"application/json"), (b"authorization", f"Bearer {token}".encode())]
    if key:
        headers.append((b"idempotency-key", key.encode()))
    communicator = HttpCommunicator(
        django_http, "POST", "/api/w/main/jobs/run_wait_result/p/u/ada/echo", body=b"{}", headers=headers
    )

    async def answer() -> dict[str, Any]:
        response: dict[str, Any] = await communicator.get_response(timeout=20)
        await communicator.wait(timeout=10)
        return response

    return async_to_sync(answer)()


@pytest.fixture
def sync_run(owner: User) -> Iterator[Callable[[Callable[[Job], None]], dict[str, Any]]]:
    """`run(end)`: POST run_wait_result for a saved script through the ASGI application, with
    `end(job)` called from another thread once the job exists (as a worker would); the answer."""
    token = token_create(user=owner)
    save_echo(owner)

    def run(end: Callable[[Job], None]) -> dict[str, Any]:
        def worker() -> None:
            try:
                deadline = time.monotonic() + 10
                while (
                    job := Job.objects.filter(script_path="u/ada/echo").order_by("-created_at").first()
                ) is None:
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
                time.sleep(0.1)  # the request is waiting by now (its own row read is done)
                end(job)
            finally:
                connection.close()

        thread = threading.Thread(target=worker)
        thread.start()
        response = sync_call(token)
        thread.join()
        Job.objects.all().delete()
        return response

    yield run
    django_http.pool.close()


def finished(
    status: JobStatus, result: Any = None, error: dict[str, Any] | None = None
) -> Callable[[Job], None]:
    def end(job: Job) -> None:
        claimed = job_claim(job_id=str(job.pk), worker_id="test-worker")
        assert claimed is not None
        assert job_finish(job=claimed, status=status, result=result, error=error, last_log=(0, ""))

    return end


@pytest.mark.django_db(transaction=True)
def test_a_sync_run_answers_with_what_its_job_committed(sync_run: Any, settings: Any) -> None:
    settings.KILN_SYNC_WAIT = 15
    small = sync_run(finished(JobStatus.SUCCESS, {"answer": 42}))
    assert small["status"] == 200 and json.loads(small["body"]) == {"answer": 42}
    large_result = {"rows": ["x" * 100] * 400}  # 40 kB: read from the row
    large = sync_run(finished(JobStatus.SUCCESS, large_result))
    assert large["status"] == 200 and json.loads(large["body"]) == large_result
    error = {"name": "ValueError", "message": "bad x", "traceback": "..."}
    failed = sync_run(finished(JobStatus.FAILURE, None, error))
    assert failed["status"] == 500
    assert json.loads(failed["body"]) == {
        "message": "job failure: ValueError: bad x",
        "detail": {
            "job_id": json.loads(failed["body"])["detail"]["job_id"],
            "status": "failure",
            "error": error,
        },
    }


@pytest.mark.django_db(transaction=True)
def test_the_outcome_a_wake_up_carries_is_answered_without_reading_the_row(
    sync_run: Any, settings: Any
) -> None:
    # The row stays queued here: only the wake-up says the job ended, so the answer can only
    # have come from it (a real one is sent after the commit of exactly what it carries).
    settings.KILN_SYNC_WAIT = 15

    def wake_only(job: Job) -> None:
        wakeups.wake(str(job.pk), wakeups.outcome_of("success", "from the wake-up", None))

    answer = sync_run(wake_only)
    assert answer["status"] == 200 and json.loads(answer["body"]) == "from the wake-up"


def test_after_a_failed_start_waiters_poll_without_trying_again_at_once(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # refused
    for _ in range(3):
        started = time.monotonic()
        with waiting_for("anything") as signal:
            assert signal.wait(0.05) is None
        assert time.monotonic() - started < 1.0
    with pytest.raises(ConnectionError, match="a moment ago"):
        on_background_loop(wakeups.listener())  # the failure is remembered: no new attempt yet


# -- a waiter in a request thread (kiln.jobs.wakeups.ThreadSignal) -----------------------------


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own, as a web server's is."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def test_a_thread_is_woken_by_the_loops_reader_and_never_misses_a_wake_up(
    loop: asyncio.AbstractEventLoop,
) -> None:
    for _ in range(20):  # sent right after ready(): must not be lost
        job = str(uuid.uuid4())
        with wakeups.thread_signal(job, loop) as signal:
            assert signal.ready()
            assert subscribers(job) == 1
            wakeups.wake(job, wakeups.outcome_of("success", 7, None))
            started = time.monotonic()
            assert signal.wait(LONG) == {"status": "success", "result": 7, "error": None}
            assert time.monotonic() - started < LONG / 3
        with wakeups.thread_signal(str(uuid.uuid4()), loop) as following:
            assert following.ready()
            assert subscribers(job) == 0  # released by the request, unsubscribed by the next one
    other = str(uuid.uuid4())
    with wakeups.thread_signal(str(uuid.uuid4()), loop) as signal:
        assert signal.ready()
        wakeups.wake(other)  # another job's
        started = time.monotonic()
        assert signal.wait(0.3) is None
        assert time.monotonic() - started >= 0.29


def test_a_thread_signal_without_redis_or_loop_sleeps_for_the_row_read(
    loop: asyncio.AbstractEventLoop, settings: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # refused: the loop's listener cannot start
    with wakeups.thread_signal("anything", loop) as signal:
        assert signal.ready() is False
        started = time.monotonic()
        assert signal.wait(0.2) is None
        assert time.monotonic() - started >= 0.19
    closed = asyncio.new_event_loop()
    closed.close()
    with wakeups.thread_signal("anything", closed) as signal:  # a server on its way out
        assert signal.ready() is False and signal.wait(0.01) is None


@pytest.mark.django_db(transaction=True)
def test_a_repeated_idempotency_key_answers_from_the_first_jobs_row(
    sync_run: Any, owner: User, settings: Any
) -> None:
    # A repeated key's request waits for the key's first job: woken by its wake-up while it
    # runs, answered from its row once it is over.
    settings.KILN_SYNC_WAIT = 1
    token = token_create(user=owner)  # sync_run saved u/ada/echo; nothing here runs its jobs
    first = sync_call(token, key="k-1")
    assert first["status"] == 202  # queued: the wait ended
    first_id = json.loads(first["body"])["id"]
    # Still running when asked again: the request waits for that job's own wake-up.
    settings.KILN_SYNC_WAIT = 15

    def end_it() -> None:
        try:
            finished(JobStatus.SUCCESS, {"first": 1})(Job.objects.get())
        finally:
            connection.close()

    end = threading.Timer(0.3, end_it)
    end.start()
    started = time.monotonic()
    again = sync_call(token, key="k-1")
    end.join()
    assert again["status"] == 200 and json.loads(again["body"]) == {"first": 1}
    assert 0.3 <= time.monotonic() - started < 0.9  # woken, not found by the next recheck (1 s)
    # Over when asked again: answered from its row at once.
    Job.objects.filter(pk=first_id).update(result={"first": 2})
    started = time.monotonic()
    third = sync_call(token, key="k-1")
    assert third["status"] == 200 and json.loads(third["body"]) == {"first": 2}
    headers = {name.lower(): value for name, value in third["headers"]}
    assert headers[b"x-kiln-job-id"].decode() == first_id
    assert time.monotonic() - started < 0.9
    assert Job.objects.count() == 1
