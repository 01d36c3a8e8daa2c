"""kiln.jobs.doorbell: the run_job message written by hand is the one Celery sends, a worker's
kombu reads it, and an unreachable broker is an error the publisher handles. Real Redis (the
session's Valkey, or CI's Redis)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from kombu import Queue

from kiln.celery import app
from kiln.jobs import doorbell, services
from kiln.jobs.tasks import run_job

# Differ per message whoever sends it: new ids, the sender's process.
PER_MESSAGE = {
    "headers": ("id", "root_id", "origin"),
    "properties": ("correlation_id", "reply_to", "delivery_tag"),
}


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"doorbell-test-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(*(doorbell.list_key(name, p) for p in range(10)))


def sent(queue: str, priority: int = 0) -> list[dict[str, Any]]:
    """The messages waiting in a queue's list, oldest first."""
    raw = redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange(doorbell.list_key(queue, priority), 0, -1)
    return [json.loads(item) for item in reversed(raw)]  # type: ignore[arg-type]


def comparable(message: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(message))
    for part, names in PER_MESSAGE.items():
        for name in names:
            assert out[part].pop(name), (part, name)  # present, and not empty, in Celery's
    out["body"] = json.loads(base64.b64decode(out["body"]))
    return out


@pytest.mark.parametrize(("priority", "bell"), [(0, None), (9, "q"), (4, None)])
def test_the_message_is_field_for_field_the_one_apply_async_sends(
    queue: str, priority: int, bell: str | None
) -> None:
    job_id = str(uuid.uuid4())
    run_job.apply_async(
        args=[job_id], kwargs={"bell": bell} if bell else None, queue=queue, priority=priority
    )
    doorbell.ring(job_id, queue=queue, priority=priority, bell=bell)
    celerys, ours = sent(queue, priority)
    assert ours["headers"]["id"] == ours["headers"]["root_id"] == ours["properties"]["correlation_id"]
    assert ours["headers"]["id"] != celerys["headers"]["id"]
    celerys["properties"]["reply_to"] = "-"  # Celery's names its result queue; none is used here
    ours["properties"]["reply_to"] = "-"
    assert comparable(ours) == comparable(celerys)
    assert comparable(ours)["body"][:2] == [[job_id], {"bell": bell} if bell else {}]


def test_a_worker_reads_it_first_priority_first(queue: str) -> None:
    doorbell.ring("later", queue=queue, priority=9)
    doorbell.ring("first", queue=queue, priority=0, bell=queue)
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(Queue(queue, routing_key=queue))
        got = []
        for _ in range(2):
            message = simple.get(timeout=5)
            args, kwargs, _ = message.decode()
            got.append((message.headers["task"], args, kwargs))
            message.ack()
        simple.close()
    assert got == [("kiln.run_job", ["first"], {"bell": queue}), ("kiln.run_job", ["later"], {})]
    assert run_job.name == doorbell.TASK


@pytest.mark.django_db
def test_an_unreachable_broker_is_an_error_and_the_job_waits_for_the_sweeper(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    started = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        doorbell.ring("x", queue="q", priority=0)
    assert services.job_publish(job_id="x", queue="q") is False
    assert time.monotonic() - started < 3  # refused at once, retried once, no back-off
    assert "could not publish" in caplog.text
