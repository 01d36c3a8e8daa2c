"""What only a running job asks, with its job token: its progress, its script's state, waiting
for a job it started, and approval URLs for the flow step it is.

Everything else the SDK does (variables, resources, running scripts and flows) goes through
the ordinary routes, with the job's access.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from kiln.accounts.access import caller
from kiln.api_params import WorkspacePath
from kiln.errors import Conflict, Forbidden
from kiln.jobs import selectors as job_selectors
from kiln.jobs.models import TERMINAL, Job, JobKind
from kiln.jobs.services import job_progress_set

from . import services

router = Router(tags=["sdk"])
WAIT_S = 20.0  # one /wait call holds at most this long; the SDK asks again
POLL_S, POLL_MAX_S = 0.05, 0.5  # a short job is seen at once, a long one costs few queries
# The worker's SDK socket (kiln.jobs.sdk_socket) puts a function here that runs a queued job
# of the awaited tree in place: a job waiting for its child never starves the worker it holds.
HELPER_KEY = "kiln.sdk_helper"


def _own_job(request: HttpRequest) -> Job:
    job: Job | None = getattr(request, "kiln_job", None)
    if job is None:
        raise Forbidden("only a running job's own token may call this (the SDK inside a job)")
    return job


class ProgressIn(Schema):
    percent: int = Field(..., ge=0, le=100)


@router.post("/progress", response={204: None}, summary="The calling job says how far it is (0-100)")
def sdk_progress(request: HttpRequest, workspace: WorkspacePath, payload: ProgressIn) -> HttpResponse:
    job_progress_set(job=_own_job(request), progress=payload.percent)
    return HttpResponse(status=204)


def state_key(job: Job) -> str:
    """A script's state is its path's (every version); a flow's inline step's, `<flow>/<step>`."""
    return job.script_path or f"inline/{job.raw_hash}"


class StateOut(Schema):
    value: Any = Field(None, description="null until the script first sets it")


class StateIn(Schema):
    value: Any = None


@router.get("/state", response=StateOut, summary="The calling script's state, kept across its runs")
def sdk_state_get(request: HttpRequest, workspace: WorkspacePath) -> dict[str, Any]:
    job = _own_job(request)
    return {"value": services.state_get(workspace_id=job.workspace_id, key=state_key(job))}


@router.put(
    "/state", response=StateOut, summary="Replace the calling script's state (a JSON value, up to 1 MiB)"
)
def sdk_state_set(request: HttpRequest, workspace: WorkspacePath, payload: StateIn) -> dict[str, Any]:
    job = _own_job(request)
    services.state_set(workspace_id=job.workspace_id, key=state_key(job), value=payload.value)
    return {"value": payload.value}


class WaitOut(Schema):
    id: UUID
    done: bool
    status: str
    result: Any = None
    error: dict[str, Any] | None = None


@router.get(
    "/wait/{job_id}",
    response=WaitOut,
    summary="Wait (up to 20 s a call) for a job you may see to end; `done` says whether it has",
)
def sdk_wait(request: HttpRequest, workspace: WorkspacePath, job_id: str) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    job = job_selectors.job_get(workspace=principal.member.workspace, job_id=job_id, principal=principal)
    helper = request.META.get(HELPER_KEY)
    deadline = time.monotonic() + WAIT_S
    pause = POLL_S
    while True:
        row = Job.objects.filter(pk=job.pk).values("status", "result", "error").get()
        if row["status"] in TERMINAL:
            return {"id": job.pk, "done": True, **row}
        if time.monotonic() >= deadline:
            return {"id": job.pk, "done": False, "status": row["status"]}
        if helper is not None and helper(job.pk):
            pause = POLL_S  # it ran one of the tree's jobs: look again at once
            continue
        time.sleep(pause)
        pause = min(pause * 2, POLL_MAX_S)


class SdkResumeUrlsOut(Schema):
    approvalPage: str = Field(description="The flow run's page, where members approve or reject")  # noqa: N815
    resume: str
    cancel: str


@router.get(
    "/resume_urls",
    response=SdkResumeUrlsOut,
    summary="Approval URLs for the step the calling job is: its flow suspends after it",
)
def sdk_resume_urls(
    request: HttpRequest,
    workspace: WorkspacePath,
    approver: str = Query("", max_length=255, description="Who the URLs are for (each approver counts once)"),  # type: ignore[type-arg]
) -> dict[str, str]:
    from kiln.flows import approvals

    job = _own_job(request)
    flow_id = job.parent_id
    if flow_id is None or not job.flow_step or not Job.objects.filter(pk=flow_id, kind=JobKind.FLOW).exists():
        raise Conflict(
            "this job is not a step of a flow run: there is nothing to approve", {"job": str(job.id)}
        )
    urls = approvals.resume_urls(
        workspace=job.workspace_id, job_id=str(flow_id), step=job.flow_step, approver=approver
    )
    return {"approvalPage": f"{settings.KILN_PUBLIC_URL}/w/{job.workspace_id}/runs/{flow_id}", **urls}
