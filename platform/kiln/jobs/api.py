"""Jobs: run a script (async or sync, by path or by hash), read a job, list jobs."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from kiln.accounts.access import Access, builder_caller, caller, operator_may_run, require_path
from kiln.accounts.models import User
from kiln.api_params import WorkspacePath, query_token_used
from kiln.audit.services import audit_record
from kiln.errors import BadRequest
from kiln.http_handler import server_loop
from kiln.operations import shutdown
from kiln.ratelimit import check_run_rate
from kiln.scripts import selectors as script_selectors
from kiln.scripts import webhooks
from kiln.scripts.models import ScriptVersion
from kiln.timeutil import as_utc
from kiln.vault.references import check_may_use
from scripts_runtime.arg_text import from_text, json_types

from . import cancel, selectors, services
from .limits import job_limits
from .models import TERMINAL, Job, JobKind, JobStatus, Trigger
from .preview import preview_job_create
from .wakeups import ThreadSignal, background_loop, thread_signal
from .workers import live_tags

log = logging.getLogger(__name__)
router = Router(tags=["jobs"])
SYNC_RECHECK_S = 1.0  # the row is read at least this often while waiting, whatever Redis says


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


class JobRunningOut(Schema):
    id: UUID
    status: str
    message: str


class JobListOut(Schema):
    id: UUID
    kind: str = Field(description="script, inline (a flow's inline step) or flow")
    script_path: str
    script_hash: str
    language: str
    status: str
    tag: str
    trigger: str
    priority: int
    progress: int | None = None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: int | None
    attempt: int
    retries: int
    scheduled_for: datetime | None = None
    schedule_id: int | None = Field(None, description="The schedule that started it")
    schedule_tick: datetime | None = Field(None, description="The tick it runs for (a schedule's job)")
    # Why a queued job is not running yet: an unserved tag, a retry's back-off, a concurrency slot.
    waiting_reason: str | None = None
    parent_id: UUID | None = Field(None, description="A flow step's flow run")
    root_id: UUID | None = Field(None, description="A flow step's top flow run")
    flow_step: str = Field("", description="A flow step's place in its flow, e.g. score/3/score_one")


class JobPageOut(Schema):
    items: list[JobListOut]
    next_cursor: str | None = None


class JobOut(JobListOut):
    args: dict[str, Any]
    result: Any = None
    error: dict[str, Any] | None = None
    logs: str
    log_size: int
    log_dropped: int
    max_attempts: int
    worker_id: str
    sandboxed: bool
    network: str
    limits: dict[str, int]
    retry: dict[str, Any] | None = None
    concurrency_key: str
    concurrency_limit: int | None = None
    rerun_of: UUID | None = None
    run_as: str = Field(description="Whose access the job has: `u/<author>` or `g/<group>`")
    flow_status: dict[str, Any] | None = Field(
        None, description="A flow run's steps: status, child job, result, iterations, branch, approvals"
    )


class PreviewIn(Schema):
    language: str
    content: str = Field(description="The code to run: not saved, never a version")
    args: dict[str, Any] = Field(default_factory=dict)
    path: str = Field("", description="Where its job is filed (a path you may write); else u/<you>/preview")


class RerunIn(Schema):
    args: dict[str, Any] | None = Field(None, description="Edited arguments; omitted: the same ones")
    latest: bool = Field(False, description="Run the script's latest version instead of the same one")


class JobLogsOut(Schema):
    offset: int
    data: str
    next: int
    done: bool
    status: str


def job_list_out(
    job: Job, served_tags: set[str] | None = None, running: dict[str, int] | None = None
) -> dict[str, Any]:
    if served_tags is None and job.status == JobStatus.QUEUED:
        served_tags = live_tags()
    return {
        "id": job.id,
        "script_path": job.script_path,
        "kind": job.kind,
        "script_hash": job_hash(job),
        "language": job.language,
        "status": job.status,
        "tag": job.queue,
        "trigger": job.trigger,
        "priority": job.priority,
        "progress": job.progress,
        "created_by": job.created_by.email,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "duration_ms": job.duration_ms,
        "attempt": job.attempt,
        "retries": job.retries,
        "scheduled_for": job.scheduled_for,
        "schedule_id": job.schedule_id,
        "schedule_tick": job.schedule_tick,
        "waiting_reason": selectors.waiting_reason(job, served_tags or set(), running),
        "parent_id": job.parent_id,
        "root_id": job.root_id,
        "flow_step": job.flow_step,
    }


def job_hash(job: Job) -> str:
    """The hash of what the job runs: a script version's, a flow version's, an inline step's."""
    if job.script_version is not None:
        return job.script_version.hash
    if job.flow_version is not None:
        return job.flow_version.hash
    return job.raw_hash


