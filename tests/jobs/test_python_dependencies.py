"""Dependencies are resolved into a lock, installed once per lock, and read-only in the jail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]

HUMANIZE = "import humanize\n\ndef main(n: int) -> str:\n    return humanize.intcomma(n)\n"


def test_a_script_importing_a_package_runs_after_automatic_resolution(run_script: Run) -> None:
    first = run_script(HUMANIZE, {"n": 1234567})
    assert first.status == JobStatus.SUCCESS, (first.error, job_logs(job=first))
    assert first.result == "1,234,567"
    lock = first.script_version.__class__.objects.get(pk=first.script_version_id).lock
    assert lock is not None and lock.startswith("humanize==")
    assert "installed 1 package(s)" in job_logs(job=first)

    sites = list((settings.KILN_CACHE_DIR / "python").iterdir())
    before = {p: p.stat().st_mtime_ns for p in sites}
    second = run_script(HUMANIZE, {"n": 1000})
    assert second.result == "1,000"
    logs = job_logs(job=second)
    assert "resolving" not in logs and "installed" not in logs  # same lock: nothing resolved or installed
    assert {p: p.stat().st_mtime_ns for p in (settings.KILN_CACHE_DIR / "python").iterdir()} == before


def test_installed_packages_are_read_only_inside_the_jail(run_script: Run) -> None:
    source = (
        "import humanize, os\n\ndef main():\n"
        "    target = os.path.join(os.path.dirname(humanize.__file__), 'evil.py')\n"
        "    try:\n        open(target, 'w').write('x')\n        return 'written'\n"
        "    except OSError as exc:\n        return type(exc).__name__\n"
    )
    job = run_script(source)
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result != "written"


def test_a_package_that_does_not_exist_fails_before_user_code_runs(run_script: Run) -> None:
    source = (
        '# /// script\n# dependencies = ["kiln-no-such-package-4242"]\n# ///\n'
        "print('user code ran')\n\ndef main():\n    return 1\n"
    )
    job = run_script(source)
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "DependencyError"
    assert "kiln-no-such-package-4242" in job.error["message"]
    assert "user code ran" not in job_logs(job=job)
