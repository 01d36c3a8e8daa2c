"""Bash jobs: positional arguments in, the last line of stdout (or result.json) out, inside nsjail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from tests.conftest import example

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


def run_bash(run_script: Run, source: str, args: dict | None = None, **kwargs: object) -> Job:
    return run_script(source, args or {}, language="bash", **kwargs)


def test_hello_runs_and_its_last_line_is_the_result(run_script: Run) -> None:
    job = run_bash(run_script, example("hello.sh"), {"name": "Ada", "times": "2"})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"greeted": "Ada", "times": 2}
    logs = job_logs(job=job)
    assert logs.count("hello, Ada\n") == 2
    assert logs.endswith('{"greeted": "Ada", "times": 2}\n')  # the result line is a log line too
    assert job.sandboxed


def test_a_default_applies_when_the_argument_is_left_out(run_script: Run) -> None:
    job = run_bash(run_script, example("hello.sh"), {"name": "Grace"})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"greeted": "Grace", "times": 1}
    assert job_logs(job=job).count("hello, Grace\n") == 1


def test_a_missing_argument_in_the_middle_is_empty_so_its_default_applies(run_script: Run) -> None:
    job = run_bash(run_script, example("hello.sh"), {"name": "Ada", "times": "3"})  # no greeting ($2)
    assert job_logs(job=job).count("hello, Ada\n") == 3


def test_a_non_zero_exit_is_a_failure(run_script: Run) -> None:
    job = run_bash(run_script, 'echo "about to fail"\necho "oops" >&2\nexit 3\n')
    assert job.status == JobStatus.FAILURE
    assert job.error == {"name": "ExitCode", "message": "bash exited with code 3", "traceback": ""}
    logs = job_logs(job=job)
    assert "about to fail\n" in logs and "oops\n" in logs


def test_set_e_stops_at_the_first_failing_command(run_script: Run) -> None:
    job = run_bash(run_script, "set -euo pipefail\nfalse\necho never\n")
    assert job.status == JobStatus.FAILURE and job.error["message"] == "bash exited with code 1"
    assert "never" not in job_logs(job=job)


def test_a_last_line_that_is_not_json_is_a_string_and_no_output_is_null(run_script: Run) -> None:
    text = run_bash(run_script, 'echo "first"\necho "done: 3 files"\n\n')
    assert text.result == "done: 3 files"
    number = run_bash(run_script, "echo 42\n")
    assert number.result == 42
    silent = run_bash(run_script, "true\n")
    assert silent.status == JobStatus.SUCCESS and silent.result is None


def test_a_line_without_a_final_newline_still_counts(run_script: Run) -> None:
    job = run_bash(run_script, 'printf "a\\nb"\n')
    assert job.result == "b"
    assert job_logs(job=job) == "a\nb"


def test_a_script_may_write_its_own_result_file(run_script: Run) -> None:
    source = (
        'name="$1"\nprintf \'{"who": "%s", "list": [1, 2]}\' "$name" > /job/result.json\necho "last line"\n'
    )
    job = run_bash(run_script, source, {"name": "Ada"})
    assert job.result == {"who": "Ada", "list": [1, 2]}


def test_arguments_with_spaces_and_quotes_arrive_as_one_word_each(run_script: Run) -> None:
    source = 'a="$1"\nb="$2"\necho "$#"\nprintf \'%s|\' "$a" "$b"\necho\n'
    job = run_bash(run_script, source, {"a": "x y 'z'", "b": 'say "hi"; rm -rf /'})
    assert job_logs(job=job) == "2\nx y 'z'|say \"hi\"; rm -rf /|\n"


def test_an_unset_only_default_applies_when_trailing_arguments_are_left_out(run_script: Run) -> None:
    job = run_bash(run_script, 'a="$1"\nb="${2-unset}"\necho "$#:$b"\n', {"a": "x"})
    assert job.result == "1:unset"


def test_a_bash_job_cannot_read_what_the_worker_can(run_script: Run) -> None:
    settings_file = settings.BASE_DIR / "platform" / "kiln" / "settings.py"
    assert settings_file.is_file()
    source = (
        'target="$1"\n'
        "if cat /etc/shadow; then echo 'READ shadow'; fi\n"
        'if cat "$target"; then echo "READ settings"; fi\n'
        "if cat /root/.bash_history; then echo 'READ history'; fi\n"
        "if (exec 3<>/dev/tcp/127.0.0.1/6379); then echo 'CONNECTED'; fi\n"
        'echo "uid=$(id -u) env=$(env | cut -d= -f1 | sort | tr "\\n" ,)"\n'
    )
    job = run_bash(run_script, source, {"target": str(settings_file)})
    assert job.status == JobStatus.SUCCESS, job.error
    logs = job_logs(job=job)
    assert "READ" not in logs and "CONNECTED" not in logs
    assert "SECRET_KEY" not in logs and "DATABASES" not in logs
    assert "No such file or directory" in logs  # cat and ls said why
    assert job.result.startswith("uid=65534 ")
    leaked = {"DATABASE_URL", "REDIS_URL", "KILN_SECRET_KEY", "KILN_DATA_DIR"}
    assert not leaked & set(job.result.split("env=")[1].split(","))


def test_a_bash_job_past_its_time_limit_is_stopped(run_script: Run) -> None:
    job = run_bash(run_script, "echo start\nsleep 30\n", timeout_s=2)
    assert job.status == JobStatus.TIMEOUT
    assert "start" in job_logs(job=job)


def test_an_unsandboxed_bash_job_finds_its_files_in_the_real_job_dir(run_script: Run, settings: Any) -> None:
    settings.KILN_SANDBOX = "none"
    settings.KILN_ALLOW_UNSANDBOXED = True
    job = run_bash(run_script, example("hello.sh"), {"name": "Ada"})
    assert (job.status, job.result, job.sandboxed) == (
        JobStatus.SUCCESS,
        {"greeted": "Ada", "times": 1},
        False,
    )
