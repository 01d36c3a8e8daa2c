"""Jobs that use the vault and the SDK run through the real runner and nsjail, with their data
committed: the worker's SDK socket serves each request on a thread of its own, with its own
database connection, which sees only committed rows."""

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
def run_job(
    transactional_db: None, sandbox_available: None, workspace: Workspace, owner: User
) -> Callable[..., Job]:
    def run(
        content: str,
        args: dict[str, Any] | None = None,
        *,
        language: str = "python3",
        path: str = "u/ada/t",
        author: User | None = None,
        caller: User | None = None,
    ) -> Job:
        version = script_save(
            workspace=workspace,
            user=author or owner,
            path=path,
            language=language,
            content=content,
            settings={},
        ).version
        job = job_create(workspace=workspace, user=caller or owner, version=version, args=args or {})
        finished = JobRunner(str(job.id)).run()
        assert finished is not None
        return finished

    return run
