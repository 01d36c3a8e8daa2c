"""SQL examples through the HTTP API of a real platform."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import example, pg_resource
from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e


def test_big_orders_runs_against_postgresql_through_the_api(kiln: Kiln, pg_schema: str) -> None:
    status, saved, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": "u/admin/big_orders", "language": "pg", "content": example("big_orders.pg.sql")},
    )
    assert status == 201 and saved["language"] == "postgresql"
    status, rows, _ = kiln.request(
        "POST",
        "/api/w/main/jobs/run_wait_result/p/u/admin/big_orders",
        {"database": pg_resource(pg_schema), "since": "2026-01-01", "min_total": 200},
    )
    assert status == 200, rows
    assert [r["customer"] for r in rows] == ["ada"]


def test_a_sqlite_query_runs_through_the_api(kiln: Kiln) -> None:
    files = kiln.data_dir / "files"
    files.mkdir(exist_ok=True)
    with sqlite3.connect(files / "e2e.db") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kv (k text, v integer)")
        conn.execute("INSERT INTO kv VALUES ('x', 42)")
    kiln.request(
        "POST",
        "/api/w/main/scripts",
        {
            "path": "u/admin/kv",
            "language": "sqlite",
            "content": "-- ? key (text)\nSELECT v FROM kv WHERE k = ?;\n",
        },
    )
    status, rows, _ = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/kv", {"database": {"path": "e2e.db"}, "key": "x"}
    )
    assert (status, rows) == (200, [{"v": 42}])
