"""Login throttling: failed logins are counted per account and per client address in Redis.

After KILN_LOGIN_MAX_FAILURES failures for one email within the lockout window the
email is locked for that window; after five times as many from one address, the
address is. A locked login answers 429 with Retry-After whether or not the password is
right and whether or not the account exists, so the answer never tells which emails
have accounts. A successful login clears its email's count. When Redis cannot be reached
logins are not throttled (and a warning is logged): locking everyone out is worse.
"""

from __future__ import annotations

import hashlib
import logging

import redis
from django.conf import settings
from django.http import HttpRequest

from kiln.errors import TooManyRequests
from kiln.ratelimit import redis_client

log = logging.getLogger(__name__)


def _keys(request: HttpRequest, email: str) -> list[tuple[str, int]]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    limit = settings.KILN_LOGIN_MAX_FAILURES
    return [
        (f"kiln:login:fail:email:{digest}", limit),
        (f"kiln:login:fail:ip:{request.META.get('REMOTE_ADDR', '?')}", 5 * limit),
    ]


def login_check(request: HttpRequest, email: str) -> None:
    """429 when this email or address is locked out."""
    if settings.KILN_LOGIN_MAX_FAILURES <= 0:
        return
    try:
        client = redis_client(settings.REDIS_URL)
        for key, limit in _keys(request, email):
            count = int(client.get(key) or 0)  # type: ignore[arg-type]
            if count >= limit:
                retry_after = max(1, int(client.ttl(key)))  # type: ignore[arg-type]
                raise TooManyRequests(
                    f"too many failed logins; try again in {retry_after}s",
                    {"retry_after": retry_after},
                    retry_after=retry_after,
                )
    except redis.RedisError:
        log.warning("login throttling skipped: Redis unreachable", exc_info=True)


def login_failed(request: HttpRequest, email: str) -> None:
    if settings.KILN_LOGIN_MAX_FAILURES <= 0:
        return
    window = settings.KILN_LOGIN_LOCKOUT_SECONDS
    try:
        pipe = redis_client(settings.REDIS_URL).pipeline()
        for key, _ in _keys(request, email):
            pipe.incr(key)
            pipe.expire(key, window)
        pipe.execute()
    except redis.RedisError:
        log.warning("failed login not counted: Redis unreachable", exc_info=True)


def login_succeeded(request: HttpRequest, email: str) -> None:
    try:
        redis_client(settings.REDIS_URL).delete(_keys(request, email)[0][0])
    except redis.RedisError:
        log.warning("could not clear the failed-login count", exc_info=True)
