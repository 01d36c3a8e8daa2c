"""Reads for scripts."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from kiln import fastsql
from kiln.accounts.access import Access, Principal, path_access
from kiln.accounts.models import Workspace
from kiln.errors import NotFound

from .models import Script, ScriptVersion


def script_list(*, workspace: Workspace) -> QuerySet[Script]:
    return (
        Script.objects.filter(workspace=workspace, latest__isnull=False)
        .select_related("latest", "latest__created_by")
        .annotate(version_count=Count("versions"))
        .order_by("-latest__created_at", "path")
    )


def version_by_path(*, workspace: Workspace, path: str) -> ScriptVersion:
    """The latest version of the script at `path`, with its script (and that script's
    workspace). A statement written once per process (kiln.fastsql): every run by path makes
    it."""
    script = fastsql.get(
        Script, {"workspace_id": workspace.pk, "path": path}, related=("latest", "latest__created_by")
    )
    if script is None:  # none, or deleted (no latest version)
        raise NotFound(f"script '{path}' not found")
    script.workspace = workspace
    version = script.latest
    assert version is not None
    version.script = script
    return version


def version_by_hash(*, workspace: Workspace, hash: str, principal: Principal | None = None) -> ScriptVersion:
    """One version; with `principal`, a version of a path it may not view is a 404 too."""
    version = (
        ScriptVersion.objects.select_related("script", "created_by")
        .filter(script__workspace=workspace, hash=hash)
        .first()
    )
    if version is None or (
        principal is not None and path_access(principal, version.script.path) < Access.VIEW
    ):
        raise NotFound(f"script version '{hash}' not found")
    return version


def script_get(*, workspace: Workspace, path: str) -> Script:
    """The script at `path`; a deleted one (no latest version) is not found."""
    script = Script.objects.select_related("workspace").filter(workspace=workspace, path=path).first()
    if script is None or script.latest_id is None:
        raise NotFound(f"script '{path}' not found")
    return script


def script_find(*, workspace: Workspace, path: str) -> Script | None:
    return Script.objects.filter(workspace=workspace, path=path).first()


def versions_of(*, script: Script) -> QuerySet[ScriptVersion]:
    """A script's versions, newest first."""
    return script.versions.select_related("created_by").order_by("-created_at", "-id")
