"""Rate limits on the run endpoints: per token (or browser session) and per client address.

A fixed one-minute window per key, counted in Redis (INCR + EXPIRE), so every web process
shares the count. Over the limit: 429 with Retry-After (the seconds left in the window).
When Redis cannot be reached the request goes through: accepting a webhook matters more
than counting it (the job row is the truth; Redis is a courtesy here too).
"""

from __future__ import annotations

import hashlib
import logging
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.http import HttpRequest

from kiln.errors import TooManyRequests

log = logging.getLogger(__name__)
WINDOW_S = 60


@lru_cache(maxsize=1)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.25)


def caller_key(request: HttpRequest) -> str:
    """Who is calling: a digest of the bearer token, else the session's user."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:24]
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return f"user:{getattr(user, 'pk', 'anonymous')}"


def check_run_rate(request: HttpRequest) -> None:
    """Count this run request; raise 429 when the caller or its address is over the limit."""
    limits = [
        (caller_key(request), settings.KILN_RATE_LIMIT_TOKEN),
        (f"ip:{request.META.get('REMOTE_ADDR', '?')}", settings.KILN_RATE_LIMIT_IP),
    ]
    limits = [(key, limit) for key, limit in limits if limit > 0]
    if not limits:
        return
    now = time.time()
    window = int(now // WINDOW_S)
    try:
        pipe = redis_client(settings.REDIS_URL).pipeline()
        for key, _ in limits:
            name = f"kiln:ratelimit:run:{key}:{window}"
            pipe.incr(name)
            pipe.expire(name, 2 * WINDOW_S)
        counts = pipe.execute()[::2]
    except redis.RedisError:
        log.warning("rate limit not checked: Redis unreachable", exc_info=True)
        return
    for (key, limit), count in zip(limits, counts, strict=True):
        if int(count) > limit:
            retry_after = max(1, int(WINDOW_S - now % WINDOW_S))
            who = "this token" if key.startswith(("token:", "user:")) else "this address"
            raise TooManyRequests(
                f"too many run requests from {who}: at most {limit} a minute; retry in {retry_after}s",
                {"limit": limit, "window_s": WINDOW_S, "retry_after": retry_after},
                retry_after=retry_after,
            )
