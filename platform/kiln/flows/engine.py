"""The flow engine's events: start a run, a step ended, a timer, an approval, a cancel.

Each event locks the flow's row, records what happened on its status, lets `Walk` drive the
run from the top (starting whatever may start now), stores the status and, when the run is
over, finishes the flow job, all in one transaction. A step's end is handled inside the
transaction that ends the step (`child_ended`, from kiln.jobs.services), by the worker that
ran it: no polling between steps, and no window where a step is over but its flow was not
told. Changes go to the flow job's Channels group (`flow.status`) after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from kiln import fastsql
from kiln.jobs.dispatch import slot_release
from kiln.jobs.models import TERMINAL, Job, JobKind, JobStatus
from kiln.jobs.services import job_log_publish
from kiln.kept import Kept

from .expressions import ExpressionError, evaluate
from .models import FlowVersion
from .steps import FLOW_TAG, cancel_jobs
from .walk import ACTIVE, SUCCESS, Outcome, Scope, Walk, iso

log = logging.getLogger(__name__)

FAILURE_KEY = "failure"  # the failure module's place in the status
# A timer this close gets a delayed Celery task of its own (a sleep ends on time); a later one
# (an approval's timeout) is left to the scheduler's pass, so workers hold no long-delayed tasks.
SHORT_TIMER = timedelta(seconds=120)


def _locked(job_id: Any) -> Job | None:
    """The flow run's row with its workspace, locked until the transaction ends (the run's row
    only, not the joined one): read at every step's end, so written once (kiln.fastsql)."""
    flow = fastsql.get(Job, {"pk": job_id, "kind": JobKind.FLOW}, related=("workspace",), for_update=True)
    if flow is not None and flow.flow_version_id is not None:
        flow.flow_version = flow_version_cached(flow.flow_version_id)
    return flow


# Flow versions are never updated: each worker process reads (and parses) one once, not at
# every step of every run (the spec's JSON was most of a step's advance; docs/performance.md).
_VERSIONS: Kept[int, FlowVersion] = Kept(256)


def flow_versions_forget() -> None:
    """Drop the kept versions (tests: a rolled-back database reuses their ids)."""
    _VERSIONS.clear()


def flow_version_cached(version_id: int) -> FlowVersion:
    version = _VERSIONS.get(version_id)
    if version is None:
        version = _VERSIONS.put(version_id, FlowVersion.objects.select_related("flow").get(pk=version_id))
    return version


def flow_start(job: Job) -> None:
    """A worker claimed a queued flow run: begin it. The flow job keeps `running` without a
    lease from here on (it holds no worker: its steps do), so the reaper leaves it alone."""
    with transaction.atomic():
        flow = _locked(job.pk)
        if flow is None or flow.status != JobStatus.RUNNING or flow.worker_id != job.worker_id:
            return
        if flow.attempt != job.attempt:
            return
        flow.flow_status = flow.flow_status or {"steps": {}}
        flow.flow_status["started_at"] = iso(timezone.now())
        flow.lease_expires_at = None
        skip = (flow.flow_version.value or {}).get("skip_expr")  # type: ignore[union-attr]
        if skip:
            try:
                if evaluate(skip, {"flow_input": flow.args}):
                    flow.flow_status["skipped"] = True
                    _save_and_finish(flow, Walk(flow), Outcome("done"))
                    return
            except ExpressionError as exc:
                _save_and_finish(
                    flow,
                    Walk(flow),
                    Outcome(
                        "failed",
                        error={
                            "name": "ExpressionError",
                            "message": str(exc),
                            "step_id": "",
                            "expr": exc.expr,
                        },
                    ),
                )
                return
        _advance(flow)


def child_ended(child: Job, outcome: dict[str, Any] | None = None) -> None:
    """Inside the transaction that ended `child` (a step of a flow): record its outcome on its
    flow's status and advance the flow. `outcome`: what that transaction wrote (else read)."""
    if child.parent_id is None:
        return
    flow = _locked(child.parent_id)
    if flow is None or flow.status in TERMINAL:
        return  # the flow was canceled (or crashed) meanwhile: nothing to advance
    row = outcome or Job.objects.values("status", "result", "error").get(pk=child.pk)
    node = (flow.flow_status or {}).get("steps", {}).get(child.flow_step)
    if node is None or node.get("job") != str(child.pk) or node["status"] not in ACTIVE:
        log.warning("flow %s: step %s ended but its node does not wait for it", flow.pk, child.flow_step)
        return
    node["outcome"] = {"status": row["status"], "result": row["result"], "error": row["error"]}
    _advance(flow)


