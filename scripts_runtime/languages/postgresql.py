"""PostgreSQL queries: Windmill's `-- $1 name (type) = default` arguments; the connection
comes from a `database` resource argument; rows come back as a list of objects."""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path
from typing import Any

from scripts_runtime.languages import python_deps
from scripts_runtime.languages.base import WRAPPERS_DIR, Mount, PrepareContext, Prepared, RunSpec
from scripts_runtime.languages.python import interpreter, prefix, wrapper_argv
from scripts_runtime.languages.sql_common import parse_arguments, write_params

name = "postgresql"
aliases: tuple[str, ...] = ("postgres", "pg", "pgsql")
extension = "sql"
tag = "postgresql"


def parse_signature(source: str) -> dict[str, Any]:
    return parse_arguments(source, resource="postgresql", placeholder="$")


def driver_site(ctx: PrepareContext, python: str) -> Path:
    """psycopg for the jail's Python, installed once into the shared cache (as any dependency)."""
    requirement = f"psycopg[binary]=={importlib.metadata.version('psycopg')}"
    lock_file = (
        ctx.cache_dir
        / "sql"
        / (hashlib.sha256(f"{python}\n{requirement}".encode()).hexdigest()[:16] + ".lock")
    )
    if lock_file.exists():
        lock = lock_file.read_text()
    else:
        lock = python_deps.resolve([requirement], interpreter=python, cache_dir=ctx.cache_dir)
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock_file.write_text(lock)
    site, _ = python_deps.install(lock, interpreter=python, cache_dir=ctx.cache_dir)
    return site


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    write_params(ctx.job_dir, parse_signature(source))
    python = interpreter()
    site = driver_site(ctx, python)
    return Prepared(
        mounts=(Mount(prefix()), Mount(str(site))),
        env=(("KILN_PYTHON_DEPS", str(site)), ("KILN_SQL_DIALECT", "postgresql")),
    )


def run_spec(prepared: Prepared) -> RunSpec:
    return RunSpec(
        sandbox_config="postgresql.cfg",
        argv=wrapper_argv("sql_wrapper.py"),
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR))),
        env=prepared.env,
    )
