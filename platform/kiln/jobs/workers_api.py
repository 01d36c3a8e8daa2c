"""`GET /api/workers`: the instance's workers, their tags, slots and current jobs.

Any signed-in user may look (which tags are served, and how busy, is what a script author
needs to know why a job waits); the running jobs listed are those of the viewer's own
workspaces, the others only counted. An instance admin sees them all.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from .workers import WorkerView, tags_served, workers_list

router = Router(tags=["workers"])


class WorkerJobOut(Schema):
    id: str
    workspace: str
    path: str
    kind: str
    language: str
    started_at: datetime | None


class WorkerOut(Schema):
    id: str
    hostname: str
    tags: list[str]
    slots: int
    busy: int
    version: str
    started_at: datetime
    heartbeat_at: datetime
    alive: bool
    stopping: bool  # it got SIGTERM: takes no new job; its running ones finish or go back to the queue
    jobs: list[WorkerJobOut]
    hidden_jobs: int


class WorkersOut(Schema):
    workers: list[WorkerOut]
    heartbeat_seconds: int
    configured_tags: list[str]
    unserved_tags: list[str]


def worker_out(view: WorkerView) -> WorkerOut:
    worker = view.worker
    return WorkerOut(
        id=worker.id,
        hostname=worker.hostname,
        tags=list(worker.tags or []),
        slots=worker.concurrency,
        busy=view.busy,
        version=worker.version,
        started_at=worker.started_at,
        heartbeat_at=worker.heartbeat_at,
        alive=view.alive,
        stopping=worker.stopping_at is not None,
        jobs=[
            WorkerJobOut(
                id=str(job.id),
                workspace=job.workspace_id,
                path=job.script_path,
                kind=job.kind,
                language=job.language,
                started_at=job.started_at,
            )
            for job in view.jobs
        ],
        hidden_jobs=view.hidden,
    )


@router.get("", response=WorkersOut, summary="Workers: tags, busy and free slots, current jobs, last beat")
def workers(
    request: HttpRequest,
    include_gone: bool = Query(False, description="Also workers that stopped beating (kept for a day)"),
) -> WorkersOut:
    views = workers_list(user=request.auth, include_gone=include_gone)  # type: ignore[attr-defined]
    served = tags_served()
    configured = list(settings.KILN_WORKER_TAGS)
    return WorkersOut(
        workers=[worker_out(view) for view in views],
        heartbeat_seconds=settings.KILN_WORKER_HEARTBEAT_SECONDS,
        configured_tags=configured,
        unserved_tags=[tag for tag in configured if not served.get(tag)],
    )
