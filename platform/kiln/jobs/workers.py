"""Live workers: each Celery worker says every few seconds which tags (queues) it serves.

A queued job whose tag no live worker serves is not silently stuck: the API says so
(`waiting_reason`). The heartbeat runs in the worker's main process, next to Celery's
own consumer; it stops (and the row goes) when the worker shuts down.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Count
from django.utils import timezone

from kiln.accounts.models import Membership, User

from .models import Job, JobStatus, Worker

log = logging.getLogger(__name__)
_stop = threading.Event()
_beating: threading.Thread | None = None


def kiln_version() -> str:
    try:
        return version("kiln")
    except PackageNotFoundError:
        return "dev"


def main_worker_id() -> str:
    """host:pid of this process (a worker's main process, or a pool process running a job)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def served_queues() -> set[str]:
    """The tags (queues) this worker serves: what `kiln worker` was started with, else every
    configured tag."""
    queues = {t.strip() for t in os.environ.get("KILN_WORKER_QUEUES", "").split(",") if t.strip()}
    return queues or set(settings.KILN_WORKER_TAGS)


def pool_process_ids() -> list[str]:
    """The ids jobs are claimed as in this worker: its own (a solo pool runs jobs in the main
    process) and its pool processes' (its children, which Celery replaces as they recycle)."""
    host, pid = socket.gethostname(), os.getpid()
    children: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                children.update(int(c) for c in fh.read().split())
    except OSError:  # not Linux, or a thread gone meanwhile: the next beat says it
        pass
    return [f"{host}:{pid}", *(f"{host}:{child}" for child in sorted(children))]


def heartbeat_once(*, worker_id: str, tags: list[str], concurrency: int, version: str) -> None:
    # started_at keeps its model default (the first beat) when the row is created.
    Worker.objects.update_or_create(
        id=worker_id,
        defaults={
            "hostname": socket.gethostname(),
            "tags": tags,
            "concurrency": concurrency,
            "version": version,
            "processes": pool_process_ids(),
            "heartbeat_at": timezone.now(),
        },
    )


def heartbeat_start(*, tags: list[str], concurrency: int) -> threading.Thread:
    worker_id, version = main_worker_id(), kiln_version()

    def beat() -> None:
        while not _stop.is_set():
            try:
                heartbeat_once(worker_id=worker_id, tags=tags, concurrency=concurrency, version=version)
            except Exception:  # the database blinked: say it next time
                log.warning("worker heartbeat failed", exc_info=True)
            finally:
                close_old_connections()
            _stop.wait(settings.KILN_WORKER_HEARTBEAT_SECONDS)
        try:
            Worker.objects.filter(id=worker_id).delete()
        except Exception:
            log.warning("could not remove this worker's heartbeat row", exc_info=True)
        finally:
            close_old_connections()

    global _beating
    thread = _beating = threading.Thread(target=beat, name="kiln-heartbeat", daemon=True)
    thread.start()
    log.info("worker %s serves tags %s", worker_id, ",".join(tags))
    return thread


def heartbeat_stop(timeout: float = 5.0) -> None:
    """Stop beating and remove this worker's row (waits for it, up to `timeout`)."""
    _stop.set()
    if _beating is not None:
        _beating.join(timeout)


# --- stopping: SIGTERM drains the worker ----------------------------------------------------

# One shared page, made in the worker's main process before it forks its pool: the main sets
# it when it begins to stop, and its pool processes (which share the page) read it between
# jobs, so none starts a chained job (a flow's next step) once it is set.
_STOPPING = mmap.mmap(-1, 1)


def stopping() -> bool:
    return _STOPPING[0] == 1


def drain_start(*, grace_s: float) -> threading.Thread:
    """This worker begins to stop (its consumer takes no new message): say so on its row, and
    give its running jobs `grace_s` to finish; then hand the rest back (drain_now). Once per
    process: a later call (another SIGTERM) returns the same wait, unless it is shorter."""
    global _draining
    if _draining is not None and _draining[1] <= grace_s:
        return _draining[0]
    _STOPPING[0] = 1
    worker_id = main_worker_id()
    try:
        Worker.objects.filter(id=worker_id).update(stopping_at=timezone.now())
    except Exception:
        log.warning("could not mark worker %s as stopping", worker_id, exc_info=True)
    finally:
        close_old_connections()
    log.info("worker %s stopping: running jobs have %.0f s to finish", worker_id, grace_s)

    def wait_then_hand_back() -> None:
        # Celery's warm shutdown waits for the running tasks and then exits, this thread
        # with it; what still runs at the deadline (a job claimed from a message taken just
        # before the SIGTERM included) is handed back.
        time.sleep(grace_s)
        try:
            drain_now(reason=f"its {grace_s:g} s grace period ran out")
        except Exception:  # the database is away: the leases hand the jobs back instead
            log.warning("worker %s: could not hand its jobs back", worker_id, exc_info=True)
        finally:
            close_old_connections()

    thread = threading.Thread(target=wait_then_hand_back, name="kiln-drain", daemon=True)
    _draining = (thread, grace_s)
    thread.start()
    return thread


_draining: tuple[threading.Thread, float] | None = None


def drain_now(*, reason: str) -> int:
    """Stop this worker's pool processes (their jails die with them) and put the jobs they
    were running back in the queue for another worker, the attempt not counted against
    max_attempts. Returns how many were handed back.

    The pool is read once: once a pool process is killed Celery may fork a replacement, and
    its jobs are found by the ids of the processes that ran them, not by the pool of now."""
    from .leases import job_requeue

    ids = pool_process_ids()
    if not Job.objects.filter(status=JobStatus.RUNNING, worker_id__in=ids).exists():
        return 0  # every job finished within the grace period: Celery exits by itself
    host, me = socket.gethostname(), os.getpid()
    pids = [int(p.rsplit(":", 1)[1]) for p in ids if p != f"{host}:{me}"]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    handed = 0
    worker_id = main_worker_id()
    for job in Job.objects.filter(status=JobStatus.RUNNING, worker_id__in=ids):
        note = (
            f"\n[kiln] worker {worker_id} stopped ({reason}) while attempt {job.attempt} ran: the job goes "
            "back to the queue for another worker; this attempt does not count against its max_attempts\n"
        )
        with transaction.atomic():
            handed += job_requeue(job=job, note=note, counted=False)
    if handed:
        log.warning("worker %s: %d running job(s) handed back to the queue (%s)", worker_id, handed, reason)
    return handed


def _alive(pid: int) -> bool:
    """Not yet a zombie (a pool process killed is reaped by Celery's pool, a moment later)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def live_cutoff() -> Any:
    return timezone.now() - timedelta(seconds=3 * settings.KILN_WORKER_HEARTBEAT_SECONDS)


def live_tags() -> set[str]:
    """Tags served by at least one worker that beat recently."""
    tags: set[str] = set()
    for served in serving().values_list("tags", flat=True):
        tags.update(served or [])
    return tags


def live() -> Any:
    """Workers that beat recently, stopping or not."""
    return Worker.objects.filter(heartbeat_at__gte=live_cutoff())


def serving() -> Any:
    """Workers that beat recently and are not stopping: those that will take a new job."""
    return live().filter(stopping_at__isnull=True)


def tags_served() -> dict[str, int]:
    """How many serving workers take each tag: every configured tag (0 when none does) and
    any other tag a worker was started with."""
    served = dict.fromkeys(settings.KILN_WORKER_TAGS, 0)
    for tags in serving().values_list("tags", flat=True):
        for tag in tags or []:
            served[tag] = served.get(tag, 0) + 1
    return served


def process_owners(workers: list[Worker]) -> dict[str, str]:
    """Pool process id (what a running job records as its worker) -> the worker it is in."""
    return {pid: w.id for w in workers for pid in (w.processes or [])}


def busy_by_worker(workers: list[Worker]) -> dict[str, int]:
    """Running jobs per worker (its busy slots)."""
    owner = process_owners(workers)
    busy: dict[str, int] = {}
    running = Job.objects.filter(status=JobStatus.RUNNING, worker_id__in=list(owner))
    for row in running.values("worker_id").annotate(n=Count("id")):
        busy[owner[row["worker_id"]]] = busy.get(owner[row["worker_id"]], 0) + row["n"]
    return busy


@dataclass(frozen=True)
class WorkerView:
    """A worker as the API shows it: its slots, how many are busy, and the running jobs the
    viewer may see (`hidden`: those in workspaces the viewer is not a member of)."""

    worker: Worker
    alive: bool
    busy: int
    jobs: list[Job]
    hidden: int


def workers_list(*, user: User, include_gone: bool = False) -> list[WorkerView]:
    """Workers by hostname, live ones first; gone ones (no beat for 3 intervals, and not yet
    swept by retention) only when asked. An instance admin sees every running job."""
    cutoff = live_cutoff()
    workers = list((Worker.objects.all() if include_gone else live()).order_by("hostname", "id"))
    owner_of = process_owners(workers)
    running = Job.objects.filter(status=JobStatus.RUNNING, worker_id__in=list(owner_of)).order_by(
        "started_at"
    )
    visible = (
        None
        if user.is_superuser
        else set(Membership.objects.filter(user=user).values_list("workspace_id", flat=True))
    )
    by_worker: dict[str, list[Job]] = {w.id: [] for w in workers}
    for job in running.only(
        "id", "workspace_id", "script_path", "kind", "language", "started_at", "worker_id"
    ):
        by_worker[owner_of[job.worker_id]].append(job)
    views = []
    for worker in workers:
        jobs = by_worker[worker.id]
        shown = [j for j in jobs if visible is None or j.workspace_id in visible]
        views.append(
            WorkerView(worker, worker.heartbeat_at >= cutoff, len(jobs), shown, len(jobs) - len(shown))
        )
    return sorted(views, key=lambda v: not v.alive)
