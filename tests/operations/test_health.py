"""/healthz and /readyz: real database, real Redis (the test's Valkey), worker heartbeat rows."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kiln.jobs.models import Worker


def beat(worker_id: str, tags: list[str], *, ago: float = 0.0) -> Worker:
    return Worker.objects.create(
        id=worker_id,
        hostname=worker_id.split(":")[0],
        tags=tags,
        concurrency=2,
        heartbeat_at=timezone.now() - timedelta(seconds=ago),
    )


# The checks run in threads of their own, with connections of their own: what a test stores
# must be committed for them to see it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def every_tag_served() -> None:
    beat("box:1", list(settings.KILN_WORKER_TAGS))


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts and never answers: a blackholed Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_healthz_answers_without_looking_at_anything(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert client.post("/healthz").status_code == 405


def test_readyz_is_ready_when_database_redis_and_a_worker_per_tag_answer(
    client: Client, every_tag_served: None
) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "workers": True,
    }
    assert body["checks"]["workers"]["tags"] == {tag: 1 for tag in settings.KILN_WORKER_TAGS}


def test_readyz_names_the_tags_no_live_worker_serves(client: Client) -> None:
    beat("box:1", ["python3"])
    beat("box:2", [t for t in settings.KILN_WORKER_TAGS if t != "python3"], ago=3600)  # stopped beating
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "not ready"
    workers = body["checks"]["workers"]
    assert workers["ok"] is False
    assert workers["missing"] == [t for t in settings.KILN_WORKER_TAGS if t != "python3"]
    assert "no live worker serves tag(s)" in workers["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_readyz_says_redis_is_down(client: Client, every_tag_served: None, settings: Any) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["redis"]["ok"] is False
    assert "ConnectionError" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["workers"]["ok"]


def test_readyz_answers_in_time_when_redis_never_answers(
    client: Client, every_tag_served: None, settings: Any, silent_server: str
) -> None:
    settings.REDIS_URL = silent_server
    started = time.monotonic()
    response = client.get("/readyz")
    waited = time.monotonic() - started
    assert response.status_code == 503
    redis = response.json()["checks"]["redis"]
    assert redis["ok"] is False and ("no answer" in redis["error"] or "Timeout" in redis["error"])
    assert waited < 10  # bounded by the check's limit (2 s), not the kernel's TCP retries


def test_a_stopping_worker_does_not_make_its_tags_ready(client: Client) -> None:
    beat("box:1", list(settings.KILN_WORKER_TAGS))
    Worker.objects.filter(id="box:1").update(stopping_at=timezone.now())  # it got SIGTERM
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"]["missing"] == list(settings.KILN_WORKER_TAGS)
