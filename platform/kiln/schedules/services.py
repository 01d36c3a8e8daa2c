"""Writes for schedules: create, change, pause, delete — every input checked before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from kiln.accounts.access import Access, Principal, path_access
from kiln.errors import BadRequest, Conflict, NotFound
from kiln.jobs.services import validate_args
from kiln.scripts.models import ScriptVersion
from kiln.scripts.run_settings import RetrySettings
from kiln.scripts.selectors import version_by_path
from kiln.scripts.services import validate_path
from kiln.vault.references import check_may_use

from .cron import Cron, CronError, parse_timezone
from .models import CatchUp, Schedule

CATCH_UP_MAX = 1000
HANDLERS = ("on_failure", "on_recovery", "on_success")


@dataclass
class ScheduleData:
    """What a schedule is made of, as the API (or an importer) gives it."""

    path: str
    script_path: str
    cron: str
    is_flow: bool = False
    timezone: str = "UTC"
    args: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    enabled: bool = True
    paused_until: datetime | None = None
    catch_up: str = CatchUp.SKIP
    catch_up_max: int = 100
    no_overlap: bool = False
    retry: dict[str, Any] | None = None
    on_failure: dict[str, Any] | None = None
    on_recovery: dict[str, Any] | None = None
    on_success: dict[str, Any] | None = None


def _flow_target(principal: Principal, path: str) -> Any:
    """The latest version of the flow at `path`, if the principal may run it; 400 otherwise."""
    from kiln.flows.selectors import latest_version

    version = latest_version(workspace=principal.member.workspace, path=path)
    if version is None or path_access(principal, path) < Access.VIEW:
        raise BadRequest(f"script_path: flow '{path}' not found", {"field": "script_path"})
    return version


def _target(principal: Principal, path: str, field_name: str) -> ScriptVersion:
    """The latest version at `path`, if the principal may run it; 400 saying why otherwise
    (a schedule pointing at nothing, or at what its author may not run, is bad input)."""
    if path_access(principal, path) < Access.VIEW:
        raise BadRequest(f"{field_name}: script '{path}' not found", {"field": field_name})
    try:
        return version_by_path(workspace=principal.member.workspace, path=path)
    except NotFound:
        raise BadRequest(f"{field_name}: script '{path}' not found", {"field": field_name}) from None


def _handler(principal: Principal, name: str, value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("path"), str):
        raise BadRequest(f"{name} needs a `path`: the script to run", {"field": f"{name}.path"})
    extra = set(value) - {"path", "args", "times"}
    if extra:
        raise BadRequest(f"{name}: unknown field '{sorted(extra)[0]}'", {"field": name})
    args = value.get("args") or {}
    if not isinstance(args, dict):
        raise BadRequest(f"{name}.args must be an object", {"field": f"{name}.args"})
    times = value.get("times", 1)
    if name != "on_failure" and "times" in value:
        raise BadRequest(f"{name}: `times` is for on_failure only", {"field": f"{name}.times"})
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 100:
        raise BadRequest(f"{name}.times must be a whole number from 1 to 100", {"field": f"{name}.times"})
    _target(principal, value["path"], f"{name}.path")
    out: dict[str, Any] = {"path": value["path"], "args": args}
    if name == "on_failure":
        out["times"] = times
    return out


def schedule_clean(principal: Principal, data: ScheduleData) -> tuple[dict[str, Any], Cron, ZoneInfo]:
    """The fields to store, or a 400 naming the first bad one. Nothing is written."""
    validate_path(data.path)
    try:
        cron = Cron.parse(data.cron)
    except CronError as exc:
        raise BadRequest(f"cron: {exc}", {"field": "cron", "part": exc.field}) from None
    try:
        zone = parse_timezone(data.timezone)
    except CronError as exc:
        raise BadRequest(f"timezone: {exc}", {"field": "timezone"}) from None
    version = (
        _flow_target(principal, data.script_path)
        if data.is_flow
        else _target(principal, data.script_path, "script_path")
    )
    if data.is_flow and data.retry is not None:
        raise BadRequest("retry: a flow retries per step (each module's `retry`)", {"field": "retry"})
    if not isinstance(data.args, dict):
        raise BadRequest("args must be an object of the script's arguments", {"field": "args"})
    check_may_use(principal, data.args)  # the schedule's runs use its editor's access
    try:
        validate_args(version.schema, data.args)
    except BadRequest as exc:
        raise BadRequest(f"args: {exc.message}", {"field": "args", "argument": exc.detail}) from None
    if data.catch_up not in CatchUp.values:
        raise BadRequest(f"catch_up must be one of {', '.join(CatchUp.values)}", {"field": "catch_up"})
    if not 1 <= data.catch_up_max <= CATCH_UP_MAX:
        raise BadRequest(f"catch_up_max must be from 1 to {CATCH_UP_MAX}", {"field": "catch_up_max"})
    retry = None
    if data.retry is not None:
        try:
            retry = RetrySettings.model_validate(data.retry).model_dump(exclude_none=True)
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadRequest(f"retry.{where}: {first['msg']}", {"field": f"retry.{where}"}) from None
    fields = {
        "path": data.path,
        "summary": data.summary[:500],
        "script_path": data.script_path,
        "is_flow": data.is_flow,
        "args": data.args,
        "cron": cron.expression,
        "timezone": data.timezone,
        "enabled": data.enabled,
        "paused_until": data.paused_until,
        "catch_up": data.catch_up,
        "catch_up_max": data.catch_up_max,
        "no_overlap": data.no_overlap,
        "retry": retry,
    }
    for name in HANDLERS:
        fields[name] = _handler(principal, name, getattr(data, name))
    return fields, cron, zone


def first_tick(cron: Cron, zone: ZoneInfo, paused_until: datetime | None) -> datetime | None:
    """The first tick from now on (after `paused_until` when that is later)."""
    start = timezone.now()
    if paused_until is not None and paused_until > start:
        start = paused_until
    return cron.next_after(start, zone)


def upcoming(cron: Cron, zone: ZoneInfo, count: int, after: datetime | None = None) -> list[datetime]:
    """The next `count` fire times after `after` (now), exactly as the scheduler computes them."""
    out: list[datetime] = []
    tick = after or timezone.now()
    while len(out) < count:
        nxt = cron.next_after(tick, zone)
        if nxt is None:
            break
        out.append(nxt)
        tick = nxt
    return out


@transaction.atomic
def schedule_create(*, principal: Principal, data: ScheduleData) -> Schedule:
    fields, cron, zone = schedule_clean(principal, data)
    fields["next_fire_at"] = first_tick(cron, zone, data.paused_until)
    try:
        with transaction.atomic():
            return Schedule.objects.create(
                workspace=principal.member.workspace, edited_by=principal.member.user, **fields
            )
    except IntegrityError:
        raise Conflict(f"a schedule '{data.path}' exists", {"field": "path"}) from None


@transaction.atomic
def schedule_update(*, principal: Principal, schedule: Schedule, data: ScheduleData) -> Schedule:
    """Replace the schedule. Its next tick is computed afresh from now: ticks that fell while it
    was paused or disabled are not 'missed', and a new cron starts clean."""
    if data.path != schedule.path:
        raise BadRequest("path cannot change (create a new schedule instead)", {"field": "path"})
    fields, cron, zone = schedule_clean(principal, data)
    locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
    timing = (locked.cron, locked.timezone, locked.enabled, locked.paused_until)
    if (fields["cron"], fields["timezone"], fields["enabled"], fields["paused_until"]) != timing:
        fields["next_fire_at"] = first_tick(cron, zone, data.paused_until)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.edited_by = principal.member.user
    locked.save()
    return locked


def schedule_enable(*, principal: Principal, schedule: Schedule, enabled: bool) -> Schedule:
    """One UPDATE (no read-then-write under a lock): a busy scheduler delays it by one of its
    short transactions at most. Enabling starts from now; the time it was off is not 'missed'."""
    fields: dict[str, Any] = {
        "enabled": enabled,
        "edited_by": principal.member.user,
        "updated_at": timezone.now(),
    }
    if enabled:
        cron = Cron.parse(schedule.cron)
        fields["next_fire_at"] = first_tick(cron, parse_timezone(schedule.timezone), schedule.paused_until)
    Schedule.objects.filter(pk=schedule.pk, enabled=not enabled).update(**fields)
    schedule.refresh_from_db()
    return schedule


def schedule_delete(*, schedule: Schedule) -> None:
    schedule.delete()  # its jobs stay (their `schedule` becomes null); its events go
