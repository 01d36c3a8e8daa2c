"""Django's SQLite backend, with a faster wait for the write lock.

Web, workers and scheduler are separate processes writing one database, so a transaction
often finds another holding SQLite's single write lock (`BEGIN IMMEDIATE`). SQLite's own busy
handler then sleeps 1, 2, 5, 10, 15... ms between tries, whatever the holder needs: a job's
claim or finish holds the lock for about a millisecond, and its waiter slept 3 to 8. Draining
a backlog, two pool processes spent about a tenth of their time asleep there.

Here a transaction's BEGIN first retries every 0.2 ms for up to SPIN_S without the busy
handler, then falls back to it (and to the configured timeout) as before. Other statements
(writes outside a transaction) keep SQLite's handler.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

SPIN_S = 0.25  # then SQLite's own busy wait, up to OPTIONS["timeout"]
PAUSE_S = 0.0002


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        # (Django 5.1+ has both; django-stubs has neither yet.)
        if self.transaction_mode != "IMMEDIATE":  # type: ignore[attr-defined]
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        raw = self.connection
        timeout_ms = int(float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + SPIN_S
            while True:
                try:
                    raw.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        break
                time.sleep(PAUSE_S)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        super()._start_transaction_under_autocommit()  # type: ignore[misc]  # SQLite's busy wait, and Django's errors
