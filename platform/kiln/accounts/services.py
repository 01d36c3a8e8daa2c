"""Writes for accounts: users, workspaces, tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kiln import fastsql
from kiln.accounts.models import ApiToken, Membership, Role, TokenKind, User, Workspace
from kiln.errors import BadRequest
from kiln.scripts.selectors import version_by_path

TOKEN_PREFIX = "kiln_"
PREFIX_LEN = 12  # characters of the secret kept in clear
LABEL_MAX = 100
# Writing on every request would serialise API calls on SQLite: once a minute is enough.
LAST_USED_EVERY = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the only time it exists in clear


@transaction.atomic
def token_issue(
    *,
    user: User,
    label: str = "",
    expires_at: datetime | None = None,
    kind: TokenKind = TokenKind.PERSONAL,
    workspace: Workspace | None = None,
    script_path: str = "",
) -> IssuedToken:
    """Create a token: personal, or a webhook token that may only run `script_path` in
    `workspace` (as `user`, its creator). The secret is returned once and stored hashed."""
    if len(label) > LABEL_MAX:
        raise BadRequest(f"label is longer than {LABEL_MAX} characters", {"field": "label"})
    if expires_at is not None and expires_at <= timezone.now():
        raise BadRequest("expires_at must be in the future", {"field": "expires_at"})
    if kind == TokenKind.WEBHOOK:
        if workspace is None or not script_path:
            raise BadRequest("a webhook token needs a workspace and a script path", {"field": "path"})
        from kiln.flows.models import Flow

        if not Flow.objects.filter(workspace=workspace, path=script_path, latest__isnull=False).exists():
            version_by_path(workspace=workspace, path=script_path)  # 404 for a path with nothing to run
    else:
        workspace, script_path = None, ""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        label=label,
        prefix=raw[:PREFIX_LEN],
        digest=token_digest(raw),
        expires_at=expires_at,
        kind=kind,
        workspace=workspace,
        script_path=script_path,
    )
    return IssuedToken(token=token, secret=raw)


def token_create(
    *,
    user: User,
    label: str = "",
    expires_at: datetime | None = None,
    kind: TokenKind = TokenKind.PERSONAL,
    workspace: Workspace | None = None,
    script_path: str = "",
) -> str:
    """`token_issue`, for callers that only want the secret (the CLI, tests)."""
    return token_issue(
        user=user,
        label=label,
        expires_at=expires_at,
        kind=kind,
        workspace=workspace,
        script_path=script_path,
    ).secret


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token (its `user` loaded) for a secret; None if unknown, revoked, expired
    or its user is deactivated. Callers must check `kind`: a webhook token is not a login."""
    now = timezone.now()
    # A statement written once per process (kiln.fastsql): every API request makes it, and the
    # ORM compiled it each time (~0.8 ms).
    token = fastsql.get(ApiToken, {"digest": token_digest(raw)}, related=("user",))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # One UPDATE, guarded in SQL too, so concurrent requests of one token write once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking it again changes nothing (the first time stays)."""
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
    else:
        token.refresh_from_db(fields=["revoked_at"])
    return token


@dataclass(frozen=True)
class Bootstrap:
    user: User
    workspace: Workspace
    password: str | None  # set only when it was generated now, to be printed once


@transaction.atomic
def platform_bootstrap(
    *, email: str, password: str | None, workspace_id: str = "main", default_network: str = "internet"
) -> Bootstrap | None:
    """First start: create the first admin and the `main` workspace. Later starts: nothing."""
    if User.objects.exists():
        return None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = User.objects.create_superuser(email=email, password=password, name="Admin")
    workspace, _ = Workspace.objects.get_or_create(
        id=workspace_id, defaults={"name": workspace_id, "settings": {"default_network": default_network}}
    )
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.ADMIN})
    return Bootstrap(user=user, workspace=workspace, password=generated)
