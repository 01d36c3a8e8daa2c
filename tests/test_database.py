"""The database connections: kept between jobs, and SQLite's write lock waited for."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from kiln.celery import app
from kiln.jobs.tasks import _on_task_prerun
from kiln.sqlite3.base import SPIN_S


@pytest.mark.django_db
def test_celery_keeps_the_connection_between_tasks() -> None:
    """Celery's Django fixup closes every connection around each task unless CELERY_DB_REUSE_MAX
    is set: a new connection per job. Kiln's task_prerun closes only a failed or old one."""
    fixup = DjangoWorkerFixup(app)
    connection.ensure_connection()
    raw = connection.connection
    for _ in range(3):  # what the fixup and Kiln do before and after each task
        fixup.close_database()
        _on_task_prerun()
        connection.ensure_connection()
    assert connection.connection is raw


@pytest.mark.django_db(transaction=True)  # outside the test's transaction, as a worker is
def test_a_failed_connection_is_replaced_before_the_next_task() -> None:
    connection.ensure_connection()
    raw = connection.connection
    connection.errors_occurred = True
    connection.is_usable = lambda: False  # type: ignore[method-assign]  # as after a server restart
    try:
        _on_task_prerun()
    finally:
        del connection.is_usable
    connection.ensure_connection()
    assert connection.connection is not raw


def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock: the PostgreSQL run has row locks instead")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("held_s", [0.05, SPIN_S + 0.2])
def test_a_transaction_waits_for_the_write_lock_another_process_holds(held_s: float) -> None:
    """Held briefly (the retry loop) or past the loop (SQLite's own busy wait): the transaction
    starts once the lock is free, and SQLite's busy timeout is as configured afterwards."""
    sqlite_only()
    from kiln.jobs.models import Job

    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(held_s)
        released.set()
        other.execute("COMMIT")

    threading.Thread(target=release).start()
    with transaction.atomic():
        assert released.is_set()  # not before the other one let go
        count = Job.objects.count()
    assert count == 0
    timeout_ms = int(connection.settings_dict["OPTIONS"]["timeout"] * 1000)
    assert connection.connection.execute("PRAGMA busy_timeout").fetchone()[0] == timeout_ms
    other.close()
