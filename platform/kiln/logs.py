"""Kiln's own log lines: plain text (default) or one JSON object a line (KILN_LOG_FORMAT=json),
and, in either, the job and workspace of every line written while a worker runs a job.

    with job_context(job):          # kiln.jobs.runner: claim → finish
        log.info("...")             # → {"job_id": ..., "workspace": ..., "script": ..., ...}

The context is a contextvar: it follows the code that runs the job, not other threads (a
warm runner's reaper, the live-log publisher), whose lines name their job in the message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
_JOB: ContextVar[dict[str, Any] | None] = ContextVar("kiln_log_job", default=None)
# What LogRecord has of its own: anything else on a record came from `extra=` and is shown.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
_CONTEXT = ("job_id", "workspace", "script", "attempt")


@contextmanager
def job_context(job: Any) -> Iterator[None]:
    token = _JOB.set(
        {
            "job_id": str(job.pk),
            "workspace": job.workspace_id,
            "script": job.script_path,
            "attempt": job.attempt,
        }
    )
    try:
        yield
    finally:
        _JOB.reset(token)


class JobContext(logging.Filter):
    """Puts the running job's fields on every record (unless the record has its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _JOB.get()
        if context is not None:
            for key, value in context.items():
                if not hasattr(record, key):
                    setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-06 08:00:00,123 INFO kiln.jobs.runner: message [job=… ws=…]`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        job_id = getattr(record, "job_id", None)
        if job_id and job_id not in record.getMessage():
            line += f" [job={job_id} ws={getattr(record, 'workspace', '')}]"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts (UTC, ISO 8601), level, logger, message, process, the job's
    fields when there is one, `extra=` fields, and `exception` (the traceback) when any."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def logging_config(fmt: str) -> dict[str, Any]:
    """Django's LOGGING for `fmt` (text or json)."""
    if fmt not in FORMATS:
        raise SystemExit(f"KILN_LOG_FORMAT must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"job": {"()": JobContext}},
        "formatters": {"text": {"()": TextFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["job"]}},
        "root": {"handlers": ["console"], "level": "INFO"},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
