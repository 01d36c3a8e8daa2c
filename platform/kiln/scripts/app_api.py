"""Apps: scripts and flows published for operators at /apps/{workspace}/{path}.

An app shows its form (the JSON Schema), summary and description, never its code or spec.
Operators see the apps their grants let them view and run those (kiln.accounts.access
`operator_may_run`); developers publish and unpublish the paths they may write.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kiln.accounts.access import Access, Principal, builder_caller, caller, require_path, visible_paths
from kiln.api_params import WorkspacePath
from kiln.audit.services import audit_record
from kiln.errors import NotFound
from kiln.flows.models import Flow

from .models import Script

router = Router(tags=["apps"])


class AppOut(Schema):
    path: str
    kind: Literal["script", "flow"]
    hash: str = Field(description="The version it runs: the latest")
    summary: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")
    published: bool


class AppPublishIn(Schema):
    published: bool


def _script_out(script: Script) -> dict[str, Any]:
    latest = script.latest
    assert latest is not None
    return {
        "path": script.path,
        "kind": "script",
        "hash": latest.hash,
        "summary": latest.summary,
        "description": str(latest.schema.get("description") or ""),
        "schema": latest.schema,
        "published": script.app,
    }


def _flow_out(flow: Flow) -> dict[str, Any]:
    latest = flow.latest
    assert latest is not None
    return {
        "path": flow.path,
        "kind": "flow",
        "hash": latest.hash,
        "summary": latest.summary,
        "description": latest.description,
        "schema": latest.schema,
        "published": flow.app,
    }


def _find(principal: Principal, path: str) -> Script | Flow:
    """The script or flow at `path` (a path holds one or the other), 404 if neither."""
    workspace_id = principal.workspace_id
    script = Script.objects.select_related("latest").filter(workspace_id=workspace_id, path=path).first()
    if script is not None and script.latest is not None:
        return script
    flow = Flow.objects.select_related("latest").filter(workspace_id=workspace_id, path=path).first()
    if flow is not None and flow.latest is not None:
        return flow
    raise NotFound(f"no script or flow at '{path}'")


def _out(item: Script | Flow) -> dict[str, Any]:
    return _script_out(item) if isinstance(item, Script) else _flow_out(item)


@router.get("", response=list[AppOut], by_alias=True, summary="The apps you may see and run, by path")
def app_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    visible = visible_paths(principal)
    scripts = Script.objects.select_related("latest").filter(
        visible, workspace_id=workspace, app=True, latest__isnull=False
    )
    flows = Flow.objects.select_related("latest").filter(
        visible, workspace_id=workspace, app=True, latest__isnull=False
    )
    apps = [_script_out(s) for s in scripts] + [_flow_out(f) for f in flows]
    return sorted(apps, key=lambda app: app["path"])


@router.get("/p/{path:path}", response=AppOut, by_alias=True, summary="One app: its form, never its code")
def app_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_path(principal, path, Access.VIEW)
    item = _find(principal, path)
    if not item.app:
        raise NotFound(f"'{path}' is not published as an app")
    return _out(item)


@router.put(
    "/p/{path:path}",
    response=AppOut,
    by_alias=True,
    summary="Publish a script or flow as an app, or unpublish it (its writers)",
)
def app_publish(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: AppPublishIn
) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_path(principal, path, Access.WRITE)
    item = _find(principal, path)
    if item.app != payload.published:
        item.app = payload.published
        item.save(update_fields=["app"])
        audit_record(
            request,
            actor=principal.member.user,
            workspace_id=principal.workspace_id,
            action="app.publish" if payload.published else "app.unpublish",
            object_type="script" if isinstance(item, Script) else "flow",
            object_id=path,
            detail={},
        )
    return _out(item)
