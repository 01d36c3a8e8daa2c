"""Jobs: run a script (async or sync, by path or by hash), read a job, list jobs."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any
from uuid import UUID

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema, Status

from kiln.accounts.models import User
from kiln.accounts.selectors import membership_get
from kiln.api_params import WorkspacePath
from kiln.errors import BadRequest
from kiln.scripts import selectors as script_selectors
from kiln.scripts.models import ScriptVersion

from . import cancel, selectors, services
from .models import TERMINAL, Job, JobStatus

router = Router(tags=["jobs"])

# One answer of the logs endpoint carries at most about this much (whole chunks): ask again from `next`.
LOGS_PAGE_BYTES = 1024 * 1024

ARGS_BODY = {
    "requestBody": {
        "description": "The script's arguments as a JSON object (empty body = no arguments).",
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
        "required": False,
    }
}


class JobCreatedOut(Schema):
    id: UUID


class JobListOut(Schema):
    id: UUID
    script_path: str
    script_hash: str
    language: str
    status: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None


class JobOut(JobListOut):
    args: dict[str, Any]
    result: Any = None
    error: dict[str, Any] | None = None
    logs: str
    log_size: int
    log_dropped: int
    attempt: int
    worker_id: str
    sandboxed: bool


class JobLogsOut(Schema):
    offset: int
    data: str
    next: int
    done: bool
    status: str


def job_list_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "script_path": job.script_path,
        "script_hash": job.script_version.hash,
        "language": job.language,
        "status": job.status,
        "created_by": job.created_by.email,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "duration_ms": job.duration_ms,
    }


def parse_args(request: HttpRequest) -> Any:
    """The body as the job's arguments: {} when empty, 400 when it is not a JSON object."""
    raw = request.body
    if not raw.strip():
        return {}
    try:
        args = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"request body is not valid JSON: {exc}", {"field": None}) from None
    if not isinstance(args, dict):
        raise BadRequest("request body must be a JSON object of arguments", {"field": None})
    return args


def _create(request: HttpRequest, workspace: str, *, path: str | None = None, hash: str | None = None) -> Job:
    user: User = request.auth  # type: ignore[attr-defined]
    ws = membership_get(user=user, workspace_id=workspace).workspace
    args = parse_args(request)
    version: ScriptVersion
    if path is not None:
        version = script_selectors.version_by_path(workspace=ws, path=path)
    else:
        version = script_selectors.version_by_hash(workspace=ws, hash=hash or "")
    return services.job_create(workspace=ws, user=user, version=version, args=args)


@router.post(
    "/run/p/{path:path}",
    response={201: JobCreatedOut},
    openapi_extra=ARGS_BODY,
    summary="Run the latest version of a script; returns the job id at once",
)
def run_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> Status:
    return Status(201, {"id": _create(request, workspace, path=path).id})


@router.post(
    "/run/h/{hash}",
    response={201: JobCreatedOut},
    openapi_extra=ARGS_BODY,
    summary="Run one pinned version of a script; returns the job id at once",
)
def run_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> Status:
    return Status(201, {"id": _create(request, workspace, hash=hash).id})


@router.post(
    "/run_wait_result/p/{path:path}",
    response={200: Any},
    openapi_extra=ARGS_BODY,
    summary="Run the latest version and wait for its result",
)
async def run_wait_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    job = await sync_to_async(_create)(request, workspace, path=path)
    return await wait_result(job.id)


@router.post(
    "/run_wait_result/h/{hash}",
    response={200: Any},
    openapi_extra=ARGS_BODY,
    summary="Run one pinned version and wait for its result",
)
async def run_wait_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> JsonResponse:
    job = await sync_to_async(_create)(request, workspace, hash=hash)
    return await wait_result(job.id)


async def wait_result(job_id: UUID) -> JsonResponse:
    """Poll the job row (the truth) until it ends; the web thread is never blocked.

    200 with the result on success; 500 with the error when the job failed, timed out
    or crashed; 504 with the job id when the wait is over but the job is not.
    """
    deadline = time.monotonic() + settings.KILN_SYNC_WAIT
    delay = 0.02
    headers = {"X-Kiln-Job-Id": str(job_id)}
    while True:
        row = await Job.objects.filter(pk=job_id).values("status", "result", "error").afirst()
        if row is not None and row["status"] in TERMINAL:
            break
        if time.monotonic() >= deadline:
            return JsonResponse(
                {
                    "message": f"job still running after {settings.KILN_SYNC_WAIT}s",
                    "detail": {"job_id": str(job_id), "status": row["status"] if row else None},
                },
                status=504,
                headers=headers,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    if row["status"] == JobStatus.SUCCESS:
        return JsonResponse(row["result"], safe=False, headers=headers)
    error = row["error"] or {}
    message = f"job {row['status']}: {error.get('name', 'Error')}: {error.get('message', '')}".rstrip(": ")
    return JsonResponse(
        {"message": message, "detail": {"job_id": str(job_id), "status": row["status"], "error": error}},
        status=500,
        headers=headers,
    )


@router.post(
    "/{job_id}/cancel",
    response={200: JobListOut},
    summary="Cancel a job: a queued one at once, a running one within about a second (409 if it is over)",
)
def job_cancel(request: HttpRequest, workspace: WorkspacePath, job_id: str) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    ws = membership_get(user=user, workspace_id=workspace).workspace
    job = cancel.job_cancel(job=selectors.job_get(workspace=ws, job_id=job_id), user=user)
    return job_list_out(job)


@router.get("", response=list[JobListOut], summary="Recent jobs, newest first")
def job_list(request: HttpRequest, workspace: WorkspacePath, limit: int = 50) -> list[dict[str, Any]]:
    ws = membership_get(user=request.auth, workspace_id=workspace).workspace  # type: ignore[attr-defined]
    return [job_list_out(job) for job in selectors.job_list(workspace=ws, limit=limit)]


@router.get("/{job_id}", response=JobOut, summary="A job: status, result, error, logs and timings")
def job_get(request: HttpRequest, workspace: WorkspacePath, job_id: str) -> dict[str, Any]:
    ws = membership_get(user=request.auth, workspace_id=workspace).workspace  # type: ignore[attr-defined]
    job = selectors.job_get(workspace=ws, job_id=job_id)
    return {
        **job_list_out(job),
        "args": job.args,
        "result": job.result,
        "error": job.error,
        "logs": selectors.job_logs(job=job),
        "log_size": job.log_size,
        "log_dropped": job.log_dropped,
        "attempt": job.attempt,
        "worker_id": job.worker_id,
        "sandboxed": job.sandboxed,
    }


@router.get(
    "/{job_id}/logs",
    response=JobLogsOut,
    summary="A job's log from a byte offset on; ask again from `next` until `done`",
)
def job_logs_since(
    request: HttpRequest,
    workspace: WorkspacePath,
    job_id: str,
    start: int = Query(0, alias="from", ge=0, description="Byte offset to start at (UTF-8 bytes)"),
) -> dict[str, Any]:
    ws = membership_get(user=request.auth, workspace_id=workspace).workspace  # type: ignore[attr-defined]
    job = selectors.job_get(workspace=ws, job_id=job_id)
    logs = selectors.job_log_since(job_id=str(job.pk), offset=start, max_bytes=LOGS_PAGE_BYTES)
    return {
        "offset": logs.offset,
        "data": logs.data,
        "next": logs.next,
        "done": logs.done,
        "status": logs.status,
    }
