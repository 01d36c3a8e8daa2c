"""Writes for jobs: create (and publish after commit), and the compare-and-set transitions."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from kiln import fastsql
from kiln.accounts.models import Group, User, Workspace
from kiln.errors import BadRequest, Conflict
from kiln.jobs.limits import effective, workspace_maximums
from kiln.kept import Kept
from kiln.loops import ProcessLoop
from kiln.operations import counters
from kiln.scripts.models import ScriptVersion
from kiln.scripts.run_settings import concurrency_key, workspace_settings
from kiln.vault.references import is_reference
from scripts_runtime import registry

if TYPE_CHECKING:
    from kiln.schedules.models import Schedule

from . import backlog, doorbell, wakeups
from .dispatch import dispatch_after_commit, slot_acquire, slot_release
from .leases import lease_duration
from .models import IDEMPOTENCY_WINDOW, ConcurrencySlot, IdempotencyKey, Job, JobLogChunk, JobStatus, Trigger

log = logging.getLogger(__name__)

# A stuck Redis must not stall the job's log flushing: live viewers are a courtesy.
PUBLISH_TIMEOUT_S = 2.0


def validate_args(schema: dict[str, Any], args: Any) -> None:
    """400 naming the offending field when the arguments do not fit the script's schema."""
    if not isinstance(args, dict):
        raise BadRequest("arguments must be a JSON object", {"field": None})
    # A `$var:` / `$res:` string stands for the value it will be when the job starts.
    errors = [e for e in Draft202012Validator(schema).iter_errors(args) if not is_reference(e.instance)]
    if not errors:
        return
    error = best_match(errors)
    if error.validator == "required":
        field = error.message.split("'")[1] if "'" in error.message else None
        message = f"missing required argument '{field}'"
    elif error.validator == "additionalProperties":
        extra = sorted(set(args) - set(schema.get("properties", {})))
        field = extra[0] if extra else None
        message = f"unknown argument '{field}'"
    else:
        field = ".".join(str(p) for p in error.absolute_path) or None
        message = f"invalid argument '{field}': {error.message}"
    raise BadRequest(message, {"field": field, "errors": [e.message for e in errors[:10]]})


def job_create(
    *,
    workspace: Workspace,
    user: User,
    version: ScriptVersion,
    args: Any,
    trigger: str = Trigger.MANUAL,
    rerun_of: Job | None = None,
    schedule: Schedule | None = None,
    schedule_tick: datetime | None = None,
    retry: dict[str, Any] | None = None,
) -> Job:
    """Commit a queued Job, then (after commit) ring the worker's doorbell.

    The script's settings are copied onto the job (limits capped by the workspace's
    maximums, network, retry, tag, priority, concurrency), so editing them later never
    changes a job that was already accepted. A concurrency-limited job waits (not rung)
    until its key has a free slot.
    """
    validate_args(version.schema, args)
    conf = version.script.settings or {}
    run_as = conf.get("run_as") or ""
    if run_as and not Group.objects.filter(workspace=workspace, name=run_as[2:]).exists():
        raise Conflict(
            f"script '{version.script.path}' runs as {run_as}, which no longer exists: change its run_as",
            {"run_as": run_as},
        )
    ws_conf = workspace_settings(workspace.settings)
    limits, notes = effective(conf.get("limits"), workspace_maximums(ws_conf.max_limits.model_dump()))
    concurrency = conf.get("concurrency") or None
    key = ""
    if concurrency:
        key = concurrency_key(
            workspace_id=workspace.id, path=version.script.path, template=concurrency.get("key"), args=args
        )
    with transaction.atomic():
        job = fastsql.insert(
            Job(
                id=uuid.uuid4(),
                workspace=workspace,
                script_version=version,
                script_path=version.script.path,
                language=version.language,
                queue=conf.get("tag") or registry.get(version.language).tag,
                args=args,
                created_by=user,
                run_as=run_as or f"u/{version.created_by.username}",
                run_as_user=None if run_as else version.created_by,
                timeout_s=limits.timeout_s,
                limits=limits.as_dict(),
                network=conf.get("network") or ws_conf.default_network,
                retry=retry or conf.get("retry") or None,  # a schedule's retry policy wins over the script's
                priority=int(conf.get("priority") or 0),
                concurrency_key=key,
                concurrency_limit=concurrency["limit"] if concurrency else None,
                # A limited job waits un-rung until its key has a free slot; any other is rung at once.
                published_at=None if concurrency else timezone.now(),
                trigger=trigger,
                rerun_of=rerun_of,
                schedule=schedule,
                schedule_tick=schedule_tick,
            )
        )
        if notes:
            text = "".join(f"[kiln] {note}\n" for note in notes)
            JobLogChunk.objects.create(job=job, offset=0, data=text)
            job.log_size = len(text.encode())
            Job.objects.filter(pk=job.pk).update(log_size=job.log_size)
        ring_after_commit(job)
    return job


