"""Reads for accounts."""

from __future__ import annotations

from kiln.accounts.models import Membership, User, Workspace
from kiln.errors import Forbidden, NotFound


def membership_get(*, user: User, workspace_id: str) -> Membership:
    """The user's membership of a workspace. Non-members get the same 404 as a
    missing workspace, so workspace names cannot be probed."""
    membership = (
        Membership.objects.select_related("workspace").filter(user=user, workspace_id=workspace_id).first()
    )
    if membership is None:
        raise NotFound(f"workspace '{workspace_id}' not found")
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