def trigger_of(request: HttpRequest) -> str:
    """A browser session is a person clicking (manual); a token is a program calling (webhook);
    a job token, a job starting another (job)."""
    if getattr(request, "kiln_job", None) is not None:
        return Trigger.JOB
    by_token = request.headers.get("Authorization", "").startswith("Bearer ") or query_token_used(request)
    return Trigger.WEBHOOK if by_token else Trigger.MANUAL


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


def args_from_query(
    request: HttpRequest, schema: dict[str, Any], *, skip_token: bool = False
) -> dict[str, Any]:
    """Arguments of a GET run from its query string, typed by the script's schema. A repeated
    name (`?tag=a&tag=b`) is a list; so is one value of an array parameter that is not JSON.
    `token` is left out when it carried the webhook token."""
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    args: dict[str, Any] = {}
    for name in request.GET:
        if skip_token and name == "token":
            continue
        values = request.GET.getlist(name)
        prop = properties.get(name, {}) if isinstance(properties.get(name), dict) else {}
        if "array" in json_types(prop):
            items = prop.get("items", {}) if isinstance(prop.get("items"), dict) else {}
            parsed = from_text(values[0], prop) if len(values) == 1 else None
            args[name] = parsed if isinstance(parsed, list) else [from_text(v, items) for v in values]
        else:
            args[name] = from_text(values[-1], prop)
    return args


