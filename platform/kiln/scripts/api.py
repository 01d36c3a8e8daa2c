"""Scripts: save a version, list, read by path or hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kiln.accounts.access import (
    Access,
    Principal,
    builder_caller,
    caller,
    check_run_as,
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

from . import selectors, services
from .models import Script, ScriptVersion
from .run_settings import ScriptSettings
from .webhooks import WebhookIn

router = Router(tags=["scripts"])


class ScriptIn(Schema):
    path: str
    language: str
    content: str
    summary: str = ""
    description: str | None = Field(
        None, max_length=100_000, description="What it is for, at length; omitted: the latest version's"
    )
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
    description: str
    content: str
    # `schema` would shadow a pydantic method: the field is schema_, on the wire "schema".
    schema_: dict[str, Any] = Field(alias="schema")
    settings: dict[str, Any]
    created_by: str
    created_at: datetime
    access: str = Field(description="Yours: view (see and run), write or owner")
    app: bool = Field(description="Published as an app for operators (/apps/{workspace}/{path})")


class ScriptVersionOut(Schema):
    hash: str
    language: str
    summary: str
    created_by: str
    created_at: datetime
    latest: bool = Field(description="The version `run/p/{path}` runs")


class ScriptListOut(Schema):
    path: str
    language: str
    hash: str
    summary: str
    created_by: str
    created_at: datetime
    versions: int


class ScriptFullOut(ScriptOut):
    versions: int
    schema_edits: dict[str, Any] | None = Field(
        description="The schema's edits of what its code infers (as `kiln sync` writes them); "
        "null when the code no longer infers"
    )


def script_out(version: ScriptVersion, principal: Principal, access: Access | None = None) -> dict[str, Any]:
    if access is None:
        access = path_access(principal, version.script.path)
    return {
        "access": access.name.lower(),
        "path": version.script.path,
        "language": version.language,
        "hash": version.hash,
        "summary": version.summary,
        "description": version.description,
        "content": version.content,
        "schema": version.schema,
        "settings": version.script.settings,
        "created_by": version.created_by.email,
        "created_at": version.created_at,
        "app": version.script.app,
    }


@router.post(
    "",
    response={200: ScriptOut, 201: ScriptOut},
    by_alias=True,
    summary="Save a script version (returns its inferred JSON Schema)",
)
def script_create(request: HttpRequest, workspace: WorkspacePath, payload: ScriptIn) -> Status:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    membership = principal.member
    require_role(membership, Role.ADMIN, Role.DEVELOPER)  # operators run and view, never write
    # One transaction: a save that fails (bad code, bad settings) leaves no new folder behind.
    with transaction.atomic():
        if path_write_check(principal, payload.path):
            audit_record(
                request,
                actor=membership.user,
                workspace_id=membership.workspace_id,
                action="folder.create",
                object_type="folder",
                object_id=split_path(payload.path)[1],
                detail={"by_saving": payload.path},
            )
        existing = selectors.script_find(workspace=membership.workspace, path=payload.path)
        run_as_before = (existing.settings if existing is not None else {}).get("run_as")
        check_run_as(principal, run_as_before)  # changing the code of a script that runs as a group
        if payload.settings is not None:
            check_run_as(principal, payload.settings.run_as)
        saved = services.script_save(
            workspace=membership.workspace,
            user=request.auth,  # type: ignore[attr-defined]
            path=payload.path,
            language=payload.language,
            content=payload.content,
            summary=payload.summary,
            description=payload.description,
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
    return Status(201 if saved.created else 200, script_out(saved.version, principal))


@router.post(
    "/infer_schema",
    response=InferOut,
    by_alias=True,
    summary="The JSON Schema of a script's main, without saving it (for the editor, as you type)",
)
def script_infer_schema(request: HttpRequest, workspace: WorkspacePath, payload: InferIn) -> dict[str, Any]:
    builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    language, schema = services.schema_infer(language=payload.language, content=payload.content)
    return {"language": language, "schema": schema}


@router.get("", response=list[ScriptFullOut] | list[ScriptListOut], by_alias=True)
def script_list(
    request: HttpRequest,
    workspace: WorkspacePath,
    full: bool = Query(
        False, description="Each script as /p/{path} reads it, with its versions and schema_edits"
    ),
) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    scripts = selectors.script_list(workspace=principal.member.workspace).filter(visible_paths(principal))
    if not full:
        return [script_list_out(s) for s in scripts]
    # Each one as script_by_path answers it, under the same rule (require_path: view).
    viewable = ((s, path_access(principal, s.path)) for s in scripts)
    return [script_full_out(s, principal, access) for s, access in viewable if access >= Access.VIEW]


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


def script_full_out(script: Script, principal: Principal, access: Access) -> dict[str, Any]:
    latest = script.latest
    assert latest is not None  # script_list keeps only scripts with a version
    latest.script = script  # script_out reads it: one query less per script
    return {
        **script_out(latest, principal, access),
        "versions": script.version_count,  # type: ignore[attr-defined]  # annotated by script_list
        "schema_edits": services.version_schema_edits(version=latest),
    }


@router.get("/p/{path:path}", response=ScriptOut, by_alias=True, summary="The latest version of a script")
def script_by_path(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_path(principal, path, Access.VIEW)
    return script_out(selectors.version_by_path(workspace=principal.member.workspace, path=path), principal)


@router.delete(
    "/p/{path:path}",
    response={204: None},
    summary="Delete a script (its jobs and versions stay; 409 while a schedule runs it)",
)
def script_delete(request: HttpRequest, workspace: WorkspacePath, path: str) -> HttpResponse:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    membership = principal.member
    require_role(membership, Role.ADMIN, Role.DEVELOPER)
    require_path(principal, path, Access.WRITE)
    script = selectors.script_get(workspace=membership.workspace, path=path)
    check_run_as(principal, script.settings.get("run_as"))  # as for a change of its code
    with transaction.atomic():
        services.script_delete(script=script)
        audit_record(
            request,
            actor=membership.user,
            workspace_id=membership.workspace_id,
            action="script.delete",
            object_type="script",
            object_id=path,
            detail={},
        )
    return HttpResponse(status=204)


@router.get(
    "/versions/p/{path:path}",
    response=list[ScriptVersionOut],
    summary="A script's versions, newest first (read one with /h/{hash})",
)
def script_versions(request: HttpRequest, workspace: WorkspacePath, path: str) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_path(principal, path, Access.VIEW)
    script = selectors.script_get(workspace=principal.member.workspace, path=path)
    return [
        {
            "hash": v.hash,
            "language": v.language,
            "summary": v.summary,
            "created_by": v.created_by.email,
            "created_at": v.created_at,
            "latest": v.pk == script.latest_id,
        }
        for v in selectors.versions_of(script=script)
    ]


@router.get("/h/{hash}", response=ScriptOut, by_alias=True, summary="One version of a script, by hash")
def script_by_hash(request: HttpRequest, workspace: WorkspacePath, hash: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    version = selectors.version_by_hash(workspace=principal.member.workspace, hash=hash, principal=principal)
    return script_out(version, principal)


@router.put(
    "/settings/p/{path:path}",
    response=ScriptSettings,
    exclude_none=True,
    summary="Replace how a script's jobs run: limits, network, retry, tag, priority, concurrency",
)
def script_settings_put(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: ScriptSettings
) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    membership = principal.member
    require_role(membership, Role.ADMIN, Role.DEVELOPER)
    require_path(principal, path, Access.WRITE)
    script = selectors.script_get(workspace=membership.workspace, path=path)
    check_run_as(principal, script.settings.get("run_as"))
    check_run_as(principal, payload.run_as)
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


class WebhookOut(Schema):
    path: str
    raw_request: bool
    signature: dict[str, Any] | None = Field(
        None, description="scheme, header, tolerance_s (never the secret)"
    )
    has_secret: bool
    urls: dict[str, str] = Field(
        description="Where to send requests (token: header, or ?token= for webhook tokens)"
    )


def webhook_out(script: Script) -> dict[str, Any]:
    conf = script.webhook or {}
    base = f"/api/w/{script.workspace_id}/jobs"
    return {
        "path": script.path,
        "raw_request": bool(conf.get("raw_request")),
        "signature": conf.get("signature"),
        "has_secret": bool(script.webhook_secret),
        "urls": {
            "async": f"{base}/run/p/{script.path}",
            "sync": f"{base}/run_wait_result/p/{script.path}",
        },
    }


@router.get(
    "/webhook/p/{path:path}",
    response=WebhookOut,
    summary="A script as a third-party webhook: signature check and raw request (never the secret)",
)
def script_webhook_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_path(principal, path, Access.VIEW)
    return webhook_out(selectors.script_get(workspace=principal.member.workspace, path=path))


@router.put(
    "/webhook/p/{path:path}",
    response=WebhookOut,
    summary="Set how a script takes third-party webhooks: a signing secret (GitHub, Stripe, HMAC), "
    "the raw request",
)
def script_webhook_put(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: WebhookIn
) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(principal.member, Role.ADMIN, Role.DEVELOPER)
    require_path(principal, path, Access.WRITE)
    script = selectors.script_get(workspace=principal.member.workspace, path=path)
    check_run_as(principal, script.settings.get("run_as"))
    script = services.script_webhook_set(script=script, data=payload)
    out = webhook_out(script)
    audit_record(
        request,
        actor=principal.member.user,
        workspace_id=principal.workspace_id,
        action="script.webhook",
        object_type="script",
        object_id=path,
        detail={
            "raw_request": out["raw_request"],
            "signature": out["signature"],
            "secret_changed": bool(payload.signature and payload.signature.secret),
        },
    )
    return out
