"""Flows and their immutable versions; the cache of step results."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from kiln.accounts.models import Workspace
from kiln.fields import OrderedJSONField


class Flow(models.Model):
    """A path in a workspace, like a script's; its spec lives in versions."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="flows")
    path = models.CharField(max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    latest = models.ForeignKey("FlowVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    # Published as an app (/apps/{workspace}/{path}): operators may see its form and run it.
    app = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "path"], name="one_flow_per_path")]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.path}"


class FlowVersion(models.Model):
    """One saved spec of a flow: never updated, named by the hash of the whole document."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    hash = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    schema = OrderedJSONField()
    value = OrderedJSONField()  # modules, failure_module, early_return, ... (kiln.flows.spec)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow", "hash"], name="one_flow_version_per_hash")]
        indexes = [models.Index(fields=["hash"])]

    def __str__(self) -> str:
        return f"{self.flow.path}@{self.hash}"

    def document(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "description": self.description,
            "schema": self.schema,
            "value": self.value,
        }


class StepCache(models.Model):
    """A step's result kept for its `cache_ttl`: the same code with the same arguments in the
    same workspace is not run again until it expires."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)  # sha256 of what ran and its arguments
    result = OrderedJSONField(null=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="one_cached_result_per_key")]


class InlineLock(models.Model):
    """The resolved dependencies of a flow's inline script, by its content hash: resolved on
    the first run and reused by every later one, as a script version's `lock` is."""

    hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=32)
    lock = models.TextField(blank=True)
