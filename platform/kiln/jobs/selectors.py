"""Reads for jobs."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from kiln.accounts.models import Workspace
from kiln.errors import NotFound

from .models import Job


def job_get(*, workspace: Workspace, job_id: str) -> Job:
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise NotFound(f"job '{job_id}' not found") from None
    job = (
        Job.objects.select_related("created_by", "script_version")
        .filter(workspace=workspace, pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound(f"job '{job_id}' not found")
    return job


def job_list(*, workspace: Workspace, limit: int = 50) -> QuerySet[Job]:
    return (
        Job.objects.filter(workspace=workspace)
        .select_related("created_by", "script_version")
        .order_by("-created_at")[: max(1, min(limit, 500))]
    )


def job_logs(*, job: Job) -> str:
    return "".join(job.log_chunks.order_by("offset").values_list("data", flat=True))
