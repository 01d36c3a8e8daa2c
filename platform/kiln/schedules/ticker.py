"""The scheduler's tick loop: turn due ticks into jobs, each exactly once, and count how they end.

Any number of `kiln scheduler` copies may run this at once. A pass takes the due schedules
in short transactions of a few schedules each (on PostgreSQL with `SKIP LOCKED`, so copies
share the work instead of queueing on it) and, per schedule, moves `next_fire_at` with a
compare-and-set: only the copy whose update changed the row makes the tick's jobs. The job row's unique key
`(schedule, schedule_tick)` is the last word: even a copy that somehow got past the
compare-and-set cannot make a second job for a tick.

Ticks older than the grace (KILN_SCHEDULE_GRACE_SECONDS, 30 s) when a scheduler sees them
were *missed* (every scheduler was down): the schedule's catch-up policy decides. Ticks
within the grace run, late as they are.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from kiln.accounts.access import Access, Principal, path_access
from kiln.accounts.models import Membership
from kiln.errors import KilnError
from kiln.jobs.models import TERMINAL, Job, JobStatus, Trigger
from kiln.jobs.services import job_create
from kiln.operations import counters
from kiln.scripts.selectors import version_by_path

from .cron import Cron, CronError, parse_timezone
from .models import CatchUp, EventKind, Schedule, ScheduleEvent

log = logging.getLogger(__name__)
MAX_ENUMERATED = 10_000  # missed ticks counted one by one; past it, the count is a lower bound
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class Plan:
    run: list[datetime]
    missed_skipped: list[datetime]
    next_fire_at: datetime | None
    more_missed: bool  # the enumeration stopped at MAX_ENUMERATED


def plan_ticks(schedule: Schedule, cron: Cron, now: datetime) -> Plan:
    """Which overdue ticks of `schedule` run now, which are skipped as missed, and the next one."""
    zone = parse_timezone(schedule.timezone)
    grace = timedelta(seconds=settings.KILN_SCHEDULE_GRACE_SECONDS)
    overdue: list[datetime] = []
    tick = schedule.next_fire_at
    while tick is not None and tick <= now and len(overdue) < MAX_ENUMERATED:
        overdue.append(tick)
        tick = cron.next_after(tick, zone)
    more = tick is not None and tick <= now
    next_fire_at = cron.next_after(now, zone) if more else tick
    on_time = [t for t in overdue if now - t <= grace]
    missed = [t for t in overdue if now - t > grace]
    if schedule.catch_up == CatchUp.LATEST:
        kept = missed[-1:]
    elif schedule.catch_up == CatchUp.ALL:
        kept = missed[-schedule.catch_up_max :]
    else:
        kept = []
    skipped = missed[: len(missed) - len(kept)]
    return Plan(run=kept + on_time, missed_skipped=skipped, next_fire_at=next_fire_at, more_missed=more)


def _event(schedule: Schedule, kind: str, tick: datetime | None, count: int = 1, **detail: Any) -> None:
    ScheduleEvent.objects.create(schedule=schedule, kind=kind, tick_at=tick, count=count, detail=detail)


def _author(schedule: Schedule) -> Principal | None:
    membership = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=schedule.workspace_id, user_id=schedule.edited_by_id)
        .first()
    )
    return Principal.of_member(membership) if membership is not None else None


def start_job(
    schedule: Schedule,
    *,
    path: str,
    args: dict[str, Any],
    tick: datetime | None,
    retry: dict[str, Any] | None = None,
) -> Job:
    """A job of the schedule, as its author: refused (KilnError) if they may no longer run `path`."""
    principal = _author(schedule)
    if principal is None:
        raise KilnError(f"{schedule.edited_by} is no longer a member of the workspace")
    if path_access(principal, path) < Access.VIEW:
        raise KilnError(f"script '{path}' not found, or {principal.label} may no longer run it")
    if tick is not None and schedule.is_flow and path == schedule.script_path:
        return _start_flow(schedule, principal, args=args, tick=tick)
    version = version_by_path(workspace=principal.member.workspace, path=path)
    return job_create(
        workspace=principal.member.workspace,
        user=principal.member.user,
        version=version,
        args=args,
        trigger=Trigger.SCHEDULE,
        schedule=schedule,
        schedule_tick=tick,
        retry=retry,
    )


def _start_flow(schedule: Schedule, principal: Principal, *, args: dict[str, Any], tick: datetime) -> Job:
    from kiln.flows.runs import flow_job_create
    from kiln.flows.selectors import latest_version

    version = latest_version(workspace=schedule.workspace_id, path=schedule.script_path)
    if version is None:
        raise KilnError(f"flow '{schedule.script_path}' not found")
    return flow_job_create(
        workspace=principal.member.workspace,
        user=principal.member.user,
        version=version,
        args=args,
        trigger=Trigger.SCHEDULE,
        schedule=schedule,
        schedule_tick=tick,
    )


def _fire(schedule: Schedule, now: datetime) -> int:
    """Take the schedule's overdue ticks (if this copy wins them) and make their jobs."""
    try:
        cron = Cron.parse(schedule.cron)
        plan = plan_ticks(schedule, cron, now)
    except CronError as exc:  # stored before a stricter parser: stop it rather than loop on it
        Schedule.objects.filter(pk=schedule.pk).update(enabled=False)
        _event(schedule, EventKind.NOT_STARTED, schedule.next_fire_at, reason=f"disabled: cron: {exc}")
        return 0
    won = Schedule.objects.filter(pk=schedule.pk, enabled=True, next_fire_at=schedule.next_fire_at).update(
        next_fire_at=plan.next_fire_at
    )
    if not won:
        return 0  # another scheduler took these ticks, or the schedule changed meanwhile
    if plan.missed_skipped:
        count = len(plan.missed_skipped)
        _event(
            schedule,
            EventKind.SKIPPED_MISSED,
            plan.missed_skipped[0],
            count=count,
            last=plan.missed_skipped[-1].isoformat(),
            more=plan.more_missed,
            policy=schedule.catch_up,
        )
    made = 0
    for tick in plan.run:
        if schedule.no_overlap:
            active = Job.objects.filter(schedule=schedule, schedule_tick__isnull=False, status__in=ACTIVE)
            running = active.values_list("id", flat=True).first()
            if running is not None:
                _event(schedule, EventKind.SKIPPED_OVERLAP, tick, job_id=str(running))
                continue
        try:
            with transaction.atomic():
                start_job(
                    schedule, path=schedule.script_path, args=schedule.args, tick=tick, retry=schedule.retry
                )
            made += 1
            lag = (timezone.now() - tick).total_seconds()
            transaction.on_commit(partial(counters.tick_made, lag_seconds=lag))  # the chunk's commit
        except IntegrityError:
            continue  # the tick's job exists: another copy made it
        except KilnError as exc:
            _event(schedule, EventKind.NOT_STARTED, tick, reason=exc.message)
    return made


