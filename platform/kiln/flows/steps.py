"""A flow's steps as child jobs: inline scripts, saved scripts and subflows; the step cache.

Every child job is created inside the transaction that advances its flow (the parent row is
locked), and published after commit. `(parent, flow_step)` is unique, so a step exists once
however often a flow is advanced.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from kiln import fastsql
from kiln.accounts.access import Access, path_access, principal_for_job
from kiln.errors import NotFound
from kiln.jobs.limits import effective, workspace_maximums
from kiln.jobs.models import Job, JobKind, JobStatus, Trigger
from kiln.jobs.services import claimed_at_creation, ring_after_commit
from kiln.scripts import selectors as script_selectors
from kiln.scripts.models import ScriptVersion
from kiln.scripts.run_settings import workspace_settings
from scripts_runtime import registry

from .models import FlowVersion, StepCache
from .selectors import latest_version

FLOW_TAG = "flow"  # the queue flow runs wait on until a worker starts them


class StepError(Exception):
    """A step that cannot be started (its script is gone, the flow's owner may not run it)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name, self.message = name, message


def inline_hash(language: str, content: str) -> str:
    return hashlib.sha256(f"{language}\0{content}".encode()).hexdigest()[:16]


def resolve_script(flow_job: Job, value: dict[str, Any]) -> ScriptVersion:
    """The version a `script` step runs: its pinned hash or its path's latest, if the flow's
    owner may run it (checked when the step starts: access can change after a flow is saved)."""
    ws = flow_job.workspace
    try:
        if value.get("hash"):
            version = script_selectors.version_by_hash(workspace=ws, hash=value["hash"])
        else:
            version = script_selectors.version_by_path(workspace=ws, path=value["path"])
    except NotFound as exc:
        raise StepError("ScriptNotFound", str(exc)) from None
    owner = principal_for_job(
        workspace_id=ws.id, run_as=flow_job.run_as, run_as_user_id=flow_job.run_as_user_id
    )
    if path_access(owner, version.script.path) < Access.VIEW:
        raise StepError(
            "Forbidden", f"the flow runs as {flow_job.run_as}, who may not run script '{version.script.path}'"
        )
    return version


def resolve_flow(flow_job: Job, value: dict[str, Any]) -> FlowVersion:
    version = latest_version(workspace=flow_job.workspace_id, path=value["path"])
    if version is None:
        raise StepError("FlowNotFound", f"flow '{value['path']}' not found")
    owner = principal_for_job(
        workspace_id=flow_job.workspace_id, run_as=flow_job.run_as, run_as_user_id=flow_job.run_as_user_id
    )
    if path_access(owner, value["path"]) < Access.VIEW:
        raise StepError(
            "Forbidden", f"the flow runs as {flow_job.run_as}, who may not run flow '{value['path']}'"
        )
    return version


def step_job_create(
    *, flow_job: Job, key: str, module: dict[str, Any], args: dict[str, Any], cache_key: str = ""
) -> Job:
    """The child job of step `key`: created and, after commit, published to its tag."""
    value = module["value"]
    kind = value["type"]
    ws = flow_job.workspace
    ws_conf = workspace_settings(ws.settings)
    maximums = workspace_maximums(ws_conf.max_limits.model_dump())
    fields: dict[str, Any] = {"network": ws_conf.default_network}
    requested: dict[str, Any] = {}
    root = flow_job.root or flow_job
    if kind == "rawscript":
        language = registry.canonical(value["language"])
        fields |= {
            "kind": JobKind.INLINE,
            "language": language,
            "raw_code": value["content"],
            "raw_hash": inline_hash(language, value["content"]),
            "queue": value.get("tag") or registry.get(language).tag,
            "script_path": f"{root.script_path}/{module['id']}",
        }
    elif kind == "script":
        version = resolve_script(flow_job, value)
        conf = version.script.settings or {}
        requested = dict(conf.get("limits") or {})
        fields |= {
            "kind": JobKind.SCRIPT,
            "script_version": version,
            "language": version.language,
            "queue": value.get("tag_override") or conf.get("tag") or registry.get(version.language).tag,
            "script_path": version.script.path,
            "network": conf.get("network") or ws_conf.default_network,
            "priority": int(conf.get("priority") or 0),
        }
    else:  # a subflow: a flow job of its own, started by a worker like any flow run
        flow_version = resolve_flow(flow_job, value)
        fields |= {
            "kind": JobKind.FLOW,
            "flow_version": flow_version,
            "language": "flow",
            "queue": FLOW_TAG,
            "script_path": flow_version.flow.path,
        }
    if module.get("timeout"):
        requested["timeout_s"] = int(module["timeout"])
    if kind != "flow":  # the worker ending the last step may run this one next, claimed already
        fields |= claimed_at_creation(queue=fields["queue"])
    limits, _ = effective(requested or None, maximums)
    job = Job(
        id=uuid.uuid4(),
        workspace=ws,
        args=args,
        created_by_id=flow_job.created_by_id,
        run_as=flow_job.run_as,
        run_as_user_id=flow_job.run_as_user_id,
        timeout_s=limits.timeout_s,
        limits=limits.as_dict(),
        retry=module.get("retry") or None,
        trigger=Trigger.FLOW,
        parent=flow_job,
        root=root,
        flow_step=key,
        **fields,
    )
    fastsql.insert(job)  # Job.objects.create(), with its statement written once
    ring_after_commit(job)
    return job


def cache_key(flow_job: Job, module: dict[str, Any], args: dict[str, Any]) -> str:
    """What identifies a cacheable step's work: what it runs and with which arguments."""
    value = module["value"]
    if value["type"] == "rawscript":
        what = "inline:" + inline_hash(registry.canonical(value["language"]), value["content"])
    else:
        what = f"{value['type']}:{value.get('hash') or value.get('path')}"
    data = json.dumps([what, args], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def cache_get(flow_job: Job, key: str) -> tuple[bool, Any]:
    """(True, result) for a live cached result (a cached None is a hit too), else (False, None)."""
    hits = list(
        StepCache.objects.filter(
            workspace_id=flow_job.workspace_id, key=key, expires_at__gt=timezone.now()
        ).values_list("result", flat=True)[:1]
    )
    return (True, hits[0]) if hits else (False, None)


def cache_put(flow_job: Job, key: str, result: Any, ttl_s: int) -> None:
    StepCache.objects.update_or_create(
        workspace_id=flow_job.workspace_id,
        key=key,
        defaults={"result": result, "expires_at": timezone.now() + timedelta(seconds=ttl_s)},
    )


def cancel_jobs(jobs: list[Job], by: str) -> None:
    """Cancel child jobs that have not ended: queued ones at once, running ones through their
    runner (within about a second); subflows recursively (kiln.flows.engine.flow_cancel)."""
    from kiln.jobs.cancel import canceled_error

    now = timezone.now()
    for job in jobs:
        if job.kind == JobKind.FLOW:
            from .engine import flow_cancel_children

            Job.objects.filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
                status=JobStatus.CANCELED, finished_at=now, error=canceled_error(by), lease_expires_at=None
            )
            flow_cancel_children(job, by)
            continue
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELED, finished_at=now, canceled_by=by, error=canceled_error(by)
        )
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, cancel_requested_at__isnull=True).update(
            cancel_requested_at=now, canceled_by=by
        )
