"""Django's SQLite backend, with a faster and fairer wait for the write lock.

Web, workers and scheduler are separate processes writing one database, so a write often finds
another process holding SQLite's single write lock. SQLite's own busy handler sleeps 1, 2, 5,
10, 15... then 100 ms between tries, whatever the holder needs: a job's claim or finish holds
the lock for about a millisecond, and its waiter slept 3 to 8. Draining a backlog, two pool
processes spent about a tenth of their time asleep there.

Here every wait for the lock is Kiln's: SQLite's busy timeout is 0, and a statement or a
`BEGIN IMMEDIATE` that finds the database locked is tried again every PAUSE_S, until
OPTIONS["timeout"] has passed (then Django's OperationalError, as before). Every waiter
tries at the same pace, so none starves: with SQLite's handler beside a faster retry, a writer
asleep for 100 ms at a time almost never found the lock free while schedulers took it in turn
(an API write timed out after 20 s that way, with three schedulers at work).

Only what cannot have done anything yet is tried again: a statement run outside a transaction
(SQLite refused it whole), which includes the `BEGIN IMMEDIATE` that starts one. Inside a
transaction the write lock is already held, so its statements don't wait for it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.backends.sqlite3 import base

PAUSE_S = 0.0002

T = TypeVar("T")


class Connection(sqlite3.Connection):
    wait_s: float = 5.0  # OPTIONS["timeout"]; SQLite's own busy timeout is 0


def locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc)  # "database is locked" (SQLITE_BUSY), "database table is locked"


def waiting(conn: Connection, attempt: Callable[[], T]) -> T:
    """`attempt()`, tried again while the database is locked, up to the connection's timeout."""
    deadline = 0.0
    while True:
        try:
            return attempt()
        except sqlite3.OperationalError as exc:
            if not locked(exc):
                raise
            now = time.monotonic()
            if not deadline:
                deadline = now + conn.wait_s
            elif now > deadline:
                raise
        time.sleep(PAUSE_S)


class _Waiting(sqlite3.Cursor):
    """Under Django's cursor (which converts the query first): the raw statement, waited for
    when it runs outside a transaction."""

    connection: Connection

    def execute(self, sql: str, parameters: Any = ()) -> _Waiting:
        if self.connection.in_transaction:
            return super().execute(sql, parameters)
        return waiting(self.connection, lambda: super(_Waiting, self).execute(sql, parameters))

    def executemany(self, sql: str, seq_of_parameters: Any) -> _Waiting:
        if self.connection.in_transaction:
            return super().executemany(sql, seq_of_parameters)
        rows = list(seq_of_parameters)  # a generator could not be read twice
        return waiting(self.connection, lambda: super(_Waiting, self).executemany(sql, rows))


class Cursor(base.SQLiteCursorWrapper, _Waiting):  # type: ignore[misc]  # (django-stubs types it loosely)
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        params["factory"] = Connection
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Connection:
        # SQLite's handler still waits while the connection is set up (turning on WAL takes
        # the lock), then Kiln's.
        conn: Connection = super().get_new_connection(conn_params)
        conn.wait_s = float(conn_params.get("timeout", 5))
        conn.execute("PRAGMA busy_timeout = 0")
        return conn

    def create_cursor(self, name: str | None = None) -> Cursor:
        return self.connection.cursor(factory=Cursor)  # type: ignore[no-any-return]
