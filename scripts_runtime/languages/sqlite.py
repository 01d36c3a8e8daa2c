"""SQLite queries: the same argument comments as PostgreSQL (`$1` or `?` parameters); the
database is a file under the files directory, named by a `database` resource `{"path": ...}`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scripts_runtime.languages.base import (
    JOB_UID,
    WRAPPERS_DIR,
    Mount,
    PrepareContext,
    Prepared,
    PrepareError,
    RunSpec,
)
from scripts_runtime.languages.python import prefix, wrapper_argv
from scripts_runtime.languages.sql_common import parse_arguments, write_params

name = "sqlite"
aliases: tuple[str, ...] = ("sqlite3",)
extension = "sql"
tag = "sqlite"


def parse_signature(source: str) -> dict[str, Any]:
    return parse_arguments(source, resource="sqlite")


def database_file(ctx: PrepareContext) -> Path:
    """The database named by the job's `database` argument, which must stay inside files_dir:
    a path anywhere else (Kiln's own database, say) is refused before anything runs."""
    if ctx.files_dir is None:
        raise PrepareError("ResourceError", "this worker has no files directory for SQLite databases")
    args = json.loads((ctx.job_dir / "args.json").read_text())
    relative = str((args.get("database") or {}).get("path") or "")
    base = Path(os.path.realpath(ctx.files_dir))
    target = Path(os.path.realpath(base / relative))
    if not relative or os.path.isabs(relative) or base not in target.parents:
        raise PrepareError(
            "ResourceError",
            f"database.path must be a file path relative to the files directory, got {relative!r}",
        )
    if not target.is_file():
        raise PrepareError("ResourceError", f"no SQLite database at '{relative}' in the files directory")
    if os.geteuid() == 0:
        # Kiln owns the files directory; the job (uid JOB_UID) must be able to write the
        # database and create its journal beside it.
        for path in (target, target.parent):
            os.chown(path, JOB_UID, JOB_UID)
    return target


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    write_params(ctx.job_dir, parse_signature(source))
    target = database_file(ctx)
    assert ctx.files_dir is not None
    return Prepared(
        # The database's folder, writable: SQLite keeps its journal beside the file.
        mounts=(Mount(prefix()), Mount(str(target.parent), writable=True)),
        env=(("KILN_SQL_DIALECT", "sqlite"), ("KILN_SQLITE_DIR", os.path.realpath(ctx.files_dir))),
    )


def run_spec(prepared: Prepared) -> RunSpec:
    return RunSpec(
        sandbox_config="sqlite.cfg",
        argv=wrapper_argv("sql_wrapper.py"),
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR))),
        env=prepared.env,
    )