def _advance(flow: Job) -> None:
    walk = Walk(flow)
    scope = Scope(flow_input=dict(flow.args or {}))
    status = walk.status
    if status.get("phase") == "failure":
        out = _failure_phase(walk, scope)
    else:
        out = walk.seq(walk.value.get("modules") or [], "", scope)
        failure_module = walk.value.get("failure_module")
        if out.kind == "failed" and failure_module:
            status["phase"] = "failure"
            status["error"] = out.error
            out = _failure_phase(walk, scope)
    _save_and_finish(flow, walk, out)


def _failure_phase(walk: Walk, scope: Scope) -> Outcome:
    error = walk.status.get("error") or {}
    shown = {
        "step_id": error.get("step_id", ""),
        "message": error.get("message", ""),
        "name": error.get("name", "Error"),
        "stack": error.get("traceback", ""),
    }
    module = {**walk.value["failure_module"], "id": walk.value["failure_module"].get("id") or FAILURE_KEY}
    inner = Scope(flow_input=scope.flow_input, extra={"error": shown})
    handled = walk.seq([module], "", inner)
    if handled.kind == "running":
        return handled
    return Outcome(
        "failed",
        error=walk.status["error"],
        result=handled.result if handled.kind == "done" else handled.error,
    )


def _save_and_finish(flow: Job, walk: Walk, out: Outcome) -> None:
    for prefix in walk.to_cancel:
        cancel_jobs(
            list(Job.objects.filter(parent=flow, flow_step__startswith=prefix).exclude(status__in=TERMINAL)),
            by=f"flow {flow.pk} (a sibling step failed)",
        )
    status = walk.status
    flow_id = str(flow.pk)
    messages: list[dict[str, Any]] = [{"type": "flow.status", "flow_status": _summary(status, walk.value)}]
    if walk.early_result is not None:
        messages.append({"type": "flow.early_return"})
    if out.kind == "running":
        timer = walk.next_timer()
        fastsql.update(
            Job,
            {"pk": flow.pk, "status": JobStatus.RUNNING},
            {"flow_status": status, "scheduled_for": timer, "lease_expires_at": None},
        )
        if timer is not None and timer != flow.scheduled_for and timer - timezone.now() <= SHORT_TIMER:
            transaction.on_commit(partial(_ring_timer, flow_id, timer))
        transaction.on_commit(partial(job_log_publish, flow_id, *messages))
        return
    final = {
        "done": JobStatus.SUCCESS,
        "stopped": JobStatus.SUCCESS,
        "failed": JobStatus.FAILURE,
        "canceled": JobStatus.CANCELED,
    }[out.kind]
    if out.kind == "stopped":
        status["stopped"] = True
        status["skipped"] = out.skipped
    status["finished_at"] = iso(timezone.now())
    error = out.error if final != JobStatus.SUCCESS else None
    if error is not None:
        error = {"name": "Error", "message": "", **error, "traceback": error.get("traceback", "")}
    changed = Job.objects.filter(pk=flow.pk, status=JobStatus.RUNNING).update(
        status=final,
        flow_status=status,
        result=out.result,
        error=error,
        finished_at=timezone.now(),
        lease_expires_at=None,
        scheduled_for=None,
    )
    if not changed:
        return
    slot_release(flow)
    messages.append({"type": "job.done", "status": str(final), "log_size": flow.log_size})
    transaction.on_commit(partial(job_log_publish, flow_id, *messages))
    if flow.parent_id is not None:  # a subflow: its own flow takes it from here
        flow.status = final
        child_ended(flow)


def status_view(status: dict[str, Any] | None, value: dict[str, Any]) -> dict[str, Any] | None:
    """A run's status as shown: the stored nodes, then each top-level step that has not
    started yet as `waiting` (a step inside a loop or branch appears once it starts)."""
    if status is None:
        return None
    steps = dict(status.get("steps") or {})
    for module in value.get("modules") or []:
        if module["id"] not in steps:
            steps[module["id"]] = {"id": module["id"], "type": module["value"]["type"], "status": "waiting"}
    return {**status, "steps": steps}


