"""A job's doorbell: the `kiln.run_job` Celery message, pushed onto its queue's Redis list.

`run_job.apply_async()` builds the same message through Celery and kombu: about 0.7 ms of
Python per publish on an idle process, 1.5–1.8 ms on a web request's thread (task options,
routing, the producer pool, a Redis client made per publish), in a path every run request
and every rung job takes. The message is Celery's task protocol 2 (a documented wire format
that clients in other languages write too), in kombu's Redis envelope: a JSON object with the
body base64-encoded, pushed (LPUSH) onto the list a Celery worker pops (BRPOP) for that queue
and priority. Written here once, it costs one LPUSH. tests/jobs/test_doorbell.py checks it
against what `apply_async()` itself puts in Redis, field by field, so a Celery or kombu
upgrade that changes the format fails there, not in production.

The flow timer (`flow_timer.apply_async`, with a countdown) still goes through Celery.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from functools import lru_cache

import redis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

TASK = "kiln.run_job"  # kiln.jobs.tasks.run_job's registered name
PRIORITY_SEP = (
    "\x06\x16"  # kombu's Redis transport: the list of a queue's priority step n > 0 is `<queue>\x06\x16<n>`
)
EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    """The broker, with the timeouts Celery's transport has (settings.CELERY_BROKER_TRANSPORT_OPTIONS:
    a Redis that stops answering fails a publish after 3 s, not never) and one immediate retry
    on a lost connection, as `apply_async(retry_policy=…)` had. Its pool is reset after a fork."""
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return redis.Redis.from_url(
        url,
        socket_timeout=options["socket_timeout"],
        socket_connect_timeout=options["socket_connect_timeout"],
        health_check_interval=options["health_check_interval"],
        retry=Retry(NoBackoff(), 1),
    )


def list_key(queue: str, priority: int) -> str:
    """The Redis list of `queue`'s Celery priority step `priority` (0-9, 0 first)."""
    return f"{queue}{PRIORITY_SEP}{priority}" if priority else queue


def message(job_id: str, *, queue: str, priority: int, bell: str | None) -> str:
    """The message `run_job.apply_async(args=[job_id], kwargs=…, queue=queue, priority=priority)`
    would send, in kombu's Redis envelope."""
    task_id = str(uuid.uuid4())
    args, kwargs = [job_id], ({"bell": bell} if bell is not None else {})
    body = json.dumps([args, kwargs, EMBED]).encode()
    return json.dumps(
        {
            "body": base64.b64encode(body).decode(),
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": {
                "lang": "py",
                "task": TASK,
                "id": task_id,
                "shadow": None,
                "eta": None,
                "expires": None,
                "group": None,
                "group_index": None,
                "retries": 0,
                "timelimit": [None, None],
                "root_id": task_id,
                "parent_id": None,
                "argsrepr": repr(args),
                "kwargsrepr": repr(kwargs),
                "origin": f"gen{os.getpid()}@{_hostname()}",
                "ignore_result": True,
                "replaced_task_nesting": 0,
                "stamped_headers": None,
                "stamps": {},
            },
            "properties": {
                "correlation_id": task_id,
                "reply_to": "",  # no result is ever sent back (results live on the Job row)
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": queue},
                "priority": priority,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
    )


@lru_cache(maxsize=1)
def _hostname() -> str:
    return socket.gethostname()


def ring(job_id: str, *, queue: str, priority: int, bell: str | None = None) -> None:
    """Push the job's message onto its queue (Celery `priority` 0-9, 0 first). Raises
    redis.RedisError when the broker cannot be reached: the caller decides what that means."""
    _client(settings.CELERY_BROKER_URL).lpush(
        list_key(queue, priority), message(job_id, queue=queue, priority=priority, bell=bell)
    )
