from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kiln.accounts.models import User, Workspace
from kiln.jobs.models import Job
from kiln.jobs.runner import JobRunner
from kiln.jobs.services import job_create
from kiln.scripts.services import script_save


@pytest.fixture
def run_script(sandbox_available: None, workspace: Workspace, owner: User) -> Callable[..., Job]:
    """Save a script, create its job and run it through the real runner and nsjail."""

    def run(
        content: str,
        args: dict[str, Any] | None = None,
        timeout_s: int | None = None,
        language: str = "python3",
        path: str = "u/ada/t",
        settings: dict[str, Any] | None = None,
    ) -> Job:
        """`settings` are the script's (limits, network, retry, ...), as the API takes them;
        omitted: {} (platform defaults, the workspace's default network)."""
        version = script_save(
            workspace=workspace,
            user=owner,
            path=path,
            language=language,
            content=content,
            settings=settings if settings is not None else {},
        ).version
        job = job_create(workspace=workspace, user=owner, version=version, args=args or {})
        if timeout_s is not None:
            limits = {**job.limits, "timeout_s": timeout_s, "cpu_s": timeout_s}
            Job.objects.filter(pk=job.pk).update(timeout_s=timeout_s, limits=limits)
        finished = JobRunner(str(job.id)).run()
        assert finished is not None
        return finished

    return run