def ring_after_commit(job: Job) -> None:
    """Inside the transaction that created `job`: ring its doorbell once it commits (a
    concurrency-limited job waits, un-rung, until its key has a free slot). A job created
    already claimed by this worker (claimed_at_creation) is its runner's next job instead."""
    held = _held.get()
    if held is not None and job.status == JobStatus.RUNNING and job.worker_id == held.worker_id:
        transaction.on_commit(lambda: setattr(held, "claimed", job))
        return
    if job.concurrency_key:
        dispatch_after_commit(job)
        return
    job_id, queue, priority = str(job.id), job.queue, job.priority
    transaction.on_commit(lambda: job_publish(job_id=job_id, queue=queue, priority=priority, counted=True))


@dataclass
class Held:
    """Doorbells held while JobRunner finishes a job in a Celery task: the runner takes one job
    this worker serves (a flow's next step) itself, at once, and rings the rest (see
    kiln.jobs.tasks.run_job). With `worker_id`, the first such step is created already claimed
    by this worker (claimed_at_creation): no claim of its own, the step's end and the next
    step's start are one transaction."""

    publishes: list[tuple[str, str, int]] = field(default_factory=list)
    worker_id: str | None = None
    served: frozenset[str] = frozenset()
    claiming: bool = False  # a job was created claimed in this transaction
    claimed: Job | None = None  # that job, once its transaction committed


_held: ContextVar[Held | None] = ContextVar("kiln_held_publishes", default=None)


def claimed_at_creation(*, queue: str) -> dict[str, Any]:
    """Inside the transaction that creates a flow's step: the fields that create it claimed
    by this worker (running, its lease, attempt 1), when this worker runs it next: its queue
    is served here and no other job of this transaction was. Else {}: it is queued and rung."""
    held = _held.get()
    if held is None or held.worker_id is None or held.claiming or queue not in held.served:
        return {}
    held.claiming = True
    now = timezone.now()
    return {
        "status": JobStatus.RUNNING,
        "worker_id": held.worker_id,
        "attempt": 1,
        "started_at": now,
        "lease_expires_at": now + lease_duration(),
    }


def job_unclaim(*, job_id: str, worker_id: str) -> bool:
    """A job created claimed by this worker that it will not run after all (its chain was
    cut): queued again, as if never claimed, for any worker to take."""
    return (
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, worker_id=worker_id, attempt=1).update(
            status=JobStatus.QUEUED, worker_id="", attempt=0, started_at=None, lease_expires_at=None
        )
        == 1
    )


@contextmanager
def publishes_held(*, worker_id: str | None = None, served: Iterable[str] = ()) -> Iterator[Held]:
    held = Held(worker_id=worker_id, served=frozenset(served))
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def job_publish(*, job_id: str, queue: str, priority: int = 0, counted: bool = False) -> bool:
    """Ring the doorbell: best effort. The row is committed already, so a broker that is
    down must not turn an accepted job into an error; the sweeper rings again later.

    `counted` (a new job's bell): counted per queue, and not rung when enough counted bells of
    its queue are unanswered; the workers answering them drain the queue (kiln.jobs.backlog)."""
    held = _held.get()
    if held is not None:
        held.publishes.append((job_id, queue, priority))
        return True

    if counted and not backlog.bell_counted(queue):
        return True
    try:
        bell = queue if counted else None
        doorbell.ring(job_id, queue=queue, priority=celery_priority(priority), bell=bell)
    except Exception:
        log.warning(
            "job %s: could not publish to queue %s; the sweeper will retry", job_id, queue, exc_info=True
        )
        if counted:
            backlog.bell_answered(queue)  # it never rang
        return False
    return True


def celery_priority(priority: int) -> int:
    """Kiln's priority (0-100, higher first) as Celery's Redis priority step (0-9, lower first)."""
    return 9 - min(max(priority, 0), 100) * 9 // 100


# Script versions by id, with their script, as claims load them (the code never changes; the
# lock is set once; a script's settings, of which the runner reads `warm`, are re-read after
# VERSION_KEPT_S). Per process.
_VERSIONS: Kept[int, tuple[float, ScriptVersion]] = Kept(256)
VERSION_KEPT_S = 2.0