def tick_due(*, now: datetime | None = None, limit: int = 500, chunk: int = 20) -> int:
    """One pass: every schedule whose next tick is due. Returns the number of jobs made.

    Schedules are taken `chunk` at a time, each chunk in a short transaction, so a row is never
    locked for long: an API request changing a schedule waits for one chunk at most, not for
    a whole pass (which, with hundreds of every-second schedules, never ends)."""
    now = now or timezone.now()
    due = list(
        Schedule.objects.filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    made = 0
    for start in range(0, len(due), chunk):
        with transaction.atomic():
            batch = Schedule.objects.filter(
                pk__in=due[start : start + chunk], enabled=True, next_fire_at__lte=now
            ).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                batch = batch.select_for_update(skip_locked=True, of=("self",))
            for schedule in list(batch):
                made += _fire(schedule, now)
    return made


# --- how runs end ----------------------------------------------------------------------------


def _handler_args(handler: dict[str, Any], known: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The handler's own args, plus what Kiln knows that its main declares (it may take any of
    `schedule`, `path`, `job_id`, `error`, `result`, `failed_times`, `scheduled_for`)."""
    declared = set((schema.get("properties") or {}).keys())
    allow_all = schema.get("additionalProperties", True) is not False and not declared
    return {**{k: v for k, v in known.items() if allow_all or k in declared}, **handler.get("args", {})}


def _run_handler(schedule: Schedule, name: str, known: dict[str, Any]) -> None:
    handler = getattr(schedule, name)
    if not handler:
        return
    try:
        version = version_by_path(workspace=schedule.workspace, path=handler["path"])
        with transaction.atomic():
            job = start_job(
                schedule, path=handler["path"], args=_handler_args(handler, known, version.schema), tick=None
            )
        _event(schedule, EventKind.HANDLER, known.get("scheduled_for"), handler=name, job_id=str(job.id))
    except KilnError as exc:
        _event(schedule, EventKind.NOT_STARTED, None, handler=name, reason=exc.message)


def _account(job: Job) -> None:
    """Count one ended run of its schedule: failure streaks, and the handlers they call for."""
    if job.schedule_id is None:
        return  # the schedule was deleted after the run ended
    schedule = Schedule.objects.select_for_update().filter(pk=job.schedule_id).first()
    if schedule is None:
        return
    known: dict[str, Any] = {
        "schedule": schedule.path,
        "path": job.script_path,
        "job_id": str(job.id),
        "scheduled_for": job.schedule_tick.isoformat() if job.schedule_tick else None,
    }
    if job.status == JobStatus.SUCCESS:
        recovered = schedule.failure_handled
        failed_times = schedule.failures
        schedule.failures, schedule.failure_handled = 0, False
        schedule.save(update_fields=["failures", "failure_handled"])
        known["result"] = job.result
        if recovered:
            _run_handler(schedule, "on_recovery", {**known, "failed_times": failed_times})
        _run_handler(schedule, "on_success", known)
        return
    if job.status == JobStatus.CANCELED:
        return  # a person stopped it: neither a failure nor a success
    schedule.failures += 1
    known |= {"error": job.error or {"name": job.status, "message": f"the job ended {job.status}"}}
    known["failed_times"] = schedule.failures
    times = (schedule.on_failure or {}).get("times", 1)
    fire = schedule.on_failure is not None and not schedule.failure_handled and schedule.failures >= times
    if fire:
        schedule.failure_handled = True
    schedule.save(update_fields=["failures", "failure_handled"])
    if fire:
        _run_handler(schedule, "on_failure", known)


def account_ended(*, limit: int = 200) -> int:
    """Count the schedule runs that ended since the last pass, oldest first, each once (a
    compare-and-set on `schedule_handled`, so several schedulers never count one twice)."""
    ended = (
        Job.objects.filter(schedule_tick__isnull=False, schedule_handled=False, status__in=TERMINAL)
        .order_by("finished_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counted = 0
    for job_id in list(ended):
        with transaction.atomic():
            if not Job.objects.filter(pk=job_id, schedule_handled=False).update(schedule_handled=True):
                continue
            _account(Job.objects.get(pk=job_id))
            counted += 1
    return counted


# --- the loop --------------------------------------------------------------------------------


def next_wake(now: datetime, cap: float) -> float:
    """Seconds until the earliest tick of any schedule, at most `cap` (new schedules show up)."""
    soonest = (
        Schedule.objects.filter(enabled=True, next_fire_at__isnull=False)
        .order_by("next_fire_at")
        .values_list("next_fire_at", flat=True)
        .first()
    )
    if soonest is None:
        return cap
    return max(0.0, min(cap, (soonest - now).total_seconds()))


def run_ticks(stop: threading.Event, *, cap: float = 1.0) -> None:
    """The tick thread of `kiln scheduler`: wakes at the next tick (or every `cap` seconds)."""
    log.info("schedule ticks started")
    while not stop.is_set():
        wait = cap
        try:
            tick_due()
            account_ended()
            wait = next_wake(timezone.now(), cap)
        except Exception:  # the database restarting: the next pass retries
            log.exception("schedule pass failed")
        finally:
            close_old_connections()
        stop.wait(wait + 0.002)  # a timer may wake a hair early: land just after the tick
    log.info("schedule ticks stopped")
