"""Kiln's log lines: text or JSON (KILN_LOG_FORMAT), each naming the job it is about."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest

from kiln.accounts.models import User, Workspace
from kiln.jobs.models import Job
from kiln.jobs.runner import JobRunner
from kiln.jobs.services import job_create
from kiln.logs import job_context, logging_config
from kiln.scripts.services import script_save


@pytest.fixture
def lines() -> Iterator[Any]:
    """Kiln's own handler configuration (as settings.LOGGING builds it), writing to a buffer."""

    def configured(fmt: str) -> io.StringIO:
        config = logging_config(fmt)
        config["handlers"]["console"]["stream"] = buffer = io.StringIO()
        logging.config.dictConfig(config)
        return buffer

    saved = logging.root.handlers[:]
    yield configured
    logging.root.handlers[:] = saved


@pytest.fixture
def job(workspace: Workspace, owner: User) -> Job:
    """A queued job of u/ada/x (not run)."""
    version = script_save(
        workspace=workspace, user=owner, path="u/ada/x", language="python3", content="def main():\n    pass\n"
    ).version
    return job_create(workspace=workspace, user=owner, version=version, args={})


def test_json_lines_are_one_object_each_with_the_job_and_the_traceback(lines: Any, job: Job) -> None:
    buffer = lines("json")
    log = logging.getLogger("kiln.test")
    log.info("before the job")
    with job_context(job):
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("job went wrong", extra={"step": "s1"})
    first, second = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert first["message"] == "before the job" and "job_id" not in first
    assert (first["level"], first["logger"]) == ("INFO", "kiln.test")
    assert first["ts"].endswith("+00:00")
    assert second["job_id"] == str(job.pk)
    assert (second["workspace"], second["script"], second["attempt"]) == ("main", "u/ada/x", 0)
    assert second["step"] == "s1"
    assert "ValueError: boom" in second["exception"]


def test_text_lines_name_the_job_unless_the_message_does(lines: Any, job: Job) -> None:
    buffer = lines("text")
    log = logging.getLogger("kiln.test")
    with job_context(job):
        log.warning("disk is slow")
        log.warning("job %s: done", job.pk)
    slow, done = buffer.getvalue().splitlines()
    assert slow.endswith(f"WARNING kiln.test: disk is slow [job={job.pk} ws=main]")
    assert done.endswith(f"kiln.test: job {job.pk}: done")


def test_a_line_logged_while_a_worker_runs_a_job_names_it(
    lines: Any, workspace: Workspace, owner: User, sandbox_available: None, settings: Any
) -> None:
    settings.KILN_WARM_RUNNERS = True
    buffer = lines("json")
    version = script_save(
        workspace=workspace,
        user=owner,
        path="u/ada/warm",
        language="python3",
        content="def main():\n    return 1\n",
        settings={"warm": True},
    ).version
    job = job_create(workspace=workspace, user=owner, version=version, args={})
    JobRunner(str(job.pk)).run()  # the first run of a version marked warm starts its runner
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    about_the_job = [r for r in records if r["logger"].startswith("kiln.")]
    assert about_the_job, records
    assert {(r["job_id"], r["workspace"]) for r in about_the_job} == {(str(job.pk), "main")}


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(SystemExit, match="KILN_LOG_FORMAT must be one of text, json, got 'xml'"):
        logging_config("xml")
