"""Live workers: each Celery worker says every few seconds which tags (queues) it serves.

A queued job whose tag no live worker serves is not silently stuck: the API says so
(`waiting_reason`). The heartbeat runs in the worker's main process, next to Celery's
own consumer; it stops (and the row goes) when the worker shuts down.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from .models import Worker

log = logging.getLogger(__name__)
_stop = threading.Event()


def kiln_version() -> str:
    try:
        return version("kiln")
    except PackageNotFoundError:
        return "dev"


def main_worker_id() -> str:
    """host:pid of this process (a worker's main process, or a pool process running a job)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def served_queues() -> set[str]:
    """The tags (queues) this worker serves: what `kiln worker` was started with, else every
    configured tag."""
    queues = {t.strip() for t in os.environ.get("KILN_WORKER_QUEUES", "").split(",") if t.strip()}
    return queues or set(settings.KILN_WORKER_TAGS)


def heartbeat_once(*, worker_id: str, tags: list[str], concurrency: int, version: str) -> None:
    # started_at keeps its model default (the first beat) when the row is created.
    Worker.objects.update_or_create(
        id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "tags": tags,
            "concurrency": concurrency,
            "version": version,
            "heartbeat_at": timezone.now(),
        },
    )


def heartbeat_start(*, tags: list[str], concurrency: int) -> threading.Thread:
    worker_id, version = main_worker_id(), kiln_version()

    def beat() -> None:
        while not _stop.is_set():
            try:
                heartbeat_once(worker_id=worker_id, tags=tags, concurrency=concurrency, version=version)
            except Exception:  # the database blinked: say it next time
                log.warning("worker heartbeat failed", exc_info=True)
            finally:
                close_old_connections()
            _stop.wait(settings.KILN_WORKER_HEARTBEAT_SECONDS)
        try:
            Worker.objects.filter(id=worker_id).delete()
        except Exception:
            log.warning("could not remove this worker's heartbeat row", exc_info=True)
        finally:
            close_old_connections()

    thread = threading.Thread(target=beat, name="kiln-heartbeat", daemon=True)
    thread.start()
    log.info("worker %s serves tags %s", worker_id, ",".join(tags))
    return thread


def heartbeat_stop() -> None:
    _stop.set()


def live_cutoff() -> Any:
    return timezone.now() - timedelta(seconds=3 * settings.KILN_WORKER_HEARTBEAT_SECONDS)


def live_tags() -> set[str]:
    """Tags served by at least one worker that beat recently."""
    tags: set[str] = set()
    for served in Worker.objects.filter(heartbeat_at__gte=live_cutoff()).values_list("tags", flat=True):
        tags.update(served or [])
    return tags
