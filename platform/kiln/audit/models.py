"""The audit log: who did what to which object, and when. Append-only in the app: an event
is never changed or deleted through Django (a database administrator still can)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class AppendOnly(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit events are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events are never deleted")


class AuditEvent(models.Model):
    # Kept as plain text, not a foreign key: the record outlives the workspace or user it names.
    workspace_id = models.CharField(max_length=50, blank=True, db_index=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254)
    action = models.CharField(max_length=64)  # e.g. script.save, job.run, token.create
    object_type = models.CharField(max_length=32)  # script, job, workspace, token
    object_id = models.CharField(max_length=255)  # a path, a job id, a workspace id, a token prefix
    detail = models.JSONField(default=dict)
    ip = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        indexes = [
            models.Index(fields=["workspace_id", "-id"], name="audit_ws"),
            models.Index(fields=["workspace_id", "action", "-id"], name="audit_ws_action"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit events are never deleted")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_email} {self.action} {self.object_id}"