def queued_job(job_id: str) -> Job | None:
    """The job if it is queued, with its script version and script (the runner reads its code,
    lock and settings). Read by fastsql: Django compiled the 49-column query at every claim,
    about 1 ms, a third of a warm job's claim."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    job = fastsql.get(Job, {"pk": pk, "status": JobStatus.QUEUED})
    if job is not None and job.script_version_id is not None:
        job.script_version = _version(job.script_version_id)
    return job


def _version(version_id: int) -> ScriptVersion:
    kept = _VERSIONS.get(version_id)
    if kept is not None and kept[1].lock is not None and time.monotonic() - kept[0] < VERSION_KEPT_S:
        return kept[1]
    version = ScriptVersion.objects.select_related("script").get(pk=version_id)
    _VERSIONS.put(version_id, (time.monotonic(), version))
    return version


def versions_forget() -> None:
    """Tests: a rolled-back database hands the same ids to the next test's versions."""
    _VERSIONS.clear()


def job_claim(*, job_id: str, worker_id: str) -> Job | None:
    """queued → running for this worker. None when someone else has it, it is over, its
    time has not come (a retry's back-off), or its concurrency key has no free slot
    (then it waits, un-rung, until a slot frees).

    The row is read outside any transaction and taken by a compare-and-set on its status and
    attempt: a claim holds SQLite's one write lock only for that statement, not while the ORM
    builds two queries (about half of a warm job's claim, and the other processes' wait). A job
    with a concurrency key takes its slot and the row in one transaction."""
    now = timezone.now()
    job = queued_job(job_id)
    if job is None:
        return None
    if job.scheduled_for is not None and job.scheduled_for > now:
        return None  # an early or stale message: the scheduler rings it when it is due
    lease = now + lease_duration()
    with transaction.atomic() if job.concurrency_key else contextlib.nullcontext():
        if job.concurrency_key and not slot_acquire(job):
            Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, attempt=job.attempt).update(
                published_at=None
            )
            log.info("job %s: concurrency key %s is full; it waits for a slot", job_id, job.concurrency_key)
            return None
        changed = fastsql.update(
            Job,
            {"pk": job.pk, "status": JobStatus.QUEUED, "attempt": job.attempt},
            {
                "status": JobStatus.RUNNING,
                "worker_id": worker_id,
                "attempt": job.attempt + 1,
                "started_at": now,
                "lease_expires_at": lease,
            },
        )
        if changed != 1:
            if job.concurrency_key:
                transaction.set_rollback(True)  # the slot too
            return None
    # What the compare-and-set wrote, without reading the row again.
    job.status, job.worker_id, job.attempt = JobStatus.RUNNING, worker_id, job.attempt + 1
    job.started_at, job.lease_expires_at = now, lease
    return job


def job_append_log(*, job: Job, offset: int, data: str) -> None:
    if not data:
        return
    with transaction.atomic():
        fastsql.insert(JobLogChunk(job=job, offset=offset, data=data))
        fastsql.update(Job, {"pk": job.pk}, {"log_size": offset + len(data.encode())})
        job_id = str(job.pk)
        transaction.on_commit(
            lambda: job_log_publish(job_id, {"type": "log.chunk", "offset": offset, "data": data})
        )


def job_log_group(job_id: str) -> str:
    """The Channels group of one job's live log viewers."""
    return f"job.{job_id}"


WAKING = ("job.done", "flow.early_return")  # what a sync run waits for


def job_log_publish(job_id: str, *messages: dict[str, Any], outcome: bytes = wakeups.NO_OUTCOME) -> None:
    """Send committed log news to the job's viewers, best effort, without waiting for it.

    The messages go on this process's publish queue, which one task sends in order (a job's
    last chunk before its `job.done`, one job's news before the next's). The database stays
    the truth: a viewer that misses a message notices the gap (or the end) and reads the
    database, so a failure there is logged, never raised, and a full queue drops news.

    A job's end (or a flow's early answer) wakes its sync waiter at once (kiln.jobs.wakeups),
    and the same round trip counts the job's viewers: with none, nothing more is sent (most
    jobs end unwatched). A viewer joins the group before it reads the database, so one that
    joins after the count reads an end that was committed before it.
    """
    layer = get_channel_layer()
    group = job_log_group(job_id)
    waking = any(message["type"] in WAKING for message in messages)
    if waking and wakeups.wake(job_id, outcome, count=_members(layer, group)) == 0:
        return  # nobody views the job
    if layer is None:
        return

    async def send() -> None:
        for message in messages:
            await layer.group_send(group, message)

    send_soon(f"live logs to {group}", send)


