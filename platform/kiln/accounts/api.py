"""Login, logout, who am I, my workspaces."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from kiln.accounts.models import User
from kiln.accounts.selectors import workspaces_of
from kiln.errors import Unauthorized

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
