"""SQL scripts run through the worker and its sandbox, against a real PostgreSQL and SQLite."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from tests.conftest import example

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]
POSTGRES = os.environ.get("KILN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A throwaway schema with an `orders` table on the machine's PostgreSQL."""
    try:
        conn = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, but {POSTGRES} is unreachable: {exc}")
        pytest.skip(f"no PostgreSQL at {POSTGRES}")
    name = f"kiln_sql_{uuid.uuid4().hex[:10]}"
    with conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(
            f"CREATE TABLE {name}.orders (id int, customer text, total int, status text, created_at date)"
        )
        conn.execute(
            f"INSERT INTO {name}.orders VALUES (1, 'ada', 250, 'paid', '2026-01-05'),"
            " (2, 'bob', 50, 'paid', '2026-01-06'), (3, 'cy', 300, 'open', '2026-01-07'),"
            " (4, 'di', 120, 'paid', '2025-12-01')"
        )
        yield name
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def pg_resource(schema: str) -> dict[str, str]:
    return {"url": f"{POSTGRES}?options={quote(f'-c search_path={schema}')}"}


def test_the_big_orders_example_returns_its_rows_from_postgresql(run_script: Run, pg_schema: str) -> None:
    job = run_script(
        example("big_orders.pg.sql"),
        {"database": pg_resource(pg_schema), "since": "2026-01-01"},
        language="postgresql",
    )
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == [
        {"id": 1, "customer": "ada", "total": 250, "status": "paid", "created_at": "2026-01-05"}
    ]
    assert "1 row(s)" in job_logs(job=job)


def test_postgresql_errors_are_the_jobs_error(run_script: Run, pg_schema: str) -> None:
    job = run_script(
        "SELECT * FROM no_such_table;", {"database": pg_resource(pg_schema)}, language="postgresql"
    )
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "UndefinedTable" and "no_such_table" in job.error["message"]


def test_a_statement_without_rows_reports_its_rowcount(run_script: Run, pg_schema: str) -> None:
    source = "-- $1 who (text)\nUPDATE orders SET status = 'shipped' WHERE customer = $1;\n"
    job = run_script(source, {"database": pg_resource(pg_schema), "who": "ada"}, language="postgresql")
    assert job.result == {"rowcount": 1}


@pytest.fixture
def sqlite_db() -> Iterator[str]:
    folder = settings.KILN_FILES_DIR / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:8]}.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (name text, n integer)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
    yield str(path.relative_to(settings.KILN_FILES_DIR))
    path.unlink(missing_ok=True)


def test_a_sqlite_query_binds_question_marks_and_returns_rows(run_script: Run, sqlite_db: str) -> None:
    source = "-- ? least (integer) = 2\nSELECT name, n FROM t WHERE n >= ? ORDER BY n;\n"
    job = run_script(source, {"database": {"path": sqlite_db}}, language="sqlite")
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == [{"name": "b", "n": 2}, {"name": "c", "n": 3}]


def test_a_sqlite_query_binds_dollar_parameters_and_writes(run_script: Run, sqlite_db: str) -> None:
    source = "-- $1 name (text)\n-- $2 n (integer)\nINSERT INTO t VALUES ($1, $2);\n"
    job = run_script(source, {"database": {"path": sqlite_db}, "name": "d", "n": 4}, language="sqlite")
    assert job.result == {"rowcount": 1}, (job.error, job_logs(job=job))
    with sqlite3.connect(settings.KILN_FILES_DIR / sqlite_db) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (4,)


@pytest.mark.parametrize("path", ["../kiln.sqlite3", "/etc/passwd", "", "reports/../../kiln.sqlite3"])
def test_a_sqlite_path_outside_the_files_directory_is_refused(run_script: Run, path: str) -> None:
    job = run_script("SELECT 1;", {"database": {"path": path}}, language="sqlite")
    assert job.status == JobStatus.FAILURE and job.error["name"] == "ResourceError"
