"""Reads for jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from kiln.accounts.models import Workspace
from kiln.errors import NotFound

from .models import TERMINAL, Job, JobLogChunk


def job_get(*, workspace: Workspace, job_id: str) -> Job:
    try:
        uuid.UUID(job_id)
    except ValueError:
        raise NotFound(f"job '{job_id}' not found") from None
    job = (
        Job.objects.select_related("created_by", "script_version")
        .filter(workspace=workspace, pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound(f"job '{job_id}' not found")
    return job


def job_list(*, workspace: Workspace, limit: int = 50) -> QuerySet[Job]:
    return (
        Job.objects.filter(workspace=workspace)
        .select_related("created_by", "script_version")
        .order_by("-created_at")[: max(1, min(limit, 500))]
    )


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
