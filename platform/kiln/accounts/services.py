"""Writes for accounts: users, workspaces, tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kiln.accounts.models import ApiToken, Membership, Role, User, Workspace

TOKEN_PREFIX = "kiln_"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user: User, label: str = "") -> str:
    """Create a personal API token and return its secret (shown once, stored hashed)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, label=label, prefix=raw[:12], digest=token_digest(raw))
    return raw


def token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user").filter(digest=token_digest(raw), user__is_active=True).first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Writing on every request would serialise API calls on SQLite: once a minute is enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


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
