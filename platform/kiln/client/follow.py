"""Follow a job from the command line: its log as it comes, then its outcome as an exit code.

The logs endpoint is polled (not the websocket): plain HTTP works through every proxy a CI
runner sits behind, and `from=<next>` makes a poll cheap when nothing new was written.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import click
from rich.console import Console

from kiln.client.api import Api

POLL_S = 0.2
PROGRESS_EVERY_S = 1.0  # the job row (for its progress) is read less often than its log
TERMINAL = frozenset({"success", "failure", "canceled", "timeout", "crashed"})

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl-C (128 + SIGINT)


class Spinner:
    """A status line on stderr while a person watches (stderr is a TTY and the log goes to
    stderr too, printed above it); otherwise nothing, and log text is written as it is."""

    def __init__(self, job_id: str, stream: TextIO) -> None:
        self.job_id = job_id
        self.stream = stream
        self.console = Console(stderr=True, highlight=False)
        self.live = self.console.is_terminal and stream is sys.stderr
        self._status: Any = None

    @contextmanager
    def shown(self) -> Iterator[Spinner]:
        if not self.live:
            yield self
            return
        with self.console.status(f"job {self.job_id}: queued") as status:
            self._status = status
            yield self

    def update(self, state: str, progress: int | None) -> None:
        if self._status is not None:
            done = f" {progress}%" if progress is not None else ""
            self._status.update(f"job {self.job_id}: {state}{done}")

    def write(self, text: str) -> None:
        """Log text as it came: no markup, no wrapping."""
        if self._status is not None:
            self.console.out(text, end="", highlight=False)
        else:
            self.stream.write(text)
            self.stream.flush()


def follow_logs(api: Api, job_id: str, spinner: Spinner) -> None:
    """Write the job's log from the start until the job is over and all of it is read."""
    path = api.ws(f"/jobs/{job_id}/logs")
    offset = 0
    progress_at = 0.0
    progress: int | None = None
    while True:
        page = api.get(path, **{"from": offset})
        if page["data"]:
            spinner.write(page["data"])
        offset = page["next"]
        if page["done"]:
            return
        if spinner.live:
            if time.monotonic() - progress_at > PROGRESS_EVERY_S:
                progress = api.get(api.ws(f"/jobs/{job_id}")).get("progress")
                progress_at = time.monotonic()
            spinner.update(page["status"], progress)
        if not page["data"]:
            time.sleep(POLL_S)


def print_logs(api: Api, job_id: str, stream: TextIO) -> None:
    """The log as it is now (each answer holds about 1 MiB: ask on until nothing new comes)."""
    path = api.ws(f"/jobs/{job_id}/logs")
    offset = 0
    while True:
        page = api.get(path, **{"from": offset})
        stream.write(page["data"])
        if page["done"] or page["next"] == offset or not page["data"]:
            stream.flush()
            return
        offset = page["next"]


def report(job: dict[str, Any], *, result_to_stdout: bool) -> int:
    """Print how the job ended and return the exit code: 0 success, 1 anything else."""
    if job["status"] == "success":
        if result_to_stdout:
            click.echo(json.dumps(job.get("result"), indent=2, ensure_ascii=False))
        return EXIT_OK
    error = job.get("error") or {}
    what = ": ".join(part for part in (error.get("name"), error.get("message")) if part)
    click.echo(f"Error: job {job['id']} ended {job['status']}" + (f": {what}" if what else ""), err=True)
    return EXIT_FAILED


def follow(api: Api, job_id: str, stream: TextIO = sys.stderr, *, result_to_stdout: bool = True) -> int:
    """Follow the job to its end; the exit code the command should end with.

    Ctrl-C stops the following, not the job: say how to pick it up again or stop it."""
    spinner = Spinner(job_id, stream)
    try:
        with spinner.shown():
            follow_logs(api, job_id, spinner)
            job = api.get(api.ws(f"/jobs/{job_id}"))
    except KeyboardInterrupt:
        click.echo(
            f"\nstopped following job {job_id}; it goes on. Follow it: kiln jobs logs -f {job_id}; "
            f"cancel it: kiln jobs cancel {job_id}",
            err=True,
        )
        return EXIT_INTERRUPTED
    return report(job, result_to_stdout=result_to_stdout)
