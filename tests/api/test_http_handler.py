"""Kiln's ASGI handler (kiln.http_handler): the middleware in one hop, request threads (and
their database connections) kept from one request to the next, and the same answers as
Django's handler, a waiting sync run and bad input included. These go through `kiln.asgi`, the
application uvicorn serves (Django's test Client does not)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from channels.testing import HttpCommunicator
from django.core.signals import request_finished
from django.db import connection

from kiln.accounts.models import User
from kiln.accounts.services import token_create
from kiln.asgi import django_http
from kiln.http_handler import ExecutorPool, KilnASGIHandler
from kiln.jobs.models import Job, JobStatus
from tests.conftest import save_echo

pytestmark = pytest.mark.django_db(transaction=True)  # requests run in their own threads


@pytest.fixture(autouse=True)
def _request_threads_closed() -> Iterator[None]:
    """The handler keeps its request threads, each with a database connection: closed after
    each test (PostgreSQL refuses to drop a test database with sessions open)."""
    yield
    django_http.pool.close()


def call(method: str, path: str, token: str | None = None, body: bytes = b"") -> dict[str, Any]:
    headers = [(b"content-type", b"application/json")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return async_to_sync(answer)(HttpCommunicator(django_http, method, path, body=body, headers=headers))


async def answer(communicator: HttpCommunicator) -> dict[str, Any]:
    """The response, once the application has finished with the request (closed its response)."""
    response: dict[str, Any] = await communicator.get_response(timeout=10)
    await communicator.wait(timeout=10)
    return response


@pytest.fixture
def seen() -> Iterator[list[tuple[int, int]]]:
    """(thread, database connection) of each request, noted as it finishes (in its thread)."""
    noted: list[tuple[int, int]] = []

    def note(**_: Any) -> None:
        noted.append((threading.get_ident(), id(connection.connection)))

    request_finished.connect(note, weak=False)
    yield noted
    request_finished.disconnect(note)


def test_the_middleware_chain_is_entered_once_in_sync_mode() -> None:
    # Django's handler builds it in async mode: a thread hop per middleware method.
    assert not iscoroutinefunction(django_http._middleware_chain)
    assert iscoroutinefunction(django_http.get_response_async)


def test_one_request_after_another_keeps_its_thread_and_database_connection(
    owner: User, seen: list[tuple[int, int]]
) -> None:
    token = token_create(user=owner)
    for _ in range(3):
        assert call("GET", "/api/w/main/scripts", token)["status"] == 200
    assert len(seen) == 3
    assert len(set(seen)) == 1, seen  # one thread, one connection (Django's handler: three of each)
    assert seen[0][1] != id(None)


def test_answers_are_django_s_for_good_and_bad_requests(owner: User) -> None:
    token = token_create(user=owner)
    ok = call("GET", "/api/w/main/scripts", token)
    assert ok["status"] == 200 and json.loads(ok["body"]) == []
    assert call("GET", "/api/w/main/scripts")["status"] == 401  # no token
    assert call("GET", "/api/w/nowhere/scripts", token)["status"] == 404
    broken = call("POST", "/api/w/main/scripts", token, body=b"{not json")
    assert broken["status"] == 400
    assert b"JSON" in broken["body"] or b"json" in broken["body"]
    assert call("GET", "/healthz")["status"] == 200
    assert call("GET", "/api/w/main/no-such-endpoint", token)["status"] == 404


def test_a_sync_run_waits_in_its_request_thread_and_answers(owner: User, settings: Any) -> None:
    # run_wait_result waits in its thread, subscribed through the server's loop (server_loop).
    # No worker runs here, so the wait ends with the documented 202 after KILN_SYNC_WAIT.
    settings.KILN_SYNC_WAIT = 0.3
    token = token_create(user=owner)
    save_echo(owner)
    answer = call("POST", "/api/w/main/jobs/run_wait_result/p/u/ada/echo", token, body=b'{"x": 2}')
    assert answer["status"] == 202, answer
    body = json.loads(answer["body"])
    job = Job.objects.get(pk=body["id"])
    assert job.status == JobStatus.QUEUED and job.args == {"x": 2}
    bad = call("POST", "/api/w/main/jobs/run_wait_result/p/u/ada/echo", token, body=b'{"x": "two"}')
    assert bad["status"] == 400 and Job.objects.count() == 1  # refused before any job exists


def test_only_http_is_served() -> None:
    with pytest.raises(ValueError, match="HTTP"):
        async_to_sync(django_http)({"type": "websocket"}, None, None)


def test_the_pool_lends_the_last_returned_executor_and_keeps_only_so_many() -> None:
    pool = ExecutorPool(kept_idle=2)
    first, second, third = pool.take(), pool.take(), pool.take()
    assert len({id(first), id(second), id(third)}) == 3 and pool.created == 3
    for executor in (first, second, third):
        pool.give_back(executor)
    assert pool.idle() == 2
    assert third._shutdown and not first._shutdown and not second._shutdown  # the extra one is shut down
    assert pool.take() is second  # most recently returned first
    assert pool.take() is first
    assert pool.created == 3
    first.shutdown()
    second.shutdown()


def test_concurrent_requests_get_threads_of_their_own(owner: User) -> None:
    handler = KilnASGIHandler(pool=ExecutorPool(kept_idle=4))
    token = token_create(user=owner)
    threads: list[int] = []

    def note(**_: Any) -> None:
        threads.append(threading.get_ident())

    async def both() -> list[dict[str, Any]]:
        import asyncio

        headers = [(b"authorization", f"Bearer {token}".encode())]
        first = HttpCommunicator(handler, "GET", "/api/w/main/scripts", headers=headers)
        second = HttpCommunicator(handler, "GET", "/api/w/main/jobs", headers=headers)
        return list(await asyncio.gather(answer(first), answer(second)))

    request_finished.connect(note, weak=False)
    try:
        answers = async_to_sync(both)()
    finally:
        request_finished.disconnect(note)
    assert [a["status"] for a in answers] == [200, 200]
    assert handler.pool.created == 2 and handler.pool.idle() == 2
    assert len(set(threads)) == 2
    handler.pool.close()
    assert handler.pool.idle() == 0
