"""SQL scripts run through the worker and its sandbox, against a real PostgreSQL and SQLite."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from tests.conftest import example, pg_resource

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


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