def create_once(
    request: HttpRequest, ws: Any, asked: dict[str, Any], create: Callable[[], Job]
) -> tuple[Job, bool]:
    """`create()`, or the first job of a repeated Idempotency-Key (then True)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return create(), False
    text = json.dumps(asked, sort_keys=True, default=str)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    return services.job_create_once(workspace=ws, key=key, fingerprint=fingerprint, create=create)


def _create(
    request: HttpRequest, workspace: str, *, path: str | None = None, hash: str | None = None
) -> tuple[Job, bool]:
    """The new job (or, for a repeated Idempotency-Key, the first one: then True)."""
    check_run_rate(request)
    user: User = request.auth  # type: ignore[attr-defined]
    principal = caller(user=user, workspace_id=workspace)
    ws = principal.member.workspace
    version: ScriptVersion
    if path is not None:
        require_path(principal, path, Access.VIEW)  # 404 for a path the caller may not see
        version = script_selectors.version_by_path(workspace=ws, path=path)
    else:
        version = script_selectors.version_by_hash(workspace=ws, hash=hash or "", principal=principal)
    script = version.script
    operator_may_run(principal, published=script.app, path=script.path)
    webhooks.signature_check(script.webhook or {}, script.webhook_secret, request)
    if (script.webhook or {}).get("raw_request"):
        if "request" not in (version.schema.get("properties") or {}):
            raise BadRequest(
                f"script '{script.path}' takes the raw request, but this version's main has no "
                "`request` parameter",
                {"field": "request"},
            )
        args = webhooks.raw_request_args(request, query_token=query_token_used(request))
    elif request.method == "GET":
        args = args_from_query(request, version.schema, skip_token=query_token_used(request))
    else:
        args = parse_args(request)
    check_may_use(principal, args)

    def create() -> Job:
        return services.job_create(
            workspace=ws, user=user, version=version, args=args, trigger=trigger_of(request)
        )

    job, replayed = create_once(request, ws, {"path": path, "hash": hash, "args": args}, create)
    if not replayed:
        detail = {"path": script.path, "hash": version.hash, "trigger": job.trigger, "run_as": job.run_as}
        audit_record(
            request,
            actor=user,
            workspace_id=ws.id,
            action="job.run",
            object_type="job",
            object_id=str(job.id),
            detail=detail,
        )
    return job, replayed


def created_response(job: Job, replayed: bool) -> JsonResponse:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JsonResponse({"id": str(job.id)}, status=201, headers=headers)


IDEMPOTENCY_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": "The same key in the same workspace within 24 h returns the same job "
            "(header Idempotent-Replayed: true); with other arguments it is a 409.",
        }
    ]
}
RUN_EXTRA = {**ARGS_BODY, **IDEMPOTENCY_HEADER}


@router.post(
    "/run/preview",
    response={201: JobCreatedOut},
    summary="Run code that is not saved (an editor's test run), as yourself, in the sandbox",
)
def run_preview(request: HttpRequest, workspace: WorkspacePath, payload: PreviewIn) -> Status:
    check_run_rate(request)
    user: User = request.auth  # type: ignore[attr-defined]
    principal = builder_caller(user=user, workspace_id=workspace)
    if payload.path:
        require_path(principal, payload.path, Access.WRITE)
    check_may_use(principal, payload.args)
    job = preview_job_create(
        workspace=principal.member.workspace,
        user=user,
        language=payload.language,
        content=payload.content,
        args=payload.args,
        path=payload.path,
    )
    audit_record(
        request,
        actor=user,
        workspace_id=workspace,
        action="job.preview",
        object_type="job",
        object_id=str(job.id),
        detail={"path": job.script_path, "language": job.language, "hash": job.raw_hash},
    )
    return Status(201, {"id": job.id})


@router.post(
    "/run/p/{path:path}",
    response={201: JobCreatedOut},
    openapi_extra=RUN_EXTRA,
    summary="Run the latest version of a script; returns the job id at once",
)
def run_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    return created_response(*_create(request, workspace, path=path))


@router.post(
    "/run/h/{hash}",
    response={201: JobCreatedOut},
    openapi_extra=RUN_EXTRA,
    summary="Run one pinned version of a script; returns the job id at once",
)
def run_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> JsonResponse:
    return created_response(*_create(request, workspace, hash=hash))


QUERY_ARGS = {
    "parameters": [
        {
            "in": "query",
            "name": "args",
            "required": False,
            "style": "form",
            "explode": True,
            "schema": {"type": "object", "additionalProperties": True},
            "description": "The script's arguments, one query parameter each (`?name=Ada&count=3`): "
            "text for string parameters, JSON otherwise; a repeated name is a list.",
        }
    ]
}
GET_RUN_EXTRA = {"parameters": QUERY_ARGS["parameters"] + IDEMPOTENCY_HEADER["parameters"]}


@router.get(
    "/run/p/{path:path}",
    response={201: JobCreatedOut},
    openapi_extra=GET_RUN_EXTRA,
    summary="Run the latest version of a script with arguments from the query string",
)
def run_by_path_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    return created_response(*_create(request, workspace, path=path))


@router.get(
    "/run/h/{hash}",
    response={201: JobCreatedOut},
    openapi_extra=GET_RUN_EXTRA,
    summary="Run one pinned version with arguments from the query string",
)
def run_by_hash_get(request: HttpRequest, workspace: WorkspacePath, hash: str) -> JsonResponse:
    return created_response(*_create(request, workspace, hash=hash))


@router.get(
    "/run_wait_result/p/{path:path}",
    response={200: Any, 202: JobRunningOut},
    openapi_extra=GET_RUN_EXTRA,
    summary="Run the latest version with arguments from the query string, and wait for its result",
)
def run_wait_by_path_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    job, _ = _create(request, workspace, path=path)
    return answer_when_done(request, workspace, job.id)


@router.get(
    "/run_wait_result/h/{hash}",
    response={200: Any, 202: JobRunningOut},
    openapi_extra=GET_RUN_EXTRA,
    summary="Run one pinned version with arguments from the query string, and wait for its result",
)
def run_wait_by_hash_get(request: HttpRequest, workspace: WorkspacePath, hash: str) -> JsonResponse:
    job, _ = _create(request, workspace, hash=hash)
    return answer_when_done(request, workspace, job.id)


@router.post(
    "/run_wait_result/p/{path:path}",
    response={200: Any, 202: JobRunningOut},
    openapi_extra=RUN_EXTRA,
    summary="Run the latest version and wait for its result",
)
def run_wait_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    job, _ = _create(request, workspace, path=path)
    return answer_when_done(request, workspace, job.id)


@router.post(
    "/run_wait_result/h/{hash}",
    response={200: Any, 202: JobRunningOut},
    openapi_extra=RUN_EXTRA,
    summary="Run one pinned version and wait for its result",
)
def run_wait_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> JsonResponse:
    job, _ = _create(request, workspace, hash=hash)
    return answer_when_done(request, workspace, job.id)


def answer_when_done(request: HttpRequest, workspace: str, job_id: UUID) -> JsonResponse:
    """The sync runs' answer (see wait_in_thread), waited for in the request's thread,
    subscribed to the job's wake-ups through the server's event loop (kiln.asgi), the thread
    woken by the loop's reader directly: no round trip from the thread to the loop and back to
    create the job, read its row or answer. A request no server loop serves (Django's test
    client, a WSGI server) is subscribed through the process's background loop instead."""
    loop = server_loop(request) or background_loop()
    with thread_signal(str(job_id), loop) as signal:
        return wait_in_thread(job_id, workspace, signal)


def _early(row: Any) -> dict[str, Any] | None:
    """A flow run's early_return result, once its step has ended (the run goes on)."""
    status = (row or {}).get("flow_status") or {}
    early = status.get("early_return") if isinstance(status, dict) else None
    return early if isinstance(early, dict) else None


