"""Variables (plain or secret), resources (JSON objects of a resource type), resource types,
and the state a script keeps between runs. Paths and access work as for scripts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kiln.accounts.models import Workspace
from kiln.fields import OrderedJSONField


class Variable(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="variables")
    path = models.CharField(max_length=255)
    is_secret = models.BooleanField(default=False)
    # A plain variable's value as it is; a secret's is empty here and lives in `ciphertext`
    # (Fernet: authenticated, so a changed byte fails to decrypt instead of reading garbage).
    value = models.TextField(blank=True)
    ciphertext = models.TextField(blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "path"], name="one_variable_per_path"),
            # A secret never has a clear value; a plain variable never a ciphertext.
            models.CheckConstraint(
                condition=models.Q(is_secret=True, value="") | models.Q(is_secret=False, ciphertext=""),
                name="variable_secret_xor_plain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.path}"


class ResourceType(models.Model):
    """A workspace's own resource type; the built-in ones live in code (resource_types.py)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="resource_types")
    name = models.CharField(max_length=64)
    schema = OrderedJSONField(default=dict)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_resource_type_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.name}"


class Resource(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="resources")
    path = models.CharField(max_length=255)
    resource_type = models.CharField(max_length=64)  # a built-in name or a ResourceType's
    # The object, with `$var:<path>` strings where a secret belongs (resolved when a job starts).
    value = OrderedJSONField(default=dict)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "path"], name="one_resource_per_path")]
        indexes = [models.Index(fields=["workspace", "resource_type"], name="resource_ws_type")]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.path}"


class ScriptState(models.Model):
    """A JSON value a script keeps from one run to the next (SDK get_state / set_state), keyed
    by the script's path (a flow's inline step: `<flow path>/<step id>`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=512)
    value = OrderedJSONField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="one_state_per_key")]
