"""Preview runs: code that is not saved (the editors' "Test this step", `kiln dev`), run as
the caller, in the sandbox, with the workspace's default limits and network."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from kiln.accounts.models import User, Workspace
from kiln.jobs.limits import effective, workspace_maximums
from kiln.scripts.run_settings import workspace_settings
from kiln.scripts.services import schema_infer
from scripts_runtime import registry

from .models import Job, JobKind, Trigger
from .services import ring_after_commit, validate_args


def preview_path(user: User) -> str:
    """Where a preview's job is filed when no path is given: the caller's own space."""
    return f"u/{user.username}/preview"


def preview_job_create(
    *, workspace: Workspace, user: User, language: str, content: str, args: Any, path: str = ""
) -> Job:
    """Commit a queued inline job running `content` as `user`, then ring its worker.

    The code is read like a save would read it (a 400 for a bad language, binary or oversized
    content, or a signature Kiln cannot read) and the arguments are checked against its schema.
    """
    language, schema = schema_infer(language=language, content=content)
    validate_args(schema, args)
    ws_conf = workspace_settings(workspace.settings)
    limits, _ = effective(None, workspace_maximums(ws_conf.max_limits.model_dump()))
    from kiln.flows.steps import inline_hash  # the same lock store as a flow's inline steps

    with transaction.atomic():
        job = Job.objects.create(
            id=uuid.uuid4(),
            workspace=workspace,
            kind=JobKind.INLINE,
            script_path=path or preview_path(user),
            language=language,
            raw_code=content,
            raw_hash=inline_hash(language, content),
            queue=registry.get(language).tag,
            args=args,
            created_by=user,
            run_as=f"u/{user.username}",
            run_as_user=user,
            timeout_s=limits.timeout_s,
            limits=limits.as_dict(),
            network=ws_conf.default_network,
            trigger=Trigger.PREVIEW,
        )
        ring_after_commit(job)
    return job
