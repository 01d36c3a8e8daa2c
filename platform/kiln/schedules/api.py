"""Schedules: CRUD, enable/disable, a cron preview, and each schedule's runs and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kiln.accounts.access import (
    Access,
    Principal,
    builder_caller,
    caller,
    path_access,
    require_path,
    visible_paths,
)
from kiln.accounts.access_services import path_write_check
from kiln.accounts.models import Role
from kiln.accounts.selectors import require_role
from kiln.api_params import WorkspacePath
from kiln.audit.services import audit_record
from kiln.errors import BadRequest, NotFound
from kiln.jobs import selectors as job_selectors
from kiln.jobs.api import JobPageOut, job_list_out
from kiln.jobs.models import JobStatus
from kiln.jobs.workers import live_tags
from kiln.timeutil import as_utc

from . import services
from .cron import Cron, CronError, parse_timezone
from .models import Schedule

router = Router(tags=["schedules"])
PREVIEW_MAX = 50


class Handler(Schema):
    path: str = Field(..., description="The script to run")
    args: dict[str, Any] = Field(default_factory=dict, description="Extra arguments for it")
    times: int | None = Field(None, description="on_failure: consecutive failures before it runs (1-100)")


class ScheduleIn(Schema):
    path: str = Field(..., description="The schedule's own path: u/<you>/<name> or f/<folder>/<name>")
    script_path: str = Field(..., description="The script (or flow) it runs, its latest version at each tick")
    is_flow: bool = Field(False, description="script_path names a flow")
    cron: str = Field(..., max_length=200, description="5 fields, or 6 with seconds first, or @hourly ...")
    timezone: str = Field("UTC", max_length=64, description="IANA name, e.g. Europe/Paris")
    args: dict[str, Any] = Field(default_factory=dict)
    summary: str = Field("", max_length=500)
    enabled: bool = True
    paused_until: datetime | None = Field(None, description="Ticks before it do not run")
    catch_up: Literal["skip", "latest", "all"] = Field("skip", description="What to do with missed ticks")
    catch_up_max: int = Field(100, description="catch_up=all: at most this many missed ticks run")
    no_overlap: bool = Field(False, description="Skip (and record) a tick while the last run goes on")
    retry: dict[str, Any] | None = Field(None, description="Windmill's retry object; null: the script's")
    on_failure: Handler | None = None
    on_recovery: Handler | None = None
    on_success: Handler | None = None

    def data(self) -> services.ScheduleData:
        def handler(h: Handler | None) -> dict[str, Any] | None:
            return None if h is None else h.model_dump(exclude_none=True)

        return services.ScheduleData(
            path=self.path,
            script_path=self.script_path,
            is_flow=self.is_flow,
            cron=self.cron,
            timezone=self.timezone,
            args=self.args,
            summary=self.summary,
            enabled=self.enabled,
            paused_until=as_utc(self.paused_until),
            catch_up=self.catch_up,
            catch_up_max=self.catch_up_max,
            no_overlap=self.no_overlap,
            retry=self.retry,
            on_failure=handler(self.on_failure),
            on_recovery=handler(self.on_recovery),
            on_success=handler(self.on_success),
        )


class ScheduleOut(Schema):
    path: str
    summary: str
    script_path: str
    is_flow: bool
    args: dict[str, Any]
    cron: str
    description: str
    timezone: str
    enabled: bool
    paused_until: datetime | None
    catch_up: str
    catch_up_max: int
    no_overlap: bool
    retry: dict[str, Any] | None
    on_failure: dict[str, Any] | None
    on_recovery: dict[str, Any] | None
    on_success: dict[str, Any] | None
    next_fire_at: datetime | None
    failures: int = Field(description="Consecutive failed runs")
    edited_by: str = Field(description="Whose access its jobs are started with")
    created_at: datetime
    updated_at: datetime
    access: str


class EnabledIn(Schema):
    enabled: bool


class PreviewOut(Schema):
    cron: str
    timezone: str
    description: str
    next: list[datetime] = Field(description="The next fire times, in UTC")
    next_local: list[str] = Field(description="The same, as wall-clock times in the time zone")


class EventOut(Schema):
    id: int
    kind: str
    tick_at: datetime | None
    count: int
    detail: dict[str, Any]
    created_at: datetime


def schedule_out(schedule: Schedule, principal: Principal) -> dict[str, Any]:
    try:
        description = Cron.parse(schedule.cron).describe()
    except CronError:
        description = ""
    return {
        "path": schedule.path,
        "summary": schedule.summary,
        "script_path": schedule.script_path,
        "is_flow": schedule.is_flow,
        "args": schedule.args,
        "cron": schedule.cron,
        "description": description,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
        "paused_until": schedule.paused_until,
        "catch_up": schedule.catch_up,
        "catch_up_max": schedule.catch_up_max,
        "no_overlap": schedule.no_overlap,
        "retry": schedule.retry,
        "on_failure": schedule.on_failure,
        "on_recovery": schedule.on_recovery,
        "on_success": schedule.on_success,
        "next_fire_at": schedule.next_fire_at if schedule.enabled else None,
        "failures": schedule.failures,
        "edited_by": schedule.edited_by.email,
        "created_at": schedule.created_at,
        "updated_at": schedule.updated_at,
        "access": path_access(principal, schedule.path).name.lower(),
    }


def _get(principal: Principal, path: str, needed: Access) -> Schedule:
    require_path(principal, path, needed, what="schedule")
    found = (
        Schedule.objects.select_related("edited_by")
        .filter(workspace_id=principal.workspace_id, path=path)
        .first()
    )
    if found is None:
        raise NotFound(f"schedule '{path}' not found")
    return found


def _writer(request: HttpRequest, workspace: str) -> Principal:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(principal.member, Role.ADMIN, Role.DEVELOPER)  # operators run and view only
    return principal


def _audit(request: HttpRequest, principal: Principal, action: str, path: str, **detail: Any) -> None:
    audit_record(
        request,
        actor=principal.member.user,
        workspace_id=principal.workspace_id,
        action=action,
        object_type="schedule",
        object_id=path,
        detail=detail,
    )


@router.get(
    "/preview",
    response=PreviewOut,
    summary="What a cron expression means and when it fires next (400 saying what is wrong)",
)
def schedule_preview(
    request: HttpRequest,
    workspace: WorkspacePath,
    cron: str = Query(..., max_length=200),
    tz: str = Query("UTC", max_length=64),
    count: int = Query(10, ge=1, le=PREVIEW_MAX),
) -> dict[str, Any]:
    builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    try:
        parsed = Cron.parse(cron)
    except CronError as exc:
        raise BadRequest(f"cron: {exc}", {"field": "cron", "part": exc.field}) from None
    try:
        zone = parse_timezone(tz)
    except CronError as exc:
        raise BadRequest(f"tz: {exc}", {"field": "tz"}) from None
    upcoming = services.upcoming(parsed, zone, count)
    return {
        "cron": parsed.expression,
        "timezone": tz,
        "description": parsed.describe(),
        "next": upcoming,
        "next_local": [t.astimezone(zone).isoformat() for t in upcoming],
    }


@router.get("", response=list[ScheduleOut], summary="The schedules you may see")
def schedule_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    schedules = (
        Schedule.objects.filter(workspace_id=workspace)
        .filter(visible_paths(principal))
        .select_related("edited_by")
        .order_by("path")
    )
    return [schedule_out(s, principal) for s in schedules]


@router.post("", response={201: ScheduleOut}, summary="Create a schedule (admins, developers)")
def schedule_create(request: HttpRequest, workspace: WorkspacePath, payload: ScheduleIn) -> Status:
    principal = _writer(request, workspace)
    with transaction.atomic():  # a refused schedule leaves no new folder behind
        path_write_check(principal, payload.path)
        schedule = services.schedule_create(principal=principal, data=payload.data())
        _audit(
            request,
            principal,
            "schedule.create",
            schedule.path,
            cron=schedule.cron,
            script=schedule.script_path,
        )
    return Status(201, schedule_out(schedule, principal))


@router.get("/p/{path:path}", response=ScheduleOut, summary="A schedule")
def schedule_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return schedule_out(_get(principal, path, Access.VIEW), principal)


@router.put("/p/{path:path}", response=ScheduleOut, summary="Replace a schedule (its writers)")
def schedule_update(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: ScheduleIn
) -> dict[str, Any]:
    principal = _writer(request, workspace)
    schedule = _get(principal, path, Access.WRITE)
    schedule = services.schedule_update(principal=principal, schedule=schedule, data=payload.data())
    _audit(request, principal, "schedule.update", path, cron=schedule.cron, enabled=schedule.enabled)
    return schedule_out(schedule, principal)


@router.delete("/p/{path:path}", response={204: None}, summary="Delete a schedule (its jobs stay)")
def schedule_delete(request: HttpRequest, workspace: WorkspacePath, path: str) -> HttpResponse:
    principal = _writer(request, workspace)
    services.schedule_delete(schedule=_get(principal, path, Access.WRITE))
    _audit(request, principal, "schedule.delete", path)
    return HttpResponse(status=204)


@router.post(
    "/enabled/p/{path:path}",
    response=ScheduleOut,
    summary="Enable or disable a schedule; enabling starts from now (no catch-up for the pause)",
)
def schedule_enable(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: EnabledIn
) -> dict[str, Any]:
    principal = _writer(request, workspace)
    schedule = _get(principal, path, Access.WRITE)
    schedule = services.schedule_enable(principal=principal, schedule=schedule, enabled=payload.enabled)
    _audit(request, principal, "schedule.enable" if payload.enabled else "schedule.disable", path)
    return schedule_out(schedule, principal)


@router.get("/runs/p/{path:path}", response=JobPageOut, summary="A schedule's runs, newest first")
def schedule_runs(
    request: HttpRequest,
    workspace: WorkspacePath,
    path: str,
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    schedule = _get(principal, path, Access.VIEW)
    filters = job_selectors.JobFilters(schedule_id=schedule.pk)
    jobs, next_cursor = job_selectors.job_list(
        workspace=principal.member.workspace, filters=filters, cursor=cursor, limit=limit
    )
    served = live_tags() if any(j.status == JobStatus.QUEUED for j in jobs) else set()
    running = job_selectors.running_per_key(jobs)
    return {"items": [job_list_out(job, served, running) for job in jobs], "next_cursor": next_cursor}


@router.get(
    "/events/p/{path:path}",
    response=list[EventOut],
    summary="What happened to a schedule's ticks besides their jobs: skips, refusals, handlers",
)
def schedule_events(
    request: HttpRequest,
    workspace: WorkspacePath,
    path: str,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    schedule = _get(principal, path, Access.VIEW)
    return [
        {
            "id": e.pk,
            "kind": e.kind,
            "tick_at": e.tick_at,
            "count": e.count,
            "detail": e.detail,
            "created_at": e.created_at,
        }
        for e in schedule.events.order_by("-id")[:limit]
    ]
