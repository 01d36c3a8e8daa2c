"""The template every language module follows, and the errors they raise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

WRAPPERS_DIR = Path(__file__).resolve().parent.parent / "wrappers"

# Where things sit inside the sandbox (see sandboxes/nsjail/*.cfg).
JOB_DIR_IN_JAIL = "/job"
WRAPPERS_IN_JAIL = "/kiln/wrappers"


class SignatureError(ValueError):
    """The source has no usable `main` (syntax error, no main, *args ...)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def as_detail(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column}


@dataclass(frozen=True)
class RunSpec:
    """What the worker needs to start a job of this language in the sandbox."""

    sandbox_config: str  # file name under sandboxes/nsjail/
    argv: list[str]  # command run inside the jail
    script_file: str  # name of the script inside the job dir


class Language(Protocol):
    name: str
    extension: str

    def parse_signature(self, source: str) -> dict[str, Any]: ...

    def run_spec(self, interpreter: str, wrappers_dir: str = WRAPPERS_IN_JAIL) -> RunSpec: ...
