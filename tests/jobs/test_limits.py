"""Hostile or careless jobs hit a limit, end with the right status and message, and leave
the worker healthy: the next job runs at once and no process of theirs survives."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.sandbox import NOBODY, cgroup_mode
from kiln.jobs.selectors import job_logs

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


TICKS = os.sysconf("SC_CLK_TCK")


def uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


def jailed_processes(started_before: float) -> dict[int, str]:
    """Live processes of the job user (the jail's uid when the worker is root) that started
    before `started_before` (seconds since boot): jobs started later are not ours."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != NOBODY:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[19]) / TICKS < started_before:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.fixture
def healthy_after(run_script: Run) -> Iterator[None]:
    """After the test's job: nothing of it survives, and a trivial job runs at once."""
    before = set(jailed_processes(uptime()))
    yield
    ended = uptime()
    deadline = time.monotonic() + 5
    while set(jailed_processes(ended)) - before and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = {pid: cmd for pid, cmd in jailed_processes(ended).items() if pid not in before}
    assert survivors == {}, f"processes of the job outlived it: {survivors}"
    started = time.monotonic()
    job = run_script("def main():\n    return 'ok'\n", path="u/ada/next")
    assert job.status == JobStatus.SUCCESS and job.result == "ok"
    assert time.monotonic() - started < 10


def outcome(job: Job) -> tuple[str, str, str]:
    error: dict[str, Any] = job.error or {}
    return job.status, error.get("name", ""), error.get("message", "")


@pytest.mark.usefixtures("healthy_after")
class TestLimits:
    def test_a_fork_bomb_runs_out_of_processes(self, run_script: Run) -> None:
        source = (
            "import os, time\n"
            "def main():\n"
            "    children = 0\n"
            "    try:\n"
            "        while True:\n"
            "            if os.fork() == 0:\n"
            "                time.sleep(30)\n"
            "                os._exit(0)\n"
            "            children += 1\n"
            "    except OSError as exc:\n"
            "        raise RuntimeError(f'fork refused after {children} children: {exc}')\n"
        )
        status, name, message = outcome(run_script(source, timeout_s=20))
        assert (status, name) == (JobStatus.FAILURE, "RuntimeError")
        assert "fork refused" in message

    def test_a_memory_bomb_is_stopped_with_a_clear_message(self, run_script: Run) -> None:
        source = (
            "def main():\n    hog = []\n    while True:\n        hog.append(bytearray(64 * 1024 * 1024))\n"
        )
        status, name, message = outcome(run_script(source, timeout_s=30))
        assert status == JobStatus.FAILURE
        assert name in {"MemoryError", "MemoryLimitExceeded"}
        assert message.startswith("memory limit exceeded")

    @pytest.mark.skipif(cgroup_mode() == "off", reason="no memory cgroup on this host")
    def test_the_memory_cgroup_kills_what_the_address_space_limit_lets_through(
        self, run_script: Run, settings: Any
    ) -> None:
        settings.KILN_JOB_MEMORY_MB = 128
        # rlimit_as is the memory limit too, so one process cannot allocate past it; files in
        # the jail's /tmp (a tmpfs, 256 MB) are memory the cgroup counts and rlimit_as does not.
        source = (
            "def main():\n    with open('/tmp/hog', 'wb') as fh:\n"
            "        for _ in range(250):\n            fh.write(b'x' * 1024 * 1024)\n"
        )
        status, name, message = outcome(run_script(source, timeout_s=30))
        assert (status, name) == (JobStatus.FAILURE, "MemoryLimitExceeded")
        assert message == "memory limit exceeded: the job used more than 128 MB and was killed"

    def test_a_cpu_spin_times_out(self, run_script: Run) -> None:
        job = run_script("def main():\n    while True:\n        pass\n", timeout_s=2)
        assert outcome(job)[:2] == (JobStatus.TIMEOUT, "Timeout")
        assert job.duration_ms < 10_000

    def test_filling_tmp_fails_with_no_space(self, run_script: Run) -> None:
        source = (
            "def main():\n    for i in range(64):  # files under the file-size limit, /tmp over its size\n"
            "        with open(f'/tmp/fill{i}', 'wb') as fh:\n"
            "            for _ in range(32):\n                fh.write(b'x' * 1024 * 1024)\n"
        )
        status, name, message = outcome(run_script(source, timeout_s=30))
        assert (status, name) == (JobStatus.FAILURE, "OSError")
        assert "No space left on device" in message

    def test_a_huge_file_stops_at_the_file_size_limit(self, run_script: Run) -> None:
        source = (
            "def main():\n    with open('/job/big', 'wb') as fh:\n"
            "        for _ in range(10 * 1024):\n            fh.write(b'x' * 1024 * 1024)\n"
        )
        status, name, message = outcome(run_script(source, timeout_s=60))
        assert (status, name) == (JobStatus.FAILURE, "OSError")
        assert "File too large" in message

    def test_opening_a_hundred_thousand_files_hits_the_open_file_limit(self, run_script: Run) -> None:
        source = (
            "def main():\n    handles = [open('/dev/null') for _ in range(100_000)]\n"
            "    return len(handles)\n"
        )
        status, name, message = outcome(run_script(source, timeout_s=30))
        assert (status, name) == (JobStatus.FAILURE, "OSError")
        assert "Too many open files" in message

    def test_printing_a_gigabyte_is_cut_and_the_job_stopped(self, run_script: Run, settings: Any) -> None:
        source = (
            "import sys\ndef main():\n    line = 'y' * 1023 + '\\n'\n"
            "    for _ in range(1024 * 1024):\n        sys.stdout.write(line)\n"
        )
        job = run_script(source, timeout_s=120)
        status, name, message = outcome(job)
        assert (status, name) == (JobStatus.FAILURE, "LogLimitExceeded")
        assert job.log_size < settings.KILN_JOB_LOG_LIMIT + 1024
        assert "bytes of logs dropped" in job_logs(job=job)

    def test_a_bash_fork_bomb_ends_and_leaves_nothing_behind(self, run_script: Run) -> None:
        source = "bomb() { bomb | bomb & }\nbomb\nsleep 3\necho survived\n"
        job = run_script(source, language="bash", timeout_s=15)
        assert job.status in {JobStatus.FAILURE, JobStatus.TIMEOUT, JobStatus.SUCCESS}