def _members(layer: Any, group: str) -> tuple[bytes, float] | None:
    """Where channels_redis keeps `group`'s members (a sorted set, each scored by when it
    joined) and the score a live one is above, when the layer lives in Kiln's own Redis (as
    configured): for wakeups.wake() to count them. None for any other layer."""
    if not isinstance(layer, RedisChannelLayer):
        return None
    if [host.get("address") for host in layer.hosts] != [settings.REDIS_URL]:
        return None
    return layer._group_key(group), time.time() - layer.group_expiry


def send_soon(what: str, send: Callable[[], Awaitable[None]]) -> None:
    """Run `send()` (a coroutine function: a publish, a metrics update) on this process's
    publisher loop, after what was queued before it, with a time limit; never waits, never
    raises. Its failures are logged; past PUBLISH_QUEUE_MAX waiting, news is dropped."""
    loop, pending = _publisher()
    if pending.qsize() >= PUBLISH_QUEUE_MAX:  # Redis gone for a long while
        log.warning("%s dropped (%s messages wait already)", what, PUBLISH_QUEUE_MAX)
        return
    loop.call_soon_threadsafe(pending.put_nowait, (what, send))


PUBLISH_QUEUE_MAX = 10_000


def _start_sending(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[Any]:
    pending: asyncio.Queue[Any] = asyncio.Queue()
    asyncio.run_coroutine_threadsafe(_send_in_turn(pending), loop)
    return pending


# One event loop per process, with one task sending every publish in turn: its Redis connection
# stays open (async_to_sync made a loop, and a connection, per call: ~1.5 ms of each step of a
# flow), and no job waits for Redis (docs/performance.md).
_publishing = ProcessLoop("kiln-publish", _start_sending, stop_at_exit=False)


def _publisher() -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]:
    return _publishing.get()


async def _send_in_turn(pending: asyncio.Queue[Any]) -> None:
    while True:
        what, send = await pending.get()
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                await send()
        except Exception:
            log.warning("could not send %s", what, exc_info=True)
        finally:
            pending.task_done()


def publishes_sent(timeout: float = PUBLISH_TIMEOUT_S + 1) -> bool:
    """Wait until what this process queued for live viewers so far has been sent (or given
    up on); False on timeout. A process about to exit calls it, and tests."""
    publishing = _publishing.made()
    if publishing is None:
        return True
    loop, pending = publishing

    try:
        asyncio.run_coroutine_threadsafe(pending.join(), loop).result(timeout=timeout)
    except Exception:
        return False
    return True


def _leave_running(
    job: Job, update: dict[str, Any], last_log: tuple[int, str] | None
) -> list[dict[str, Any]] | None:
    """Inside the caller's transaction: store the attempt's last log chunk and move the row off
    `running` with `update`, only if this worker's attempt still owns it. Returns the messages
    for live viewers, or None (and the transaction rolled back) when the job is no longer ours."""
    messages: list[dict[str, Any]] = []
    if last_log is not None and last_log[1]:
        offset, data = last_log
        fastsql.insert(JobLogChunk(job=job, offset=offset, data=data))
        update["log_size"] = offset + len(data.encode())
        messages.append({"type": "log.chunk", "offset": offset, "data": data})
    changed = fastsql.update(
        Job,
        {"pk": job.pk, "status": JobStatus.RUNNING, "worker_id": job.worker_id, "attempt": job.attempt},
        update,
    )
    if changed != 1:
        transaction.set_rollback(True)
        return None
    return messages


def job_finish(
    *,
    job: Job,
    status: JobStatus,
    result: Any = None,
    error: dict[str, Any] | None = None,
    last_log: tuple[int, str] | None = None,
    log_dropped: int = 0,
) -> bool:
    """running → a terminal state, with the result and the last log chunk in one transaction.

    The update is conditioned on this worker and attempt, so a late or duplicate
    delivery changes nothing; returns whether this call made the change.
    """
    with transaction.atomic():
        update: dict[str, Any] = {
            "status": status,
            "result": result,
            "error": error,
            "finished_at": timezone.now(),
            "lease_expires_at": None,
            "log_dropped": log_dropped,
            # When its runner really started it: for a job created claimed (claimed_at_creation),
            # later than the claim; for any other, what the claim wrote.
            "started_at": job.started_at,
        }
        if status == JobStatus.SUCCESS:
            # A job that reported progress and ended well is done. The row says whether it did:
            # the SDK reports through the API, on another copy of the row than this one.
            update["progress"] = fastsql.UnlessNull(100)
        messages = _leave_running(job, update, last_log)
        if messages is None:
            return False
        slot_release(job)
        log_size = update.get("log_size")
        if log_size is None and last_log is not None:  # an empty last chunk: its offset is the end
            log_size = last_log[0]
        if log_size is None:  # no last chunk at all: the caller's copy of the row may be stale
            log_size = Job.objects.values_list("log_size", flat=True).get(pk=job.pk)
        messages.append({"type": "job.done", "status": str(status), "log_size": log_size})
        job_id = str(job.pk)
        ran = (update["finished_at"] - job.started_at).total_seconds() if job.started_at else None

        def after_commit() -> None:
            job_log_publish(job_id, *messages, outcome=wakeups.outcome_of(str(status), result, error))
            counters.job_ended(
                tag=job.queue, language=job.language, state=str(status), seconds=ran, log_bytes=log_size
            )

        transaction.on_commit(after_commit)
        tell_flow(job, {"status": str(status), "result": result, "error": error})
    return True


