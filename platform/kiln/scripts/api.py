"""Scripts: save a version, list, read by path or hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kiln.accounts.models import Role
from kiln.accounts.selectors import membership_get, require_role
from kiln.api_params import WorkspacePath
from kiln.audit.services import audit_record

from . import selectors, services
from .models import Script, ScriptVersion
from .run_settings import ScriptSettings

router = Router(tags=["scripts"])


class ScriptIn(Schema):
    path: str
    language: str
    content: str
    summary: str = ""
    # The form as edited in the UI; omitted: the latest version's edits carry over.
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    # How its jobs run (limits, network, retry, tag, priority, concurrency); omitted: unchanged.
    settings: ScriptSettings | None = None


class InferIn(Schema):
    language: str
    content: str


class InferOut(Schema):
    language: str
    schema_: dict[str, Any] = Field(alias="schema")


class ScriptOut(Schema):
    path: str
    language: str
    hash: str
    summary: str
    content: str
    # `schema` would shadow a pydantic method: the field is schema_, on the wire "schema".
    schema_: dict[str, Any] = Field(alias="schema")
    settings: dict[str, Any]
    created_by: str
    created_at: datetime


class ScriptListOut(Schema):
    path: str
    language: str
    hash: str
    summary: str
    created_by: str
    created_at: datetime
    versions: int


def script_out(version: ScriptVersion) -> dict[str, Any]:
    return {
        "path": version.script.path,
        "language": version.language,
        "hash": version.hash,
        "summary": version.summary,
        "content": version.content,
        "schema": version.schema,
        "settings": version.script.settings,
        "created_by": version.created_by.email,
        "created_at": version.created_at,
    }


@router.post(
    "",
    response={200: ScriptOut, 201: ScriptOut},
    by_alias=True,
    summary="Save a script version (returns its inferred JSON Schema)",
)
def script_create(request: HttpRequest, workspace: WorkspacePath, payload: ScriptIn) -> Status:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(membership, Role.ADMIN, Role.DEVELOPER)  # operators run and view, never write
    saved = services.script_save(
        workspace=membership.workspace,
        user=request.auth,  # type: ignore[attr-defined]
        path=payload.path,
        language=payload.language,
        content=payload.content,
        summary=payload.summary,
        schema=payload.schema_,
        settings=payload.settings.model_dump(exclude_none=True) if payload.settings is not None else None,
    )
    if saved.created or payload.settings is not None:
        version = saved.version
        detail = {"hash": version.hash, "language": version.language, "new_version": saved.created}
        if payload.settings is not None:
            detail["settings"] = version.script.settings
        audit_record(
            request,
            actor=membership.user,
            workspace_id=membership.workspace_id,
            action="script.save",
            object_type="script",
            object_id=version.script.path,
            detail=detail,
        )
    return Status(201 if saved.created else 200, script_out(saved.version))


@router.post(
    "/infer_schema",
    response=InferOut,
    by_alias=True,
    summary="The JSON Schema of a script's main, without saving it (for the editor, as you type)",
)
def script_infer_schema(request: HttpRequest, workspace: WorkspacePath, payload: InferIn) -> dict[str, Any]:
    membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    language, schema = services.schema_infer(language=payload.language, content=payload.content)
    return {"language": language, "schema": schema}


@router.get("", response=list[ScriptListOut])
def script_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return [script_list_out(s) for s in selectors.script_list(workspace=membership.workspace)]


def script_list_out(script: Script) -> dict[str, Any]:
    latest = script.latest
    assert latest is not None  # script_list keeps only scripts with a version
    return {
        "path": script.path,
        "language": latest.language,
        "hash": latest.hash,
        "summary": latest.summary,
        "created_by": latest.created_by.email,
        "created_at": latest.created_at,
        "versions": script.version_count,  # type: ignore[attr-defined]  # annotated by script_list
    }


@router.get("/p/{path:path}", response=ScriptOut, by_alias=True, summary="The latest version of a script")
def script_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return script_out(selectors.version_by_path(workspace=membership.workspace, path=path))


@router.get("/h/{hash}", response=ScriptOut, by_alias=True, summary="One version of a script, by hash")
def script_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> dict[str, Any]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return script_out(selectors.version_by_hash(workspace=membership.workspace, hash=hash))


@router.put(
    "/settings/p/{path:path}",
    response=ScriptSettings,
    exclude_none=True,
    summary="Replace how a script's jobs run: limits, network, retry, tag, priority, concurrency",
)
def script_settings_put(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: ScriptSettings
) -> dict[str, Any]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(membership, Role.ADMIN, Role.DEVELOPER)
    script = selectors.script_get(workspace=membership.workspace, path=path)
    settings = payload.model_dump(exclude_none=True)
    saved = services.script_settings_update(script=script, settings=settings).settings
    audit_record(
        request,
        actor=membership.user,
        workspace_id=membership.workspace_id,
        action="script.settings",
        object_type="script",
        object_id=path,
        detail={"settings": saved},
    )
    return saved
