"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from kiln import fastsql
from kiln.accounts.models import ApiToken, Membership, TokenKind, User, Workspace
from kiln.errors import Forbidden, NotFound


def membership_get(*, user: User, workspace_id: str) -> Membership:
    """The user's membership of a workspace. Non-members get the same 404 as a
    missing workspace, so workspace names cannot be probed."""
    # A statement written once per process (kiln.fastsql): every workspace request makes it.
    membership = fastsql.get(
        Membership, {"user_id": user.pk, "workspace_id": workspace_id}, related=("workspace",)
    )
    if membership is None:
        raise NotFound(f"workspace '{workspace_id}' not found")
    membership.user = user
    return membership


def workspaces_of(*, user: User) -> list[tuple[Workspace, str]]:
    return [
        (m.workspace, m.role)
        for m in Membership.objects.select_related("workspace").filter(user=user).order_by("workspace_id")
    ]


def require_role(membership: Membership, *roles: str) -> None:
    """403 unless the member has one of `roles` in the workspace."""
    if membership.role not in roles:
        raise Forbidden(
            f"your role in workspace '{membership.workspace_id}' is {membership.role}; "
            f"this needs {' or '.join(roles)}",
            {"role": membership.role, "required": list(roles)},
        )


def personal_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, kind=TokenKind.PERSONAL).order_by("-created_at", "-pk")


def personal_token_get(*, user: User, token_id: int) -> ApiToken:
    """One of the user's personal tokens; someone else's is a 404 like a missing one."""
    token = personal_tokens_of(user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"token {token_id} not found")
    return token


def webhook_tokens_of(*, workspace: Workspace) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(workspace=workspace, kind=TokenKind.WEBHOOK)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def webhook_token_get(*, workspace: Workspace, token_id: int) -> ApiToken:
    token = webhook_tokens_of(workspace=workspace).filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"webhook token {token_id} not found")
    return token
