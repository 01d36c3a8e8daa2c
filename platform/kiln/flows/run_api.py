"""Running flows over HTTP: the `/f/` run URLs, restarting a run from a step, and the signed
approval URLs of a suspended step (their own router: no login, the signature is the credential).
They share the jobs API's parsing, idempotency and sync wait (kiln.jobs.api)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from kiln.accounts.access import Access, caller, operator_may_run, require_path
from kiln.accounts.models import User
from kiln.api_params import WorkspacePath, query_token_used
from kiln.audit.services import audit_record
from kiln.errors import BadRequest, Conflict, NotFound
from kiln.jobs import selectors, services
from kiln.jobs.api import (
    GET_RUN_EXTRA,
    RUN_EXTRA,
    JobCreatedOut,
    JobRunningOut,
    RerunIn,
    answer_when_done,
    args_from_query,
    create_once,
    created_response,
    parse_args,
    trigger_of,
)
from kiln.jobs.models import Job, JobKind, Trigger
from kiln.ratelimit import check_run_rate
from kiln.vault.references import check_may_use

router = Router(tags=["flows"])  # mounted at /w/{workspace}/jobs, beside the jobs router
approvals_router = Router(tags=["approvals"], auth=None)  # the signed URL is the credential


def _create_flow(request: HttpRequest, workspace: str, flow_path: str) -> tuple[Job, bool]:
    from kiln.flows.api import latest_version
    from kiln.flows.runs import flow_job_create

    check_run_rate(request)
    user: User = request.auth  # type: ignore[attr-defined]
    principal = caller(user=user, workspace_id=workspace)
    ws = principal.member.workspace
    version = latest_version(principal, flow_path)
    operator_may_run(principal, published=version.flow.app, path=flow_path)
    if request.method == "GET":
        args = args_from_query(request, version.schema, skip_token=query_token_used(request))
    else:
        args = parse_args(request)
    check_may_use(principal, args)

    def create() -> Job:
        return flow_job_create(
            workspace=ws, user=user, version=version, args=args, trigger=trigger_of(request)
        )

    job, replayed = create_once(request, ws, {"flow": flow_path, "args": args}, create)
    if not replayed:
        detail = {"flow": flow_path, "hash": version.hash, "trigger": job.trigger, "run_as": job.run_as}
        _audit(request, user, ws.id, "flow.run", job.id, detail)
    return job, replayed


@router.post(
    "/run/f/{path:path}",
    response={201: JobCreatedOut},
    openapi_extra=RUN_EXTRA,
    summary="Run the latest version of a flow; returns the flow run's job id at once",
)
def run_flow(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    return created_response(*_create_flow(request, workspace, path))


@router.get(
    "/run/f/{path:path}",
    response={201: JobCreatedOut},
    openapi_extra=GET_RUN_EXTRA,
    summary="Run the latest version of a flow with its inputs from the query string",
)
def run_flow_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    return created_response(*_create_flow(request, workspace, path))


@router.post(
    "/run_wait_result/f/{path:path}",
    response={200: Any, 202: JobRunningOut},
    openapi_extra=RUN_EXTRA,
    summary="Run a flow and wait for its result (or its early_return step's result)",
)
def run_wait_flow(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    job, _ = _create_flow(request, workspace, path)
    return answer_when_done(request, workspace, job.id)


@router.get(
    "/run_wait_result/f/{path:path}",
    response={200: Any, 202: JobRunningOut},
    openapi_extra=GET_RUN_EXTRA,
    summary="Run a flow with inputs from the query string and wait for its result",
)
def run_wait_flow_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> JsonResponse:
    job, _ = _create_flow(request, workspace, path)
    return answer_when_done(request, workspace, job.id)


def rerun_flow(request: HttpRequest, principal: Any, old: Job, payload: RerunIn) -> Status:
    from kiln.flows.api import latest_version
    from kiln.flows.runs import flow_job_create

    version = latest_version(principal, old.script_path) if payload.latest else old.flow_version
    assert version is not None
    operator_may_run(principal, published=version.flow.app, path=old.script_path)
    args = payload.args if payload.args is not None else old.args
    check_may_use(principal, args)
    job = flow_job_create(
        workspace=principal.member.workspace,
        user=principal.member.user,
        version=version,
        args=args,
        trigger=Trigger.RERUN,
        rerun_of=old,
    )
    _audit(
        request,
        principal.member.user,
        principal.workspace_id,
        "flow.rerun",
        job.id,
        {"flow": old.script_path, "hash": version.hash, "rerun_of": str(old.id)},
    )
    return Status(201, {"id": job.id})


class RestartIn(Schema):
    step: str = Field(description="A top-level step id: it and every later step run again")


@router.post(
    "/{job_id}/restart",
    response={201: JobCreatedOut},
    summary="Run a flow again from one of its top-level steps, reusing the results of the steps before it",
)
def flow_restart(request: HttpRequest, workspace: WorkspacePath, job_id: str, payload: RestartIn) -> Status:
    from kiln.flows.engine import flow_restart as restart

    check_run_rate(request)
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    old = selectors.job_get(workspace=principal.member.workspace, job_id=job_id, principal=principal)
    if old.kind != JobKind.FLOW or old.parent_id is not None:
        raise BadRequest("only a flow run can be restarted from a step", {"field": "job_id"})
    require_path(principal, old.script_path, Access.VIEW)
    assert old.flow_version is not None
    operator_may_run(principal, published=old.flow_version.flow.app, path=old.script_path)
    job = restart(old=old, step=payload.step, user=principal.member.user)
    _audit(
        request,
        principal.member.user,
        principal.workspace_id,
        "flow.restart",
        job.id,
        {"flow": old.script_path, "from_step": payload.step, "rerun_of": str(old.id)},
    )
    return Status(201, {"id": job.id})


class ResumeUrlsOut(Schema):
    resume: str = Field(description="POST (with the resume form's values) approves; GET says what it is for")
    cancel: str = Field(description="POST rejects: the run is canceled")


@router.get(
    "/{job_id}/resume_urls",
    response=ResumeUrlsOut,
    summary="Signed URLs that approve or reject a flow run's suspended step (one approver each)",
)
def resume_urls(
    request: HttpRequest,
    workspace: WorkspacePath,
    job_id: str,
    step: str | None = Query(None, description="The suspended step's key; omitted: the one waiting"),
    approver: str = Query("", description="Who the URLs are for (each approver counts once)"),
) -> dict[str, str]:
    from kiln.flows import approvals

    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    job = selectors.job_get(workspace=principal.member.workspace, job_id=job_id, principal=principal)
    steps = (job.flow_status or {}).get("steps", {}) if job.kind == JobKind.FLOW else {}
    waiting = [key for key, node in steps.items() if node.get("status") == "suspended"]
    if step is None:
        if not waiting:
            raise Conflict("no step of this run waits for an approval", {"status": job.status})
        step = waiting[0]
    elif step not in steps:
        raise NotFound(f"no step '{step}' in this run")
    elif step not in waiting:
        raise Conflict(f"step '{step}' does not wait for an approval", {"status": steps[step].get("status")})
    return approvals.resume_urls(
        workspace=principal.workspace_id, job_id=str(job.id), step=step, approver=approver
    )


class ApprovalOut(Schema):
    job_id: UUID
    flow: str
    step: str
    status: str = Field(description="The flow run's status")
    step_status: str
    approvals: int
    required_events: int
    resume_form: dict[str, Any] | None = Field(None, description="The schema of the values to send")


def _approval(
    workspace: str, job_id: str, resume_id: str, signature: str, step: str, approver: str
) -> tuple[Job, dict[str, Any]]:
    from kiln.flows import approvals

    approvals.check(
        workspace=workspace, job_id=job_id, step=step, resume_id=resume_id, approver=approver, given=signature
    )
    job = (
        Job.objects.filter(pk=job_id, workspace_id=workspace, kind=JobKind.FLOW)
        .select_related("flow_version")
        .first()
    )
    if job is None:
        raise NotFound("flow run not found")
    return job, approval_out(job, step)


def approval_out(job: Job, step: str) -> dict[str, Any]:
    from kiln.flows.spec import walk

    node = (job.flow_status or {}).get("steps", {}).get(step) or {}
    step_id = step.rsplit("/", 1)[-1]
    module = next((m for _, m in walk(job.flow_version.value) if m.get("id") == step_id), {})  # type: ignore[union-attr]
    form = ((module.get("suspend") or {}).get("resume_form") or {}).get("schema")
    return {
        "job_id": job.id,
        "flow": job.script_path,
        "step": step,
        "status": job.status,
        "step_status": node.get("status", "waiting"),
        "approvals": len(node.get("approvals") or []),
        "required_events": int(node.get("required_events") or 1),
        "resume_form": form,
    }


@approvals_router.get(
    "/resume/{job_id}/{resume_id}/{signature}",
    response=ApprovalOut,
    summary="What a signed approval URL is for: the run, the step, the form to fill",
)
def approval_get(
    request: HttpRequest,
    workspace: WorkspacePath,
    job_id: UUID,
    resume_id: str,
    signature: str,
    step: str,
    approver: str = "",
) -> dict[str, Any]:
    return _approval(workspace, str(job_id), resume_id, signature, step, approver)[1]


@approvals_router.post(
    "/resume/{job_id}/{resume_id}/{signature}",
    response=ApprovalOut,
    openapi_extra={
        "requestBody": {
            "description": "The resume form's values (they become `resume` in the next steps)",
            "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
            "required": False,
        }
    },
    summary="Approve a suspended flow step through its signed URL",
)
def approval_resume(
    request: HttpRequest,
    workspace: WorkspacePath,
    job_id: UUID,
    resume_id: str,
    signature: str,
    step: str,
    approver: str = "",
) -> dict[str, Any]:
    from kiln.flows.engine import flow_approve

    job, info = _approval(workspace, str(job_id), resume_id, signature, step, approver)
    payload = parse_args(request)
    if info["resume_form"]:
        _check_form(info["resume_form"], payload)
    job = flow_approve(
        flow_id=str(job.pk), key=step, approver=approver, resume_id=resume_id, payload=payload, approve=True
    )
    _audit(request, None, workspace, "flow.approve", job.pk, {"step": step, "approver": approver})
    return approval_out(job, step)


@approvals_router.post(
    "/cancel/{job_id}/{resume_id}/{signature}",
    response=ApprovalOut,
    summary="Reject a suspended flow step through its signed URL: the run is canceled",
)
def approval_cancel(
    request: HttpRequest,
    workspace: WorkspacePath,
    job_id: UUID,
    resume_id: str,
    signature: str,
    step: str,
    approver: str = "",
) -> dict[str, Any]:
    from kiln.flows.engine import flow_approve

    job, _ = _approval(workspace, str(job_id), resume_id, signature, step, approver)
    job = flow_approve(
        flow_id=str(job.pk), key=step, approver=approver, resume_id=resume_id, payload=None, approve=False
    )
    _audit(request, None, workspace, "flow.reject", job.pk, {"step": step, "approver": approver})
    return approval_out(job, step)


def _check_form(schema: dict[str, Any], payload: dict[str, Any]) -> None:
    """The resume form's values must fit its schema (400 naming the field)."""
    services.validate_args(schema, payload)


def _audit(
    request: HttpRequest, actor: User | None, workspace: str, action: str, job_id: Any, detail: Any
) -> None:
    audit_record(
        request,
        actor=actor,
        workspace_id=workspace,
        action=action,
        object_type="job",
        object_id=str(job_id),
        detail=detail,
    )
