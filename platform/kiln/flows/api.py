"""Flows: save a version (JSON, or imported YAML/JSON text), list, read, export, versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kiln.accounts.access import (
    Access,
    Principal,
    builder_caller,
    caller,
    path_access,
    require_path,
    split_path,
    visible_paths,
)
from kiln.accounts.access_services import path_write_check
from kiln.accounts.models import Role
from kiln.accounts.selectors import require_role
from kiln.api_params import WorkspacePath
from kiln.audit.services import audit_record
from kiln.errors import NotFound

from . import selectors, services, spec
from .models import Flow, FlowVersion

router = Router(tags=["flows"])


class FlowIn(Schema):
    path: str
    summary: str = ""
    description: str = ""
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    value: dict[str, Any] = Field(description="modules, failure_module, early_return, concurrent_limit ...")


class FlowImportIn(Schema):
    path: str
    format: Literal["yaml", "json"] | None = Field(None, description="Omitted: guessed from the text")
    content: str = Field(description="The flow document as YAML or JSON text")


class FlowOut(Schema):
    path: str
    hash: str
    summary: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")
    value: dict[str, Any]
    created_by: str
    created_at: datetime
    access: str = Field(description="Yours: view (see and run), write or owner")
    app: bool = Field(description="Published as an app for operators (/apps/{workspace}/{path})")


class FlowListOut(Schema):
    path: str
    hash: str
    summary: str
    created_by: str
    created_at: datetime
    versions: int


class FlowFullOut(FlowOut):
    versions: int


class FlowVersionOut(Schema):
    hash: str
    summary: str
    created_by: str
    created_at: datetime


def flow_out(version: FlowVersion, principal: Principal, access: Access | None = None) -> dict[str, Any]:
    if access is None:
        access = path_access(principal, version.flow.path)
    return {
        "path": version.flow.path,
        "hash": version.hash,
        "summary": version.summary,
        "description": version.description,
        "schema": version.schema,
        "value": version.value,
        "created_by": version.created_by.email,
        "created_at": version.created_at,
        "access": access.name.lower(),
        "app": version.flow.app,
    }


def _save(request: HttpRequest, workspace: str, path: str, save: Any) -> Status:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    membership = principal.member
    require_role(membership, Role.ADMIN, Role.DEVELOPER)
    with transaction.atomic():  # a save that fails leaves no new folder behind
        if path_write_check(principal, path):
            audit_record(
                request,
                actor=membership.user,
                workspace_id=membership.workspace_id,
                action="folder.create",
                object_type="folder",
                object_id=split_path(path)[1],
                detail={"by_saving": path},
            )
        saved: services.SavedFlow = save(membership.workspace, membership.user)
        if saved.created:
            audit_record(
                request,
                actor=membership.user,
                workspace_id=membership.workspace_id,
                action="flow.save",
                object_type="flow",
                object_id=path,
                detail={"hash": saved.version.hash},
            )
    return Status(201 if saved.created else 200, flow_out(saved.version, principal))


@router.post("", response={200: FlowOut, 201: FlowOut}, by_alias=True, summary="Save a flow version")
def flow_create(request: HttpRequest, workspace: WorkspacePath, payload: FlowIn) -> Status:
    doc: dict[str, Any] = {
        "summary": payload.summary,
        "description": payload.description,
        "value": payload.value,
    }
    if payload.schema_ is not None:
        doc["schema"] = payload.schema_
    return _save(
        request,
        workspace,
        payload.path,
        lambda ws, user: services.flow_save(workspace=ws, user=user, path=payload.path, doc=doc),
    )


@router.post(
    "/import",
    response={200: FlowOut, 201: FlowOut},
    by_alias=True,
    summary="Save a flow version from YAML or JSON text (e.g. a Windmill flow.yaml)",
)
def flow_import(request: HttpRequest, workspace: WorkspacePath, payload: FlowImportIn) -> Status:
    return _save(
        request,
        workspace,
        payload.path,
        lambda ws, user: services.flow_import(
            workspace=ws, user=user, path=payload.path, text=payload.content, fmt=payload.format
        ),
    )


@router.get(
    "",
    response=list[FlowFullOut] | list[FlowListOut],
    by_alias=True,
    summary="The flows you may see, newest first",
)
def flow_list(
    request: HttpRequest,
    workspace: WorkspacePath,
    full: bool = Query(False, description="Each flow as /p/{path} reads it, with its versions"),
) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    flows = (
        Flow.objects.filter(workspace=principal.member.workspace, latest__isnull=False)
        .filter(visible_paths(principal))
        .select_related("latest", "latest__created_by")
        .annotate(version_count=Count("versions"))
        .order_by("-latest__created_at", "path")
    )
    if full:
        # Each one as flow_by_path answers it, under the same rule (require_path: view).
        viewable = ((f, path_access(principal, f.path)) for f in flows)
        return [flow_full_out(f, principal, access) for f, access in viewable if access >= Access.VIEW]
    out = []
    for flow in flows:
        latest = flow.latest
        assert latest is not None
        out.append(
            {
                "path": flow.path,
                "hash": latest.hash,
                "summary": latest.summary,
                "created_by": latest.created_by.email,
                "created_at": latest.created_at,
                "versions": flow.version_count,  # type: ignore[attr-defined]
            }
        )
    return out


def flow_full_out(flow: Flow, principal: Principal, access: Access) -> dict[str, Any]:
    latest = flow.latest
    assert latest is not None
    latest.flow = flow  # flow_out reads it: one query less per flow
    return {**flow_out(latest, principal, access), "versions": flow.version_count}  # type: ignore[attr-defined]


def latest_version(principal: Principal, path: str) -> FlowVersion:
    require_path(principal, path, Access.VIEW)
    version = selectors.latest_version(workspace=principal.member.workspace, path=path)
    if version is None:
        raise NotFound(f"flow '{path}' not found")
    return version


def version_by_hash(principal: Principal, hash: str, path: str | None = None) -> FlowVersion:
    """A version the principal may see (the same document saved at two paths has one hash:
    then the oldest such version it may see, or the one at `path`)."""
    versions = FlowVersion.objects.select_related("flow", "created_by").filter(
        flow__workspace=principal.member.workspace, hash=hash
    )
    if path is not None:
        versions = versions.filter(flow__path=path)
    for version in versions.order_by("created_at", "id"):
        if path_access(principal, version.flow.path) >= Access.VIEW:
            return version
    raise NotFound(f"flow version '{hash}' not found")


@router.get("/p/{path:path}", response=FlowOut, by_alias=True, summary="The latest version of a flow")
def flow_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return flow_out(latest_version(principal, path), principal)


@router.delete(
    "/p/{path:path}",
    response={204: None},
    summary="Delete a flow (its runs and versions stay; 409 while a schedule runs it)",
)
def flow_delete(request: HttpRequest, workspace: WorkspacePath, path: str) -> HttpResponse:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    membership = principal.member
    require_role(membership, Role.ADMIN, Role.DEVELOPER)
    require_path(principal, path, Access.WRITE)
    version = latest_version(principal, path)
    with transaction.atomic():
        services.flow_delete(flow=version.flow)
        audit_record(
            request,
            actor=membership.user,
            workspace_id=membership.workspace_id,
            action="flow.delete",
            object_type="flow",
            object_id=path,
            detail={"hash": version.hash},
        )
    return HttpResponse(status=204)


@router.get("/h/{hash}", response=FlowOut, by_alias=True, summary="One version of a flow, by hash")
def flow_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return flow_out(version_by_hash(principal, hash), principal)


@router.get(
    "/versions/p/{path:path}", response=list[FlowVersionOut], summary="A flow's versions, newest first"
)
def flow_versions(request: HttpRequest, workspace: WorkspacePath, path: str) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    latest = latest_version(principal, path)
    versions = latest.flow.versions.select_related("created_by").order_by("-created_at", "-id")
    return [
        {"hash": v.hash, "summary": v.summary, "created_by": v.created_by.email, "created_at": v.created_at}
        for v in versions
    ]


@router.get(
    "/export/p/{path:path}",
    response={200: str},
    summary="The latest version of a flow as a YAML or JSON document, to keep or import elsewhere",
)
def flow_export(
    request: HttpRequest,
    workspace: WorkspacePath,
    path: str,
    format: Literal["yaml", "json"] = Query("yaml"),
    hash: str | None = Query(None, description="A version's hash; omitted: the latest"),
) -> HttpResponse:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    version = latest_version(principal, path)
    if hash is not None:
        version = version_by_hash(principal, hash, path)
    text = spec.dump_text(version.document(), format)
    name = path.rsplit("/", 1)[-1]
    content_type = "application/yaml" if format == "yaml" else "application/json"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.flow.{format}"'
    return response
