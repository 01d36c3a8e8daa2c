"""Scripts and their immutable versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kiln.accounts.models import Workspace
from kiln.fields import OrderedJSONField


class Script(models.Model):
    """A path in a workspace (`u/<user>/<name>` or `f/<folder>/<name>`); its code lives in versions."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="scripts")
    path = models.CharField(max_length=255)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Denormalised pointer to the newest version: `run/p/{path}` reads it without a sort.
    latest = models.ForeignKey("ScriptVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    # How its jobs run: limits, network, retry, tag, priority, concurrency (kiln.scripts.settings).
    # Per path, not per version: changing them makes no new version; each job copies them.
    settings = models.JSONField(default=dict)
    # As a third-party webhook: raw_request, signature {scheme, header, tolerance_s} (kiln.scripts.webhooks).
    webhook = models.JSONField(default=dict)
    webhook_secret = models.TextField(blank=True)  # the signing secret, encrypted (kiln.crypto)
    # Published as an app (/apps/{workspace}/{path}): operators may see its form and run it.
    app = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "path"], name="one_script_per_path")]

    def __str__(self) -> str:
        return f"{self.workspace_id}:{self.path}"


class ScriptVersion(models.Model):
    """One saved content of a script: never updated, named by the hash of what it runs."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="versions")
    hash = models.CharField(max_length=64)
    language = models.CharField(max_length=32)
    content = models.TextField()
    schema = OrderedJSONField()
    summary = models.CharField(max_length=500, blank=True)
    # What it is for, at length (Markdown); like the summary, not part of the hash.
    description = models.TextField(blank=True, default="")
    # Pinned dependencies, resolved on the first run and reused by every later one
    # (null: not resolved yet; "": the script needs none).
    lock = models.TextField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["script", "hash"], name="one_version_per_hash")]
        indexes = [models.Index(fields=["hash"])]

    def __str__(self) -> str:
        return f"{self.script.path}@{self.hash}"
