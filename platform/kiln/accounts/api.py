"""Login, logout, who am I, my workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from kiln.accounts.models import Role, User, Workspace
from kiln.accounts.selectors import membership_get, require_role, workspaces_of
from kiln.errors import Unauthorized
from kiln.jobs.limits import platform_defaults, workspace_maximums
from kiln.scripts.run_settings import WorkspaceSettings, validate_workspace_settings, workspace_settings

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


@router.post("/auth/login", auth=None, response={200: MeOut, 401: ErrorOut})
def auth_login(request: HttpRequest, payload: LoginIn) -> MeOut:
    user = authenticate(request, username=payload.email.strip().lower(), password=payload.password)
    if not isinstance(user, User):
        raise Unauthorized("invalid email or password")
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


@router.get("/workspaces", response=list[WorkspaceOut])
def workspaces(request: HttpRequest) -> list[WorkspaceOut]:
    user = request.auth  # type: ignore[attr-defined]
    return [WorkspaceOut(id=w.id, name=w.name, role=role) for w, role in workspaces_of(user=user)]


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
    return workspace_settings_out(ws)
