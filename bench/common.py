"""What the benchmarks share: a platform started per scenario in a cold or warm mode, and a
script saved with the `warm` setting when the platform knows it.

Modes (bench/suite.py, bench/fanout.py, bench/webhook_latency.py):

- cold: `KILN_WARM_RUNNERS=0`, every job runs in a fresh nsjail and interpreter that served no
  other job (by default one started ahead of it: a spare sandbox, docs/jobs.md#spare-sandboxes;
  `KILN_SPARE_SANDBOXES=0 make bench` measures cold jobs started only once they arrive);
- warm: the platform's defaults; saved scripts carry `settings: {"warm": true}`, and inline
  flow steps become warm by traffic after `KILN_WARM_HOT_RUNS` (default 3) runs of the same
  code in a worker process, so a scenario warms up before it measures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from tests.e2e.harness import Kiln, processes_marked

MODES = ("cold", "warm")
# Variables passed on to the platform from this process's environment (the harness drops every
# other KILN_ variable), so that e.g. KILN_WARM_HOT_RUNS=5 make bench tunes the warm runners and
# KILN_SPARE_SANDBOXES=0 turns the spare sandboxes off.
PASSED_ON_PREFIX = ("KILN_WARM_", "KILN_SPARE_")


def hot_runs() -> int:
    """Runs of the same inline code in one worker process before it gets a warm runner
    (KILN_WARM_HOT_RUNS as passed on to the platform; 0: never)."""
    try:
        return max(0, int(os.environ.get("KILN_WARM_HOT_RUNS", "3")))
    except ValueError:
        return 3


def warmup_count(mode: str, jobs_per_run: int = 1, concurrency: int = 2) -> int:
    """How many warm-up runs (of `jobs_per_run` jobs each) before measuring: one when cold; when
    warm, enough that each of the `concurrency` worker processes has most likely seen the code
    more than KILN_WARM_HOT_RUNS times (twice that many jobs in all, as jobs spread unevenly)."""
    if mode != "warm":
        return 1
    wanted = 2 * (max(1, hot_runs()) + 1) * concurrency
    return max(1, -(-wanted // max(1, jobs_per_run)))


def fresh_database() -> str | None:
    """Under PostgreSQL (DATABASE_URL set), a new empty database made from it; else None (SQLite)."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        return None
    import psycopg

    name = f"kiln_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(base)._replace(path=f"/{name}"))


def drop_database(url: str | None) -> None:
    base = os.environ.get("DATABASE_URL")
    if not url or not base:
        return
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with contextlib.suppress(psycopg.Error), psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop(kiln: Kiln) -> None:
    """SIGTERM `kiln up` and wait; if it does not stop within 60 s, SIGKILL it and its children."""
    if kiln.process is None or kiln.process.poll() is not None:
        return
    try:
        kiln.stop()
    except subprocess.TimeoutExpired:
        kiln.process.kill()
        kiln.process.wait(timeout=30)
        for pid in processes_marked(kiln.mark):  # its children, by pid
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def platform(mode: str | None = None, env: dict[str, str] | None = None) -> Iterator[Kiln]:
    """A fresh `kiln up` (new data dir; a new database under PostgreSQL) in `mode` (cold / warm /
    None: the defaults), with extra `env`; stopped, and its data removed, at the end."""
    tmp = Path(tempfile.mkdtemp(prefix="kiln-bench-"))
    database = fresh_database()
    kiln = Kiln(tmp / "kiln", database)
    kiln.env.update({k: v for k, v in os.environ.items() if k.startswith(PASSED_ON_PREFIX)})
    if mode == "cold":
        kiln.env["KILN_WARM_RUNNERS"] = "0"
    kiln.env.update(env or {})
    try:
        kiln.start()
        yield kiln
    finally:
        try:
            stop(kiln)
        finally:
            drop_database(database)
            shutil.rmtree(tmp, ignore_errors=True)


def backend(kiln: Kiln) -> dict[str, str]:
    """The database and Redis a platform uses, without credentials."""

    def where(url: str) -> str:
        parsed = urlparse(url)
        return f"{parsed.scheme}://{parsed.hostname}:{parsed.port or ''}{parsed.path}"

    db = kiln.env.get("DATABASE_URL")
    redis = kiln.env.get("REDIS_URL")
    return {
        "database": f"PostgreSQL ({where(db)})" if db else "SQLite",
        "redis": f"Redis ({where(redis)})" if redis else "embedded Valkey",
    }


def save_script(
    kiln: Kiln,
    path: str,
    content: str,
    *,
    warm: bool = False,
    language: str = "python3",
    settings: dict[str, Any] | None = None,
) -> str:
    """Save a script; with `warm`, with `settings: {"warm": true}`. Returns how the setting
    went: "on", "off" (not asked) or "not supported" (the platform refused it: saved without)."""
    body: dict[str, Any] = {"path": path, "language": language, "content": content}
    if settings:
        body["settings"] = dict(settings)
    if warm:
        warm_body = {**body, "settings": {**(settings or {}), "warm": True}}
        status, answer, _ = kiln.request("POST", "/api/w/main/scripts", warm_body)
        if status in (200, 201):
            return "on"
        if status not in (400, 422):
            raise AssertionError(f"saving {path}: {status} {answer}")
    status, answer, _ = kiln.request("POST", "/api/w/main/scripts", body)
    assert status in (200, 201), (status, answer)
    return "not supported" if warm else "off"


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (0 <= q <= 1) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
