"""Login, logout, who am I, my workspaces, workspace settings, API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from kiln.accounts.access import Access, Principal, caller, path_access, require_path, visible_paths
from kiln.accounts.login_guard import login_check, login_failed, login_succeeded
from kiln.accounts.models import ApiToken, Role, TokenKind, User, Workspace
from kiln.accounts.selectors import (
    membership_get,
    personal_token_get,
    personal_tokens_of,
    require_role,
    webhook_token_get,
    webhook_tokens_of,
    workspaces_of,
)
from kiln.accounts.services import LABEL_MAX, token_issue, token_revoke
from kiln.audit.services import audit_record
from kiln.errors import BadRequest, Forbidden, NotFound, Unauthorized
from kiln.jobs.limits import platform_defaults, workspace_maximums
from kiln.scripts.run_settings import WorkspaceSettings, validate_workspace_settings, workspace_settings
from kiln.timeutil import as_utc

router = Router(tags=["accounts"])


class WorkspaceOut(Schema):
    id: str
    name: str
    role: str


class MeOut(Schema):
    email: str
    name: str
    is_admin: bool
    workspaces: list[WorkspaceOut]


class LoginIn(Schema):
    email: str
    password: str


class ErrorOut(Schema):
    message: str
    detail: object | None = None


class HealthOut(Schema):
    status: str


def me_out(user: User) -> MeOut:
    return MeOut(
        email=user.email,
        name=user.name,
        is_admin=user.is_superuser,
        workspaces=[WorkspaceOut(id=w.id, name=w.name, role=role) for w, role in workspaces_of(user=user)],
    )


@router.get("/health", auth=None, response=HealthOut, tags=["operations"])
def health(request: HttpRequest) -> HealthOut:
    return HealthOut(status="ok")


@router.post("/auth/login", auth=None, response={200: MeOut, 401: ErrorOut, 429: ErrorOut})
def auth_login(request: HttpRequest, payload: LoginIn) -> MeOut:
    email = payload.email.strip().lower()
    login_check(request, email)  # 429 while this email or address is locked out
    user = authenticate(request, username=email, password=payload.password)
    if not isinstance(user, User):
        login_failed(request, email)
        raise Unauthorized("invalid email or password")  # the same for an unknown email
    login_succeeded(request, email)
    login(request, user)
    return me_out(user)


@router.post("/auth/logout", response={204: None})
def auth_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponse(status=204)


@router.get("/auth/me", response={200: MeOut, 401: ErrorOut})
def auth_me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return me_out(user)


class WorkspaceSettingsOut(Schema):
    workspace: str
    settings: WorkspaceSettings
    # The maximum per limit in force (set ones, else the built-in ones) and the platform defaults.
    effective_max_limits: dict[str, int]
    default_limits: dict[str, int]


def workspace_settings_out(workspace: Workspace) -> dict[str, Any]:
    parsed = workspace_settings(workspace.settings)
    return {
        "workspace": workspace.id,
        "settings": parsed,
        "effective_max_limits": workspace_maximums(parsed.max_limits.model_dump()),
        "default_limits": platform_defaults().as_dict(),
    }


@router.get(
    "/w/{workspace}/settings",
    response=WorkspaceSettingsOut,
    exclude_none=True,
    summary="A workspace's settings: default network, maximum job limits",
)
def workspace_settings_get(request: HttpRequest, workspace: str) -> dict[str, Any]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return workspace_settings_out(membership.workspace)


@router.put(
    "/w/{workspace}/settings",
    response=WorkspaceSettingsOut,
    exclude_none=True,
    summary="Replace a workspace's settings (admins only)",
)
def workspace_settings_put(
    request: HttpRequest, workspace: str, payload: WorkspaceSettings
) -> dict[str, Any]:
    membership = membership_get(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(membership, Role.ADMIN)
    ws = membership.workspace
    ws.settings = validate_workspace_settings(payload.model_dump(exclude_none=True))
    ws.save(update_fields=["settings"])
    audit_record(
        request,
        actor=membership.user,
        workspace_id=ws.id,
        action="workspace.settings",
        object_type="workspace",
        object_id=ws.id,
        detail={"settings": ws.settings},
    )
    return workspace_settings_out(ws)


class TokenIn(Schema):
    label: str = Field(..., min_length=1, max_length=LABEL_MAX)
    expires_at: datetime | None = Field(None, description="ISO 8601; without an offset it is UTC")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Instead of expires_at")

    def expiry(self) -> datetime | None:
        if self.expires_at is not None and self.expires_in_days is not None:
            raise BadRequest("give expires_at or expires_in_days, not both", {"field": "expires_at"})
        if self.expires_in_days is not None:
            return timezone.now() + timedelta(days=self.expires_in_days)
        return as_utc(self.expires_at)


class WebhookTokenIn(TokenIn):
    path: str = Field(..., min_length=1, max_length=255, description="The one script path it may run")


class TokenOut(Schema):
    id: int
    label: str
    prefix: str = Field(description="The secret's first characters, to tell tokens apart")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret: shown only now, stored hashed")


class WebhookTokenOut(TokenOut):
    path: str
    created_by: str = Field(description="Whose rights its runs get: the creator's")


class WebhookTokenCreatedOut(WebhookTokenOut):
    token: str = Field(description="The secret: shown only now, stored hashed")


def token_out(token: ApiToken) -> dict[str, Any]:
    out = {
        "id": token.pk,
        "label": token.label,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }
    if token.kind == TokenKind.WEBHOOK:
        out |= {"path": token.script_path, "created_by": token.user.email}
    return out


@router.get("/tokens", response=list[TokenOut], tags=["tokens"], summary="My personal API tokens")
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [token_out(t) for t in personal_tokens_of(user=request.auth)]  # type: ignore[attr-defined]


@router.post(
    "/tokens",
    response={201: TokenCreatedOut},
    tags=["tokens"],
    summary="Create a personal API token; the secret is in this answer only",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    user: User = request.auth  # type: ignore[attr-defined]
    issued = token_issue(user=user, label=payload.label, expires_at=payload.expiry())
    audit_record(
        request,
        actor=user,
        workspace_id="",  # a personal token belongs to no workspace: in the admin's audit view only
        action="token.create",
        object_type="token",
        object_id=issued.token.prefix,
        detail={"kind": "personal", "label": payload.label},
    )
    return Status(201, {**token_out(issued.token), "token": issued.secret})


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"], summary="Revoke my token")
def token_delete(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.auth  # type: ignore[attr-defined]
    token = personal_token_get(user=user, token_id=token_id)
    token_revoke(token=token)
    audit_record(
        request,
        actor=user,
        workspace_id="",
        action="token.revoke",
        object_type="token",
        object_id=token.prefix,
        detail={"kind": "personal"},
    )
    return HttpResponse(status=204)


def _webhook_caller(request: HttpRequest, workspace: str) -> Principal:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(principal.member, Role.ADMIN, Role.DEVELOPER)
    return principal


@router.get(
    "/w/{workspace}/webhook_tokens",
    response=list[WebhookTokenOut],
    tags=["tokens"],
    summary="The workspace's webhook tokens (admins, developers)",
)
def webhook_token_list(request: HttpRequest, workspace: str) -> list[dict[str, Any]]:
    principal = _webhook_caller(request, workspace)
    tokens = webhook_tokens_of(workspace=principal.member.workspace).filter(
        visible_paths(principal, "script_path")
    )
    return [token_out(t) for t in tokens]


@router.post(
    "/w/{workspace}/webhook_tokens",
    response={201: WebhookTokenCreatedOut},
    tags=["tokens"],
    summary="Create a token that can only run one script, as you; the secret is in this answer only",
)
def webhook_token_create(request: HttpRequest, workspace: str, payload: WebhookTokenIn) -> Status:
    user: User = request.auth  # type: ignore[attr-defined]
    principal = _webhook_caller(request, workspace)
    ws = principal.member.workspace
    require_path(principal, payload.path, Access.VIEW)  # a token runs as you: only what you may run
    issued = token_issue(
        user=user,
        label=payload.label,
        expires_at=payload.expiry(),
        kind=TokenKind.WEBHOOK,
        workspace=ws,
        script_path=payload.path,
    )
    audit_record(
        request,
        actor=user,
        workspace_id=ws.id,
        action="token.create",
        object_type="token",
        object_id=issued.token.prefix,
        detail={"kind": "webhook", "path": payload.path, "label": payload.label},
    )
    return Status(201, {**token_out(issued.token), "token": issued.secret})


@router.delete(
    "/w/{workspace}/webhook_tokens/{token_id}",
    response={204: None},
    tags=["tokens"],
    summary="Revoke a webhook token (admins, developers)",
)
def webhook_token_delete(request: HttpRequest, workspace: str, token_id: int) -> HttpResponse:
    principal = _webhook_caller(request, workspace)
    ws = principal.member.workspace
    token = webhook_token_get(workspace=ws, token_id=token_id)
    if path_access(principal, token.script_path) < Access.VIEW:
        raise NotFound(f"webhook token {token_id} not found")
    token_revoke(token=token)
    audit_record(
        request,
        actor=request.auth,  # type: ignore[attr-defined]
        workspace_id=ws.id,
        action="token.revoke",
        object_type="token",
        object_id=token.prefix,
        detail={"kind": "webhook", "path": token.script_path},
    )
    return HttpResponse(status=204)


class PasswordChangeIn(Schema):
    current_password: str
    new_password: str


class PasswordResetIn(Schema):
    new_password: str | None = Field(
        None, description="Omitted: a new password is generated and returned once"
    )


class PasswordResetOut(Schema):
    email: str
    password: str | None = Field(None, description="The generated password, shown this once")


def _check_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BadRequest(f"new_password: {' '.join(exc.messages)}", {"field": "new_password"}) from None


@router.post(
    "/auth/password",
    response={204: None},
    summary="Change my password (the current one is asked again; failures count as failed logins)",
)
def auth_password_change(request: HttpRequest, payload: PasswordChangeIn) -> HttpResponse:
    user: User = request.auth  # type: ignore[attr-defined]
    login_check(request, user.email)
    if not user.check_password(payload.current_password):
        login_failed(request, user.email)
        raise BadRequest("current_password is wrong", {"field": "current_password"})
    _check_new_password(payload.new_password, user)
    user.set_password(payload.new_password)
    user.save(update_fields=["password"])
    if request.user.is_authenticated and request.user.pk == user.pk:
        update_session_auth_hash(request, user)  # this session stays logged in; the others end
    audit_record(
        request,
        actor=user,
        workspace_id="",
        action="user.password_change",
        object_type="user",
        object_id=user.email,
    )
    return HttpResponse(status=204)


@router.post(
    "/users/{email}/password",
    response={200: PasswordResetOut},
    summary="Reset a user's password (superusers only); without new_password one is generated",
)
def user_password_reset(request: HttpRequest, email: str, payload: PasswordResetIn) -> dict[str, Any]:
    admin: User = request.auth  # type: ignore[attr-defined]
    if not admin.is_superuser:
        raise Forbidden("only superusers reset other users' passwords", {"required": "superuser"})
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise NotFound(f"user '{email}' not found")
    generated = None
    password = payload.new_password
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    else:
        _check_new_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        request,
        actor=admin,
        workspace_id="",
        action="user.password_reset",
        object_type="user",
        object_id=user.email,
    )
    return {"email": user.email, "password": generated}
