"""Creating a flow run: a queued flow job that a worker starts (kiln.flows.engine.flow_start)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kiln.accounts.models import User, Workspace
from kiln.jobs.limits import effective, workspace_maximums
from kiln.jobs.models import Job, JobKind, Trigger
from kiln.jobs.services import ring_after_commit, validate_args
from kiln.scripts.run_settings import workspace_settings

from .models import FlowVersion
from .steps import FLOW_TAG

if TYPE_CHECKING:
    from kiln.schedules.models import Schedule


def flow_job_create(
    *,
    workspace: Workspace,
    user: User,
    version: FlowVersion,
    args: Any,
    trigger: str = Trigger.MANUAL,
    rerun_of: Job | None = None,
    schedule: Schedule | None = None,
    schedule_tick: datetime | None = None,
    status: dict[str, Any] | None = None,
) -> Job:
    """Commit a queued flow run, then (after commit) ring the `flow` tag. A flow with a
    `concurrent_limit` waits un-rung while that many runs of it are going."""
    validate_args(version.schema, args)
    value = version.value or {}
    limit = value.get("concurrent_limit")
    key = ""
    if limit:
        key = f"{workspace.id}:flow:{value.get('concurrency_key') or version.flow.path}"
    maximums = workspace_maximums(workspace_settings(workspace.settings).max_limits.model_dump())
    limits, _ = effective(None, maximums)
    with transaction.atomic():
        job = Job.objects.create(
            id=uuid.uuid4(),
            kind=JobKind.FLOW,
            workspace=workspace,
            flow_version=version,
            script_path=version.flow.path,
            language="flow",
            queue=FLOW_TAG,
            args=args,
            created_by=user,
            run_as=f"u/{version.created_by.username}",
            run_as_user=version.created_by,
            timeout_s=limits.timeout_s,
            limits=limits.as_dict(),
            trigger=trigger,
            rerun_of=rerun_of,
            schedule=schedule,
            schedule_tick=schedule_tick,
            concurrency_key=key,
            concurrency_limit=int(limit) if limit else None,
            published_at=None if limit else timezone.now(),
            flow_status=status or {"steps": {}},
            sandboxed=False,  # the run itself runs no code; each of its steps is jailed
        )
        ring_after_commit(job)
    return job
