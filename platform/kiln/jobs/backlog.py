"""A backlog: doorbells counted per queue, and drained by whoever answers one.

Every job that an API call or a schedule creates rings its queue's doorbell (a Celery message
with the job's id). A burst of them would be a message per job, and a worker pays for each
message about as much as for the job itself when the job is small (docs/performance.md). So:

- Doorbells are counted per queue in Redis (`kiln:bells:<queue>`): rung, not yet answered.
  Past `KILN_BELLS_PER_QUEUE` of them (or the pool processes serving the queue, if more), a new
  job's bell is not rung: it is covered by one of those already ringing.
- A worker that answers a counted bell runs its job (if still queued), counts the bell down,
  then takes the next queued job of that queue, oldest first within the highest priority,
  until none is left (`claim_next`): one statement per job, no message.

Why no job is left behind: a job's bell is skipped only when at least that many counted bells
were unanswered at the moment its row was already committed. Each of them is answered (its
count taken down) later, and its worker then drains until nothing is queued, so it sees the
job. A count that drifts up (a message lost with Redis) only skips bells until the key
expires (`COUNT_TTL_S` after its first bell); the sweeper rings any job left queued past
`KILN_SWEEP_AFTER`, as for any lost message. Redis unreachable: the bell is rung.

Jobs that wait for a concurrency slot or a retry's back-off are never drained: their bell
rings when they are due (kiln.jobs.dispatch), and claim_next skips them.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kiln import fastsql
from kiln.ratelimit import redis_client

from .leases import lease_duration
from .models import Job, JobStatus

log = logging.getLogger(__name__)

COUNT_TTL_S = 5

# Count this bell; 1 to ring it, 0 when enough others ring for the queue already.
_RING = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
    redis.call('DECR', KEYS[1])
    return 0
end
return 1
"""
# A bell answered: one fewer ringing; the key goes at zero (so the next one sets a fresh expiry).
_ANSWER = """
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n
"""


def _key(queue: str) -> str:
    return f"kiln:bells:{queue}"


@lru_cache(maxsize=1)
def _scripts(url: str) -> tuple[Any, Any]:
    client = redis_client(url)  # the rate limits' client: one connection pool per process
    return client.register_script(_RING), client.register_script(_ANSWER)


# Pool processes serving each queue, as the workers last said, read again after SLOTS_KEPT_S.
_SLOTS: dict[str, tuple[float, int]] = {}
SLOTS_KEPT_S = 5.0


def bell_cap(queue: str) -> int:
    """How many counted bells of `queue` may ring at once: KILN_BELLS_PER_QUEUE, or the pool
    processes of the live workers serving it if they are more, so that a burst of long jobs
    still reaches every idle process (each bell wakes one). 0: every bell rings."""
    base = settings.KILN_BELLS_PER_QUEUE
    if base <= 0:
        return 0
    now = time.monotonic()
    kept = _SLOTS.get(queue)
    if kept is None or now - kept[0] > SLOTS_KEPT_S:
        from .workers import serving

        slots = sum(c for tags, c in serving().values_list("tags", "concurrency") if queue in (tags or []))
        _SLOTS[queue] = kept = (now, slots)
    return max(base, kept[1])


def bell_counted(queue: str) -> bool:
    """Count a new job's bell for `queue`: True to ring it, False when bell_cap() counted bells
    are unanswered already (one of their workers takes the job)."""
    cap = bell_cap(queue)
    if cap <= 0:
        return True
    try:
        ring, _ = _scripts(settings.REDIS_URL)
        return bool(ring(keys=[_key(queue)], args=[cap, COUNT_TTL_S]))
    except redis.RedisError:
        log.warning("doorbell of queue %s not counted: Redis unreachable; rung", queue, exc_info=True)
        return True


def bell_answered(queue: str) -> None:
    """A worker took a counted bell of `queue` off the broker."""
    try:
        _, answer = _scripts(settings.REDIS_URL)
        answer(keys=[_key(queue)])
    except redis.RedisError:
        log.warning("doorbell of queue %s not counted down: Redis unreachable", queue, exc_info=True)


def bells_forget(queue: str) -> None:
    """Tests: no counted bell of `queue` rings."""
    _scripts(settings.REDIS_URL)[0].registered_client.delete(_key(queue))


_CLAIM: dict[str, str] = {}


def _claim_sql() -> str:
    """queued → running for the first job of a queue, in the order the doorbells would have
    been answered (priority, then age), in one statement: a compare-and-set on the status like
    any claim, so two workers never take one job. PostgreSQL skips a row another claim holds.
    The status is written in the statement, not bound: SQLite uses the partial index of queued
    jobs (job_queued_next) only for a condition it can read, and the order is the index's.
    The claimed row comes back whole (RETURNING): a claim is one statement."""
    key = connection.vendor
    sql = _CLAIM.get(key)
    if sql is None:
        q = connection.ops.quote_name
        meta = Job._meta

        def col(name: str) -> str:
            field: Any = meta.get_field(name)
            return q(str(field.column))

        skip = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
        sql = _CLAIM[key] = (
            f"UPDATE {q(meta.db_table)} SET {col('status')} = %s, {col('worker_id')} = %s, "
            f"{col('attempt')} = {col('attempt')} + 1, {col('started_at')} = %s, "
            f"{col('lease_expires_at')} = %s "
            f"WHERE {col('id')} = (SELECT {col('id')} FROM {q(meta.db_table)} "
            f"WHERE {col('status')} = '{JobStatus.QUEUED.value}' AND {col('queue')} = %s "
            f"AND {col('published_at')} IS NOT NULL AND {col('concurrency_key')} = '' "
            f"AND ({col('scheduled_for')} IS NULL OR {col('scheduled_for')} <= %s) "
            f"ORDER BY {col('priority')} DESC, {col('created_at')} LIMIT 1{skip}) "
            f"AND {col('status')} = %s RETURNING {fastsql.columns(Job)}"
        )
    return sql


def claim_next(*, worker_id: str, queue: str) -> Job | None:
    """Claim the next queued job of `queue` for this worker, or None when none is waiting: a
    rung job, not waiting for a concurrency slot or a back-off. Its script version is loaded as
    a claim's is. One queue: its jobs are read in the index's order, never sorted."""
    from .services import _version

    now = timezone.now()
    started = Job._meta.get_field("started_at")
    params = [
        JobStatus.RUNNING.value,
        worker_id,
        started.get_db_prep_save(now, connection),
        started.get_db_prep_save(now + lease_duration(), connection),
        queue,
        started.get_db_prep_save(now, connection),
        JobStatus.QUEUED.value,
    ]
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(_claim_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    job = fastsql.from_row(Job, row)  # the row as the claim left it: no second read
    if job.script_version_id is not None:
        job.script_version = _version(job.script_version_id)
    return job
