"""The runner: claim, run in nsjail, stream logs, finish — against the real sandbox."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobLogChunk, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.jobs.selectors import job_logs
from tests.conftest import example

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


def test_a_script_runs_and_its_result_and_logs_are_stored(run_script: Run) -> None:
    job = run_script(example("greet.py"), {"name": "Ada", "count": 2})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result["greetings"] == ["hello Ada", "hello Ada"]
    assert job_logs(job=job) == "greeting Ada (1/2)\ngreeting Ada (2/2)\n"
    assert job.sandboxed and job.attempt == 1 and job.worker_id
    assert job.started_at <= job.finished_at and job.duration_ms is not None


def test_a_failing_script_is_a_failure_with_its_traceback(run_script: Run) -> None:
    job = run_script(example("fail_sometimes.py"), {"probability": 1.0, "message": "upstream is down"})
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "RuntimeError" and job.error["message"] == "upstream is down"
    assert 'File "/job/main.py", line 9, in main' in job.error["traceback"]
    assert "python_wrapper" not in job.error["traceback"]  # the wrapper's frames are not the user's
    logs = job_logs(job=job)
    assert logs.startswith("rolled ") and "RuntimeError: upstream is down" in logs


def test_an_error_at_import_time_is_reported_too(run_script: Run) -> None:
    # An empty PEP 723 block turns off dependency inference: the import fails at run time.
    job = run_script(
        "# /// script\n# dependencies = []\n# ///\n"
        "import not_a_module_anywhere\n\ndef main():\n    return 1\n"
    )
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "ModuleNotFoundError"


def test_async_main_and_non_json_results(run_script: Run) -> None:
    source = (
        "import asyncio, datetime\n"
        "async def main(n: int):\n"
        "    await asyncio.sleep(0)\n"
        "    return {'squares': {i * i for i in range(n)}, 'day': datetime.date(2026, 1, 2)}\n"
    )
    job = run_script(source, {"n": 3})
    assert job.status == JobStatus.SUCCESS
    assert sorted(job.result["squares"]) == [0, 1, 4] and job.result["day"] == "2026-01-02"


def test_a_script_that_prints_a_lot_keeps_the_head_of_its_logs_up_to_the_limit(run_script: Run) -> None:
    limit = settings.KILN_JOB_LOG_LIMIT
    job = run_script(
        "def main():\n    for i in range(200_000):\n        print(f'line {i:06d} ' + 'x' * 20)\n"
        "    return 'done'\n"
    )
    assert job.status == JobStatus.SUCCESS and job.result == "done"
    logs = job_logs(job=job)
    assert logs.startswith("line 000000 ") and "line 000001 " in logs
    total = 200_000 * len("line 000000 " + "x" * 20 + "\n")
    assert job.log_dropped == total - limit
    assert f"{total - limit} bytes of logs dropped" in logs
    assert job.log_size == len(logs.encode()) < limit + 200
    offsets = list(JobLogChunk.objects.filter(job=job).values_list("offset", "data"))
    assert len(offsets) > 1
    expected = 0
    for offset, data in offsets:  # chunks tile the log: no gap, no overlap
        assert offset == expected
        expected += len(data.encode())


def test_a_script_past_its_time_limit_is_stopped(run_script: Run) -> None:
    job = run_script(
        "import time\ndef main():\n    print('start', flush=True)\n    time.sleep(30)\n", timeout_s=2
    )
    assert job.status == JobStatus.TIMEOUT
    assert job.error["name"] == "Timeout"
    assert job.duration_ms < 15_000
    assert "start" in job_logs(job=job)


def test_a_job_cannot_read_what_the_worker_can(run_script: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings_file = settings.BASE_DIR / "platform" / "kiln" / "settings.py"
    secret = settings.DATA_DIR / "secret_key"
    assert settings_file.is_file() and secret.is_file()  # the worker reads them...
    source = (
        "import os, socket\n"
        "def main(paths: list[str]):\n"
        "    seen = {}\n"
        "    for p in paths:\n"
        "        try:\n"
        "            with open(p) as fh:\n"
        "                seen[p] = 'READ ' + fh.read(20)\n"
        "        except OSError as exc:\n"
        "            seen[p] = type(exc).__name__\n"
        "    env = sorted(k for k in os.environ if 'KEY' in k or 'URL' in k or 'SECRET' in k)\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', 6379), timeout=2)\n"
        "        net = 'connected'\n"
        "    except OSError as exc:\n"
        "        net = type(exc).__name__\n"
        "    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    return {'seen': seen, 'env': env, 'net': net, 'uid': os.getuid(), 'pids': len(pids)}\n"
    )
    paths = [
        str(settings_file),
        str(secret),
        str(settings.DATABASES["default"]["NAME"]),
        "/etc/shadow",
        "/root/.bash_history",
    ]
    job = run_script(source, {"paths": paths})
    assert job.status == JobStatus.SUCCESS, job.error
    for path, outcome in job.result["seen"].items():  # ...the job reads none of them
        assert not outcome.startswith("READ"), f"the job could read {path}: {outcome}"
    assert job.result["env"] == []
    assert job.result["net"] != "connected"
    assert job.result["uid"] == 65534
    assert job.result["pids"] <= 2  # its own PID namespace: the host's processes are invisible


def test_a_job_can_write_only_its_own_directory(run_script: Run) -> None:
    source = (
        "def main():\n"
        "    out = {}\n"
        "    for p in ['/job/scratch.txt', '/tmp/scratch.txt', '/usr/evil.txt', '/kiln/wrappers/x.py']:\n"
        "        try:\n"
        "            open(p, 'w').write('x')\n"
        "            out[p] = 'written'\n"
        "        except OSError as exc:\n"
        "            out[p] = type(exc).__name__\n"
        "    return out\n"
    )
    job = run_script(source)
    assert job.result["/job/scratch.txt"] == "written" and job.result["/tmp/scratch.txt"] == "written"
    assert job.result["/usr/evil.txt"] != "written" and job.result["/kiln/wrappers/x.py"] != "written"


def test_a_job_that_is_not_queued_is_left_alone(run_script: Run) -> None:
    job = run_script("def main():\n    return 1\n")
    assert JobRunner(str(job.id)).run() is None  # a duplicate delivery changes nothing
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS and job.attempt == 1


def test_job_dirs_are_removed_after_the_run(run_script: Run) -> None:
    run_script("def main():\n    return 1\n")
    assert not any(settings.KILN_JOBS_DIR.glob("*"))


def test_arguments_are_turned_back_into_what_main_annotates(run_script: Run) -> None:
    source = (
        "import base64, datetime, enum\n"
        "from dataclasses import dataclass\n"
        "class Tone(str, enum.Enum):\n    warm = 'warm'\n    formal = 'formal'\n"
        "@dataclass\nclass Opts:\n    round: bool\n    when: datetime.date\n"
        "def main(day: datetime.date, at: datetime.datetime, blob: bytes, tone: Tone, opts: Opts,\n"
        "         days: list[datetime.date], maybe: datetime.date | None = None):\n"
        "    return {\n"
        "        'weekday': day.weekday(), 'hour': at.hour, 'tz': str(at.tzinfo), 'blob': blob.decode(),\n"
        "        'tone': type(tone).__name__ + '.' + tone.name, 'opts': type(opts).__name__,\n"
        "        'opts_when': opts.when.year, 'days': [d.day for d in days], 'maybe': maybe,\n"
        "    }\n"
    )
    args = {
        "day": "2026-11-22",
        "at": "2026-11-22T13:45:00Z",
        "blob": "aGVsbG8=",
        "tone": "formal",
        "opts": {"round": True, "when": "2020-01-01"},
        "days": ["2026-01-02", "2026-01-03"],
    }
    job = run_script(source, args)
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {
        "weekday": 6,
        "hour": 13,
        "tz": "UTC",
        "blob": "hello",
        "tone": "Tone.formal",
        "opts": "Opts",
        "opts_when": 2020,
        "days": [2, 3],
        "maybe": None,
    }
