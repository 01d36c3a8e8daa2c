"""Running without nsjail is an explicit operator choice, and every such job says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


def test_none_without_the_second_switch_refuses_to_run(run_script: Run, settings: Any) -> None:
    settings.KILN_SANDBOX = "none"
    settings.KILN_ALLOW_UNSANDBOXED = False
    job = run_script("def main():\n    return 1\n")
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "SandboxError"
    assert "KILN_ALLOW_UNSANDBOXED=1" in job.error["message"]


def test_an_unknown_sandbox_is_refused(run_script: Run, settings: Any) -> None:
    settings.KILN_SANDBOX = "docker"
    job = run_script("def main():\n    return 1\n")
    assert job.status == JobStatus.FAILURE and "unknown KILN_SANDBOX" in job.error["message"]


def test_an_unsandboxed_job_runs_and_says_so_in_its_log(run_script: Run, settings: Any) -> None:
    settings.KILN_SANDBOX = "none"
    settings.KILN_ALLOW_UNSANDBOXED = True
    job = run_script("def main(x: int):\n    print('hi')\n    return x + 1\n", {"x": 1})
    assert (job.status, job.result, job.sandboxed) == (JobStatus.SUCCESS, 2, False)
    logs = job_logs(job=job)
    assert logs.startswith("[kiln] WARNING: this job runs WITHOUT a sandbox") and logs.endswith("hi\n")


def test_an_unusable_nsjail_refuses_the_job_instead_of_running_it_bare(
    run_script: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    broken = tmp_path / "nsjail"
    broken.write_text("#!/bin/sh\necho 'nsjail: cannot create namespaces' >&2\nexit 255\n")
    broken.chmod(0o755)
    monkeypatch.setenv("KILN_NSJAIL_PATH", str(broken))
    marker = tmp_path / "ran"
    job = run_script(f"def main():\n    open({str(marker)!r}, 'w').write('x')\n    return 1\n")
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "SandboxError"
    assert "cannot create namespaces" in job_logs(job=job)
    assert not marker.exists()


def test_the_worker_refuses_to_start_when_nsjail_cannot_run(
    sandbox_available: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from click.testing import CliRunner

    from kiln.cli import main
    from kiln.jobs.sandbox import self_check

    assert self_check() is None  # the real nsjail works here
    broken = tmp_path / "nsjail"
    broken.write_text("#!/bin/sh\necho 'clone(CLONE_NEWNS) failed: Operation not permitted' >&2\nexit 255\n")
    broken.chmod(0o755)
    monkeypatch.setenv("KILN_NSJAIL_PATH", str(broken))
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code != 0
    assert "the sandbox cannot run jobs on this machine" in result.output
    assert "Operation not permitted" in result.output