def tell_flow(job: Job, outcome: dict[str, Any] | None = None) -> None:
    """Inside the transaction that ended `job`: if it is a flow's step, advance its flow now
    (kiln.flows.engine). A bug there must not undo the step's end: it fails the flow instead.
    `outcome` ({status, result, error}) is what the caller just wrote, when it knows it."""
    if job.parent_id is None:
        return
    from kiln.flows.engine import child_ended, flow_crash

    try:
        with transaction.atomic():  # a savepoint: the step's own end stays
            child_ended(job, outcome)
    except Exception as exc:
        log.exception("flow %s: advancing after step %s failed", job.parent_id, job.flow_step)
        with transaction.atomic():
            flow_crash(
                flow_id=job.parent_id, message=f"the flow engine failed after step {job.flow_step}: {exc}"
            )


def job_retry_later(
    *,
    job: Job,
    delay_s: float,
    error: dict[str, Any] | None,
    last_log: tuple[int, str],
    log_dropped: int = 0,
) -> bool:
    """running → queued again after a failure, to be retried in `delay_s` (the back-off is
    kept in the database: `scheduled_for`). Conditioned like `job_finish`; returns whether
    this call made the change."""
    now = timezone.now()
    with transaction.atomic():
        update: dict[str, Any] = {
            "status": JobStatus.QUEUED,
            "worker_id": "",
            "lease_expires_at": None,
            "retries": job.retries + 1,
            "scheduled_for": now + timedelta(seconds=delay_s),
            "published_at": None,
            "error": error,
            "log_dropped": log_dropped,
        }
        messages = _leave_running(job, update, last_log)
        if messages is None:
            return False
        if job.concurrency_key:
            ConcurrencySlot.objects.filter(job_id=job.pk).delete()
        job_id = str(job.pk)
        if messages:
            transaction.on_commit(lambda: job_log_publish(job_id, *messages))
        if delay_s <= 0:
            dispatch_after_commit(job)
    return True


def job_progress_set(*, job: Job, progress: int) -> None:
    """The job said how far it is (0-100): stored on the row and sent to live viewers."""
    progress = min(max(int(progress), 0), 100)
    changed = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt).update(
        progress=progress
    )
    if changed:
        job.progress = progress
        job_log_publish(str(job.pk), {"type": "job.progress", "progress": progress})


def job_create_once(
    *, workspace: Workspace, key: str, fingerprint: str, create: Callable[[], Job]
) -> tuple[Job, bool]:
    """`create()` once per `Idempotency-Key` per workspace within 24 hours: a repeat of the
    same request gets the first job back (True: replayed); the same key with another target
    or other arguments is a 409. Concurrent repeats race on a unique key: one job wins."""
    if not key or len(key) > 255 or not key.isprintable():
        raise BadRequest("Idempotency-Key must be 1-255 printable characters", {"field": "Idempotency-Key"})
    for _ in range(3):
        existing = IdempotencyKey.objects.filter(workspace=workspace, key=key).select_related("job").first()
        if existing is not None and existing.created_at >= timezone.now() - IDEMPOTENCY_WINDOW:
            if existing.fingerprint != fingerprint:
                raise Conflict(
                    "this Idempotency-Key was already used for another script or other arguments",
                    {"field": "Idempotency-Key", "job_id": str(existing.job_id)},
                )
            return existing.job, True
        try:
            with transaction.atomic():
                if existing is not None:  # older than the window: the key is free again
                    existing.delete()
                job = create()
                IdempotencyKey.objects.create(workspace=workspace, key=key, fingerprint=fingerprint, job=job)
            return job, False
        except IntegrityError:
            continue  # a concurrent request with the same key won: return its job
    raise Conflict(
        "this Idempotency-Key is being used by concurrent requests; retry", {"field": "Idempotency-Key"}
    )