def _summary(status: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """What live viewers get: each node's status, job and timings (results stay in the row)."""
    status = status_view(status, value) or {}
    steps = {
        key: {
            k: v
            for k, v in node.items()
            if k in ("id", "type", "status", "job", "started_at", "finished_at", "branch", "approvals")
        }
        for key, node in status.get("steps", {}).items()
    }
    return {**{k: v for k, v in status.items() if k not in ("steps", "early_return")}, "steps": steps}


def flow_timers_due(*, limit: int = 200) -> int:
    """The scheduler's pass: advance flow runs whose sleep ended or whose approval timed out
    (each also rang its own delayed Celery task; this catches the ones that were lost)."""
    now = timezone.now()
    due = Job.objects.filter(kind=JobKind.FLOW, status=JobStatus.RUNNING, scheduled_for__lte=now)
    return sum(flow_timer_fire(job_id) for job_id in due.values_list("id", flat=True)[:limit])


def flow_timer_fire(job_id: Any) -> bool:
    with transaction.atomic():
        flow = _locked(job_id)
        if flow is None or flow.status != JobStatus.RUNNING or flow.scheduled_for is None:
            return False
        if flow.scheduled_for > timezone.now():
            return False
        _advance(flow)
    return True


def _ring_timer(job_id: str, when: datetime) -> None:
    from kiln.jobs.tasks import flow_timer

    delay = max((when - timezone.now()).total_seconds(), 0.0)
    try:
        flow_timer.apply_async(args=[job_id], countdown=delay + 0.05, queue=FLOW_TAG)
    except Exception:  # the scheduler's pass fires it instead
        log.warning("flow %s: could not publish its timer", job_id, exc_info=True)


def flow_approve(
    *, flow_id: str, key: str, approver: str, resume_id: str, payload: Any, approve: bool
) -> Job:
    """An approval (or a rejection) of suspended step `key` through its signed URL. The same
    URL counts once; a rejection cancels the run."""
    from kiln.errors import Conflict, NotFound

    with transaction.atomic():
        flow = _locked(flow_id)
        if flow is None:
            raise NotFound("flow run not found")
        node = (flow.flow_status or {}).get("steps", {}).get(key)
        if flow.status in TERMINAL or node is None or node["status"] != "suspended":
            raise Conflict(
                f"step '{key}' of this flow run is not waiting for an approval", {"status": flow.status}
            )
        if not approve:
            node["rejected"] = approver or resume_id
        elif all(a["resume_id"] != resume_id for a in node["approvals"]):
            node["approvals"].append(
                {"resume_id": resume_id, "approver": approver, "payload": payload, "at": iso(timezone.now())}
            )
        _advance(flow)
    flow.refresh_from_db()
    return flow


def flow_cancel(*, flow: Job, by: str) -> None:
    """Cancel a flow run: the run ends `canceled` at once (committed first, so a step that ends
    meanwhile finds it over), then its steps that have not ended are canceled."""
    from kiln.jobs.cancel import canceled_error

    with transaction.atomic():
        changed = Job.objects.filter(pk=flow.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
            status=JobStatus.CANCELED,
            finished_at=timezone.now(),
            canceled_by=by,
            error=canceled_error(by),
            lease_expires_at=None,
            scheduled_for=None,
        )
        if changed:
            slot_release(flow)
            transaction.on_commit(
                partial(job_log_publish, str(flow.pk), {"type": "job.done", "status": "canceled"})
            )
    if changed:
        flow_cancel_children(flow, by)
        if flow.parent_id is not None:
            with transaction.atomic():
                flow.refresh_from_db()
                child_ended(flow)


def flow_cancel_children(flow: Job, by: str) -> None:
    with transaction.atomic():
        cancel_jobs(list(Job.objects.filter(parent=flow).exclude(status__in=TERMINAL)), by)


def flow_restart(*, old: Job, step: str, user: Any) -> Job:
    """A new run of the same flow version and arguments that reuses the results of the
    top-level steps before `step` and runs from `step` on."""
    from kiln.errors import BadRequest

    from .runs import flow_job_create

    modules = [m["id"] for m in (old.flow_version.value.get("modules") or [])]  # type: ignore[union-attr]
    if step not in modules:
        raise BadRequest(
            f"'{step}' is not a top-level step of this flow", {"field": "step", "steps": modules}
        )
    before = modules[: modules.index(step)]
    old_steps = (old.flow_status or {}).get("steps", {})
    kept = {}
    for key, node in old_steps.items():
        top = key.split("/", 1)[0]
        if top in before:
            if old_steps[top]["status"] not in (SUCCESS, "skipped") and not old_steps[top].get("continued"):
                raise BadRequest(
                    f"step '{top}' did not succeed in that run: restart from it or earlier", {"field": "step"}
                )
            kept[key] = {**node, "reused": True}
    missing = [m for m in before if m not in old_steps]
    if missing:
        raise BadRequest(
            f"step '{missing[0]}' never ran in that run: restart from it or earlier", {"field": "step"}
        )
    return flow_job_create(
        workspace=old.workspace,
        user=user,
        version=old.flow_version,  # type: ignore[arg-type]
        args=old.args,
        trigger="rerun",
        rerun_of=old,
        status={"steps": kept, "restarted_from": step},
    )


def flow_crash(*, flow_id: Any, message: str) -> None:
    """The engine itself failed on this run (a bug, not the user's flow): end it `failure` with
    a platform error rather than leave it waiting for ever."""
    error = {"name": "PlatformError", "message": message, "traceback": ""}
    changed = Job.objects.filter(pk=flow_id, kind=JobKind.FLOW, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILURE, error=error, finished_at=timezone.now(), scheduled_for=None
    )
    if changed:
        done = {"type": "job.done", "status": "failure"}
        transaction.on_commit(partial(job_log_publish, str(flow_id), done))
