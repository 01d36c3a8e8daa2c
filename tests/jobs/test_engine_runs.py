"""Retries, per-script timeouts and progress, through the real runner and nsjail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.jobs.selectors import job_logs

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]

FAILS = "def main():\n    print('trying', flush=True)\n    raise ValueError('always')\n"


def run_again(job: Job) -> Job:
    """The next attempt, as a worker would take it once the retry is due."""
    Job.objects.filter(pk=job.pk).update(scheduled_for=timezone.now())
    finished = JobRunner(str(job.pk)).run()
    assert finished is not None
    return finished


def test_a_failing_job_is_retried_by_its_policy_then_fails_once_and_for_all(run_script: Run) -> None:
    retry = {"constant": {"attempts": 1, "seconds": 0}, "exponential": {"attempts": 1, "seconds": 60}}
    job = run_script(FAILS, settings={"retry": retry})
    assert (job.status, job.retries, job.attempt) == (JobStatus.QUEUED, 1, 1)
    assert "[kiln] failure (ValueError); retry 1 of 2 in 0.0s" in job_logs(job=job)
    job = run_again(job)
    assert (job.status, job.retries) == (JobStatus.QUEUED, 2)
    delay = (job.scheduled_for - timezone.now()).total_seconds()
    assert 50 < delay <= 60  # the exponential one: 1 × 60^1, kept in the database
    job = run_again(job)
    assert (job.status, job.retries, job.attempt) == (JobStatus.FAILURE, 2, 3)
    assert job.error["message"] == "always"
    logs = job_logs(job=job)
    assert logs.count("trying\n") == 3 and "retry 2 of 2 in 60.0s" in logs


def test_a_job_that_succeeds_is_not_retried_and_a_cancel_is_never_retried(run_script: Run) -> None:
    retry = {"constant": {"attempts": 3, "seconds": 0}}
    ok = run_script("def main():\n    return 1\n", settings={"retry": retry})
    assert (ok.status, ok.retries) == (JobStatus.SUCCESS, 0)


def test_a_timeout_is_retried_too_and_the_scripts_own_timeout_applies(run_script: Run) -> None:
    slow = "import time\n\ndef main():\n    time.sleep(30)\n"
    settings = {"limits": {"timeout_s": 1}, "retry": {"constant": {"attempts": 1, "seconds": 0}}}
    job = run_script(slow, settings=settings)
    first = (job.error, job_logs(job=job))
    assert (job.status, job.retries, job.timeout_s) == (JobStatus.QUEUED, 1, 1), first
    job = run_again(job)
    assert job.status == JobStatus.TIMEOUT, (job.error, job_logs(job=job))
    assert job.error["message"] == "the job ran past its time limit of 1s"


def test_a_job_reports_its_progress(run_script: Run) -> None:
    script = (
        "import os, time\n\n"
        "def main():\n"
        "    with open(os.path.join(os.environ['KILN_JOB_DIR'], 'progress'), 'w') as f:\n"
        "        f.write('40')\n"
        "    time.sleep(0.8)\n"
        "    raise RuntimeError('stopped at 40%')\n"
    )
    job = run_script(script)
    assert (job.status, job.progress) == (JobStatus.FAILURE, 40)
    done = run_script(script.replace("raise RuntimeError('stopped at 40%')", "return 'ok'"), path="u/ada/p2")
    assert (done.status, done.progress) == (JobStatus.SUCCESS, 100)
    quick = "import os\n\ndef main():\n    open(os.environ['KILN_JOB_DIR'] + '/progress', 'w').write('70')\n"
    assert run_script(quick + "    raise ValueError()\n", path="u/ada/p4").progress == 70  # read at the end
    plain = run_script("def main():\n    return 1\n", path="u/ada/p3")
    assert plain.progress is None  # a job that never reported progress has none


def test_log_lines_longer_than_64k_are_split_and_nothing_is_lost() -> None:
    from kiln.jobs.runner import MAX_LINE_CHARS, LogSink

    class Row:
        log_size = 0

    sink = LogSink(Row(), limit=10**9)  # type: ignore[arg-type]
    text = "a" * (MAX_LINE_CHARS + 10) + "\nshort\n" + "b" * 100
    out = "".join(sink.split_long_lines(part) for part in (text[:1000], text[1000:70000], text[70000:]))
    out += sink.split_long_lines("b" * (MAX_LINE_CHARS - 50))
    lines = out.split("\n")
    assert max(len(line) for line in lines) == MAX_LINE_CHARS
    assert out.replace("\n", "") == text.replace("\n", "") + "b" * (MAX_LINE_CHARS - 50)
    assert lines[:3] == ["a" * MAX_LINE_CHARS, "a" * 10, "short"]
    assert lines[3:] == ["b" * MAX_LINE_CHARS, "b" * 50]
