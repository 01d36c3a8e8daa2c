"""The template every language module follows (see python.py), and the types it uses.

A language module is a file in this package with, at module level:

    name: str                      # the language id scripts are saved with ("python3")
    aliases: tuple[str, ...]       # other ids accepted on save (Windmill's names)
    extension: str                 # main.<extension> in the job dir
    tag: str                       # default worker tag (Celery queue)

    def parse_signature(source: str) -> dict          # JSON Schema of main's arguments,
                                                       # statically; raises SignatureError
    def prepare(source: str, ctx: PrepareContext) -> Prepared
                                                       # outside the jail, before user code:
                                                       # dependencies, builds; raises PrepareError
    def run_spec(prepared: Prepared) -> RunSpec        # what runs inside the jail

The registry finds modules by themselves: adding a language is adding a file
(plus its sandbox config, sandboxes/nsjail/<config>.cfg, and its wrapper).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WRAPPERS_DIR = Path(__file__).resolve().parent.parent / "wrappers"
# The SDK scripts import as `kiln` (kiln.py, kiln.ts and the import map that names kiln.ts).
SDK_DIR = WRAPPERS_DIR.parent / "sdk"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Inside the sandbox the job dir is /job; every other mount keeps its host path,
# so one argv works both in the jail and (operator opt-out) without it.
JOB_DIR_IN_JAIL = "/job"
# The unprivileged uid/gid jobs run as (nobody), when the worker runs as root.
JOB_UID = 65534


class SignatureError(ValueError):
    """The source has no usable `main` (syntax error, no main, *args ...)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def as_detail(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column}


class PrepareError(RuntimeError):
    """Preparing a job failed before any user code ran: `kind` names the error
    the job reports ("DependencyError", "BuildError")."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Mount:
    """A host path made visible (read-only unless writable) at the same path in the jail."""

    path: str
    writable: bool = False


@dataclass(frozen=True)
class PrepareContext:
    cache_dir: Path  # KILN_DATA_DIR/cache: shared, content-addressed, per language subfolders
    job_dir: Path  # the host path of this job's dir (main.<ext> and args.json are written)
    log: Callable[[str], None]  # a line for the job's log ("installing 2 packages ...")
    lock: str | None = None  # the dependency lock stored on the script version, if any
    files_dir: Path | None = None  # KILN_DATA_DIR/files: file-backed resources (SQLite databases)


@dataclass(frozen=True)
class Prepared:
    mounts: tuple[Mount, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # language-specific (built binary ...)
    lock: str | None = None  # a dependency lock resolved now: the worker stores it on the version


@dataclass(frozen=True)
class RunSpec:
    """What the worker starts for a job of this language."""

    sandbox_config: str  # file name under sandboxes/nsjail/
    argv: list[str]  # run with cwd = the job dir
    mounts: tuple[Mount, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def wrapper(name: str) -> str:
    return str(WRAPPERS_DIR / name)
