"""Reads for jobs."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from kiln.accounts.access import Access, Principal, path_access, visible_paths
from kiln.accounts.models import Role, Workspace
from kiln.errors import BadRequest, NotFound

from .models import TERMINAL, Job, JobLogChunk, JobStatus, Trigger


def may_view_job(principal: Principal, job: Job) -> bool:
    """A job is seen by whoever may view its script's path, and by whoever started it
    (operators: only the jobs they started)."""
    if principal.user_id is not None and job.created_by_id == principal.user_id:
        return True
    return principal.role != Role.OPERATOR and path_access(principal, job.script_path) >= Access.VIEW


def visible_jobs(principal: Principal) -> Q:
    if principal.is_admin:
        return Q()
    if principal.role == Role.OPERATOR:
        return Q(created_by_id=principal.user_id)
    return visible_paths(principal, "script_path") | Q(created_by_id=principal.user_id)


def job_get(*, workspace: Workspace, job_id: str, principal: Principal | None = None) -> Job:
    """The job, or 404 if it is not in the workspace (or `principal` may not see it)."""
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise NotFound(f"job '{job_id}' not found") from None
    job = (
        Job.objects.select_related("created_by", "script_version", "flow_version")
        .filter(workspace=workspace, pk=job_id)
        .first()
    )
    if job is None or (principal is not None and not may_view_job(principal, job)):
        raise NotFound(f"job '{job_id}' not found")
    return job


@dataclass(frozen=True)
class JobFilters:
    statuses: list[str] | None = None
    path: str | None = None  # exact script path
    path_prefix: str | None = None  # e.g. "f/billing/"
    trigger: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    schedule_id: int | None = None
    parent: uuid.UUID | None = None  # a flow run's steps
    include_steps: bool = False  # flow steps too (by default only top-level runs)


def _cursor_encode(job: Job) -> str:
    return base64.urlsafe_b64encode(f"{job.created_at.isoformat()}|{job.pk}".encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, job_id = raw.split("|")
        return datetime.fromisoformat(created), uuid.UUID(job_id)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(
            "invalid cursor (use next_cursor from the previous page)", {"field": "cursor"}
        ) from None


def job_list(
    *,
    workspace: Workspace,
    filters: JobFilters | None = None,
    cursor: str | None = None,
    limit: int = 50,
    principal: Principal | None = None,
) -> tuple[list[Job], str | None]:
    """One page of jobs, newest first, and the cursor of the next page (None: no more).

    Keyset pagination on (created_at, id): a page costs the same wherever it is, and
    jobs created meanwhile never shift or repeat rows."""
    f = filters or JobFilters()
    limit = max(1, min(limit, 500))
    jobs = Job.objects.filter(workspace=workspace)
    if principal is not None:
        jobs = jobs.filter(visible_jobs(principal))
    if f.statuses:
        unknown = sorted(set(f.statuses) - set(JobStatus.values))
        if unknown:
            raise BadRequest(
                f"unknown status '{unknown[0]}'", {"field": "status", "expected": sorted(JobStatus.values)}
            )
        jobs = jobs.filter(status__in=f.statuses)
    if f.schedule_id is not None:
        jobs = jobs.filter(schedule_id=f.schedule_id)
    if f.parent:
        jobs = jobs.filter(parent_id=f.parent)
    elif not f.include_steps:
        jobs = jobs.filter(parent__isnull=True)
    if f.path:
        jobs = jobs.filter(script_path=f.path)
    if f.path_prefix:
        jobs = jobs.filter(script_path__startswith=f.path_prefix)
    if f.trigger:
        if f.trigger not in Trigger.values:
            raise BadRequest(
                f"unknown trigger '{f.trigger}'", {"field": "trigger", "expected": sorted(Trigger.values)}
            )
        jobs = jobs.filter(trigger=f.trigger)
    if f.tag:
        jobs = jobs.filter(queue=f.tag)
    if f.created_after:
        jobs = jobs.filter(created_at__gte=f.created_after)
    if f.created_before:
        jobs = jobs.filter(created_at__lt=f.created_before)
    if cursor:
        created, job_id = _cursor_decode(cursor)
        jobs = jobs.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=job_id))
    page = list(
        jobs.select_related("created_by", "script_version", "flow_version").order_by("-created_at", "-id")[
            : limit + 1
        ]
    )
    more = len(page) > limit
    page = page[:limit]
    return page, (_cursor_encode(page[-1]) if more and page else None)


def running_per_key(jobs: list[Job]) -> dict[str, int]:
    """Running jobs per concurrency key of the waiting jobs among `jobs`: one query for a page."""
    keys = {j.concurrency_key for j in jobs if j.status == JobStatus.QUEUED and j.concurrency_key}
    if not keys:
        return {}
    rows = (
        Job.objects.filter(concurrency_key__in=keys, status=JobStatus.RUNNING)
        .values_list("concurrency_key")
        .annotate(n=Count("id"))
    )
    return {key: n for key, n in rows}


def waiting_reason(job: Job, served_tags: set[str], running: dict[str, int] | None = None) -> str | None:
    """Why a queued job is not running yet, in words (None when it is not queued or simply next).
    `running`: running jobs per concurrency key (running_per_key), else counted here."""
    if job.status != JobStatus.QUEUED:
        return None
    if job.scheduled_for is not None and job.scheduled_for > timezone.now():
        return f"retry {job.retries} of the job is scheduled for {job.scheduled_for.isoformat()}"
    if job.queue not in served_tags:
        return f"no live worker serves the tag '{job.queue}': the job waits until one does"
    if job.concurrency_key and job.published_at is None:
        busy = (running if running is not None else running_per_key([job])).get(job.concurrency_key, 0)
        return (
            f"waiting for a concurrency slot: {busy} of {job.concurrency_limit} running "
            f"with key '{job.concurrency_key}'"
        )
    return None


def job_logs(*, job: Job) -> str:
    return "".join(job.log_chunks.order_by("offset").values_list("data", flat=True))


@dataclass(frozen=True)
class LogSlice:
    """A job's log from one byte offset, read after its status so that a finished job's slice is whole."""

    offset: int  # where the first piece starts: the asked offset, or the next character after it
    pieces: list[tuple[int, str]]  # (byte offset, text), contiguous, in order
    next: int  # the offset to ask for next
    status: str
    log_size: int

    @property
    def data(self) -> str:
        return "".join(text for _, text in self.pieces)

    @property
    def done(self) -> bool:
        """The job is over and nothing after `next` will ever be written."""
        return self.status in TERMINAL and self.next >= self.log_size


def job_log_since(*, job_id: str, offset: int, max_bytes: int | None = None) -> LogSlice:
    """The log from byte `offset` on, as stored chunks with the first one trimmed to start there.

    Chunks are whole strings while offsets count UTF-8 bytes: an offset inside a
    character moves to the next character. `max_bytes` stops after the chunk that
    reaches it (whole chunks, so at least one when there is any).
    """
    # Status first: the last chunk commits with the final status, so a terminal
    # status read before the chunks guarantees they are all there.
    status, log_size = Job.objects.values_list("status", "log_size").get(pk=job_id)
    chunks = JobLogChunk.objects.filter(job_id=job_id)
    # The chunk holding `offset` and every one after it; (job, offset) is unique, so indexed.
    first = chunks.filter(offset__lte=offset).order_by("-offset").values_list("offset", flat=True).first()
    pieces: list[tuple[int, str]] = []
    start = position = offset
    size = 0
    rows = chunks.filter(offset__gte=first or 0).order_by("offset").values_list("offset", "data")
    for chunk_offset, text in rows.iterator(chunk_size=100):
        raw = text.encode()
        end = chunk_offset + len(raw)
        if end <= position:
            continue
        if chunk_offset < position:  # the chunk holding `offset`: cut it at a whole character
            cut = position - chunk_offset
            while cut < len(raw) and raw[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte
                cut += 1
            chunk_offset, text = chunk_offset + cut, raw[cut:].decode()
            start = chunk_offset
        position = end
        if not text:
            continue
        pieces.append((chunk_offset, text))
        size += end - chunk_offset
        if max_bytes is not None and size >= max_bytes:
            break
    return LogSlice(offset=start, pieces=pieces, next=max(position, offset), status=status, log_size=log_size)