def _row(job_id: UUID) -> dict[str, Any] | None:
    row = Job.objects.filter(pk=job_id).values("status", "result", "error", "flow_status").first()
    return dict(row) if row is not None else None


def _answer(job_id: UUID, row: dict[str, Any] | None) -> JsonResponse | None:
    """The response for what the row (or a wake-up's outcome) says, if it says the job has
    answered: 200 with its result, 500 with its error, or a flow's early answer; else None."""
    headers = {"X-Kiln-Job-Id": str(job_id)}
    early = _early(row)
    if early is not None:  # the flow's answer, whether the rest is still going or over
        return JsonResponse(
            early.get("result"), safe=False, headers={**headers, "X-Kiln-Early-Return": "true"}
        )
    if row is None or row["status"] not in TERMINAL:
        return None
    if row["status"] == JobStatus.SUCCESS:
        return JsonResponse(row["result"], safe=False, headers=headers)
    error = row["error"] or {}
    message = f"job {row['status']}: {error.get('name', 'Error')}: {error.get('message', '')}".rstrip(": ")
    return JsonResponse(
        {"message": message, "detail": {"job_id": str(job_id), "status": row["status"], "error": error}},
        status=500,
        headers=headers,
    )


def _still_running(
    job_id: UUID, workspace: str, row: dict[str, Any] | None, remaining: float
) -> JsonResponse:
    """202: the wait is over (or this web process is stopping), the job goes on."""
    why = (
        "this web server is restarting"
        if remaining > 0
        else f"the job is still running after {settings.KILN_SYNC_WAIT}s"
    )
    return JsonResponse(
        {
            "id": str(job_id),
            "status": row["status"] if row else "queued",
            "message": f"{why}; it goes on: read it at the Location URL",
        },
        status=202,
        headers={"X-Kiln-Job-Id": str(job_id), "Location": f"/api/w/{workspace}/jobs/{job_id}"},
    )


def wait_in_thread(job_id: UUID, workspace: str, signal: ThreadSignal) -> JsonResponse:
    """Wait for the job to end in this thread, woken when it ends (kiln.jobs.wakeups).

    Whoever ends the job publishes a wake-up after its result is committed. A script job's
    wake-up carries a small outcome, exactly what was committed, which is answered as is;
    else the row, the truth, is read again on every wake-up, and at least once a second in
    case a wake-up was lost (Redis restarted, a crashed job).
    200 with the result on success; 500 with the error when the job failed, timed out
    or crashed; 202 with the job id (and its URL in Location) when the wait
    (KILN_SYNC_WAIT) is over but the job is not: it goes on, ask for it there. The same
    202, within SYNC_RECHECK_S, when this web process is told to stop (operations/shutdown.py).
    """
    deadline = time.monotonic() + settings.KILN_SYNC_WAIT
    signal.ready()  # subscribed before the row is read: its end is either in the row or yet to come
    row = _row(job_id)
    while (answer := _answer(job_id, row)) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or shutdown.stopping():
            return _still_running(job_id, workspace, row, remaining)
        outcome = signal.wait(min(remaining, SYNC_RECHECK_S))
        # A terminal outcome is what the worker committed, sent after its commit: no read.
        row = outcome if outcome is not None and outcome["status"] in TERMINAL else _row(job_id)
    return answer


@router.post(
    "/{job_id}/cancel",
    response={200: JobListOut},
    summary="Cancel a job: a queued one at once, a running one within about a second (409 if it is over)",
)
def job_cancel(request: HttpRequest, workspace: WorkspacePath, job_id: str) -> dict[str, Any]:
    user: User = request.auth  # type: ignore[attr-defined]
    principal = caller(user=user, workspace_id=workspace)
    ws = principal.member.workspace
    job = cancel.job_cancel(
        job=selectors.job_get(workspace=ws, job_id=job_id, principal=principal), user=user
    )
    audit_record(
        request,
        actor=user,
        workspace_id=ws.id,
        action="job.cancel",
        object_type="job",
        object_id=str(job.id),
        detail={"path": job.script_path, "status": job.status},
    )
    return job_list_out(job)


