"""`GET /api/w/{ws}/audit`: the workspace's audit log, newest first, for its admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from kiln.accounts.models import Role
from kiln.accounts.selectors import membership_get, require_role
from kiln.api_params import WorkspacePath
from kiln.timeutil import as_utc

from .models import AuditEvent

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]
    ip: str


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: int | None = None


@router.get("", response=AuditPageOut, summary="The audit log: who did what, newest first (admins)")
def audit_list(
    request: HttpRequest,
    workspace: WorkspacePath,
    action: str | None = Query(None, description="e.g. script.save, job.run (a prefix like `job.` works)"),
    actor: str | None = Query(None, description="The actor's email"),
    object_id: str | None = Query(
        None, description="A path, job id or token prefix; a trailing * matches a prefix"
    ),
    since: Annotated[datetime | None, Query(description="At or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="Before (ISO 8601)")] = None,
    cursor: int | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(membership, Role.ADMIN)
    events = AuditEvent.objects.filter(workspace_id=membership.workspace_id)
    if action:
        events = (
            events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
        )
    if actor:
        events = events.filter(actor_email=actor.strip().lower())
    if object_id:
        if object_id.endswith("*"):
            events = events.filter(object_id__startswith=object_id[:-1])
        else:
            events = events.filter(object_id=object_id)
    if since:
        events = events.filter(created_at__gte=as_utc(since))
    if until:
        events = events.filter(created_at__lt=as_utc(until))
    if cursor:
        events = events.filter(id__lt=cursor)
    page = list(events.order_by("-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [
            {
                "id": e.id,
                "created_at": e.created_at,
                "actor": e.actor_email,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "detail": e.detail,
                "ip": e.ip,
            }
            for e in page
        ],
        "next_cursor": page[-1].id if more and page else None,
    }
