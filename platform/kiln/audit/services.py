"""Recording audit events. Called by the API views after a write succeeds, inside the same
request; an event is one INSERT."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kiln import fastsql
from kiln.accounts.models import User

from .models import AuditEvent


def audit_record(
    request: HttpRequest | None,
    *,
    actor: User | None,
    workspace_id: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    event = AuditEvent(
        workspace_id=workspace_id,
        actor=actor,
        actor_email=actor.email if actor is not None else "(signed URL)",
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:255],
        detail=detail or {},
        ip=ip[:64],
    )
    return fastsql.insert(event)  # written once per process: a run request records one