@router.post(
    "/{job_id}/rerun",
    response={201: JobCreatedOut},
    summary="Run a job's script again: the same version and arguments, or edited ones",
)
def job_rerun(
    request: HttpRequest, workspace: WorkspacePath, job_id: str, payload: RerunIn | None = None
) -> Status:
    check_run_rate(request)
    user: User = request.auth  # type: ignore[attr-defined]
    principal = caller(user=user, workspace_id=workspace)
    ws = principal.member.workspace
    old = selectors.job_get(workspace=ws, job_id=job_id, principal=principal)
    require_path(principal, old.script_path, Access.VIEW)  # running needs the path, not just the job
    payload = payload or RerunIn(args=None, latest=False)
    if old.kind == JobKind.FLOW:
        from kiln.flows.run_api import rerun_flow

        return rerun_flow(request, principal, old, payload)
    version = old.script_version
    if version is None:
        raise BadRequest(
            "a flow's inline step does not run on its own: restart its flow from that step",
            {"field": "job_id", "flow": str(old.root_id or old.parent_id)},
        )
    if payload.latest:
        version = script_selectors.version_by_path(workspace=ws, path=old.script_path)
    operator_may_run(principal, published=version.script.app, path=old.script_path)
    args = payload.args if payload.args is not None else old.args
    check_may_use(principal, args)
    job = services.job_create(
        workspace=ws, user=user, version=version, args=args, trigger=Trigger.RERUN, rerun_of=old
    )
    detail = {"path": version.script.path, "hash": version.hash, "rerun_of": str(old.id)}
    audit_record(
        request,
        actor=user,
        workspace_id=ws.id,
        action="job.rerun",
        object_type="job",
        object_id=str(job.id),
        detail=detail,
    )
    return Status(201, {"id": job.id})


@router.get("", response=JobPageOut, summary="Jobs, newest first, filtered; follow next_cursor for more")
def job_list(
    request: HttpRequest,
    workspace: WorkspacePath,
    status: str | None = Query(None, description="One status or several, comma-separated"),
    path: str | None = Query(None, description="Exact script path"),
    path_prefix: str | None = Query(None, description="Script paths starting with this, e.g. f/billing/"),
    trigger: str | None = Query(None, description="manual, webhook, schedule, flow or rerun"),
    tag: str | None = Query(None, description="Worker tag"),
    created_after: Annotated[datetime | None, Query(description="Created at or after (ISO 8601)")] = None,
    created_before: Annotated[datetime | None, Query(description="Created before (ISO 8601)")] = None,
    parent: Annotated[UUID | None, Query(description="A flow run's id: its steps (child jobs)")] = None,
    include_steps: bool = Query(False, description="Flow steps too (default: only top-level runs)"),
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    ws = principal.member.workspace
    filters = selectors.JobFilters(
        statuses=[s.strip() for s in status.split(",") if s.strip()] if status else None,
        path=path,
        path_prefix=path_prefix,
        trigger=trigger,
        tag=tag,
        created_after=as_utc(created_after),
        created_before=as_utc(created_before),
        parent=parent,
        include_steps=include_steps,
    )
    jobs, next_cursor = selectors.job_list(
        workspace=ws, filters=filters, cursor=cursor, limit=limit, principal=principal
    )
    served = live_tags() if any(j.status == JobStatus.QUEUED for j in jobs) else set()
    running = selectors.running_per_key(jobs)
    return {"items": [job_list_out(job, served, running) for job in jobs], "next_cursor": next_cursor}


@router.get("/{job_id}", response=JobOut, summary="A job: status, result, error, logs and timings")
def job_get(request: HttpRequest, workspace: WorkspacePath, job_id: str) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    job = selectors.job_get(workspace=principal.member.workspace, job_id=job_id, principal=principal)
    return {
        **job_list_out(job),
        "args": job.args,
        "result": job.result,
        "error": job.error,
        "logs": selectors.job_logs(job=job),
        "log_size": job.log_size,
        "log_dropped": job.log_dropped,
        "max_attempts": job.max_attempts,
        "worker_id": job.worker_id,
        "sandboxed": job.sandboxed,
        "network": job.network,
        "limits": job_limits(job).as_dict(),
        "retry": job.retry,
        "concurrency_key": job.concurrency_key,
        "concurrency_limit": job.concurrency_limit,
        "rerun_of": job.rerun_of_id,
        "run_as": job.run_as,
        "flow_status": _flow_status(job),
    }


def _flow_status(job: Job) -> dict[str, Any] | None:
    from kiln.flows.engine import status_view

    if job.flow_version is None:
        return job.flow_status
    return status_view(job.flow_status, job.flow_version.value or {})


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
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    job = selectors.job_get(workspace=principal.member.workspace, job_id=job_id, principal=principal)
    logs = selectors.job_log_since(job_id=str(job.pk), offset=start, max_bytes=LOGS_PAGE_BYTES)
    return {
        "offset": logs.offset,
        "data": logs.data,
        "next": logs.next,
        "done": logs.done,
        "status": logs.status,
    }
