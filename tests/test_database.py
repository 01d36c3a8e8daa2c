"""The database connections: kept between jobs, and SQLite's write lock waited for."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import OperationalError, connection, transaction

from kiln.celery import app
from kiln.jobs.tasks import _on_task_prerun
from kiln.sqlite3.base import Connection, waiting


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


def other_process(name: str) -> Connection:
    """A connection as another Kiln process has one: busy timeout 0, Kiln's wait."""
    conn = sqlite3.connect(name, isolation_level=None, timeout=0, check_same_thread=False, factory=Connection)
    conn.wait_s = 20
    return conn


def write_outside_a_transaction() -> None:
    from kiln.jobs.models import Job

    Job.objects.filter(status="no such status").update(status="queued")  # no row, yet a write


def write_in_a_transaction() -> None:
    from kiln.jobs.models import Job

    with transaction.atomic():
        Job.objects.filter(status="no such status").update(status="queued")


WRITES = {"outside a transaction": write_outside_a_transaction, "in a transaction": write_in_a_transaction}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("held_s", [0.05, 0.5])
def test_a_write_waits_for_the_lock_another_process_holds(held_s: float, write: Callable[[], None]) -> None:
    """The write goes through once the lock is free, not before, and not as an error."""
    sqlite_only()
    other = other_process(connection.settings_dict["NAME"])
    other.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release() -> None:
        time.sleep(held_s)
        released.set()
        other.execute("COMMIT")

    threading.Thread(target=release).start()
    write()
    assert released.is_set()
    other.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_gives_up_after_the_timeout_with_djangos_error(write: Callable[[], None]) -> None:
    sqlite_only()
    other = other_process(connection.settings_dict["NAME"])
    other.execute("BEGIN IMMEDIATE")
    connection.ensure_connection()
    connection.connection.wait_s = 0.2
    try:
        with pytest.raises(OperationalError, match="locked"):
            write()
    finally:
        connection.connection.wait_s = connection.settings_dict["OPTIONS"]["timeout"]
        other.execute("COMMIT")
        other.close()
    write()  # and the connection is fine afterwards


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_is_not_starved_by_processes_that_take_the_lock_in_turn(write: Callable[[], None]) -> None:
    """Two processes take the write lock in turn, each retrying at Kiln's pace while the other
    holds it (three schedulers do so, chunk after chunk). A third writer gets its turn while
    they go on. With SQLite's handler (asleep 100 ms between tries) it found the lock free
    less than 1% of the times it looked, and an API write timed out after 20 s."""
    sqlite_only()
    stop = threading.Event()
    hogs_ran = threading.Event()

    def hog() -> None:
        conn = other_process(connection.settings_dict["NAME"])
        deadline = time.monotonic() + 3
        while not stop.is_set() and time.monotonic() < deadline:
            waiting(conn, lambda: conn.execute("BEGIN IMMEDIATE"))
            time.sleep(0.02)  # a chunk of work under the lock
            conn.execute("COMMIT")
            hogs_ran.set()
            time.sleep(0.0005)  # between chunks
        conn.close()

    hogs = [threading.Thread(target=hog) for _ in range(2)]
    for thread in hogs:
        thread.start()
    hogs_ran.wait(5)
    try:
        write()
        assert any(t.is_alive() for t in hogs), "the write went through only once the others stopped"
    finally:
        stop.set()
        for thread in hogs:
            thread.join()
