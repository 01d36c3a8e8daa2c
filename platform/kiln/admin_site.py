"""Django's admin for superusers: accounts and workspaces editable; jobs, tokens and the audit
log read-only (their state changes only through the platform's own compare-and-set paths)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kiln.accounts.models import ApiToken, Membership, User, Workspace, free_username
from kiln.audit.models import AuditEvent
from kiln.jobs.models import Job, Worker
from kiln.scripts.models import Script

admin.site.site_header = "Kiln administration"
admin.site.site_title = "Kiln admin"


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "username", "name", "is_active", "is_superuser", "date_joined")
    search_fields = ("email", "name", "username")
    exclude = ("password",)  # set passwords with `kiln user set-password`, never in a form field
    # The user's space is u/<username>/: renaming would strand what is saved there.
    readonly_fields = ("username",)
    inlines = (MembershipInline,)

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        if not obj.username:
            obj.username = free_username(obj.email)
        super().save_model(request, obj, form, change)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "name", "created_at")
    inlines = (MembershipInline,)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly):
    list_display = (
        "prefix",
        "user",
        "kind",
        "script_path",
        "label",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    exclude = ("digest",)


@admin.register(Script)
class ScriptAdmin(ReadOnly):
    list_display = ("path", "workspace", "created_by", "created_at")
    search_fields = ("path",)


@admin.register(Job)
class JobAdmin(ReadOnly):
    list_display = ("id", "workspace", "script_path", "status", "queue", "attempt", "created_at")
    list_filter = ("status", "queue", "trigger")
    search_fields = ("script_path", "id")


@admin.register(Worker)
class WorkerAdmin(ReadOnly):
    list_display = ("id", "tags", "concurrency", "heartbeat_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("created_at", "workspace_id", "actor_email", "action", "object_id")
    list_filter = ("action",)
    search_fields = ("object_id", "actor_email")
