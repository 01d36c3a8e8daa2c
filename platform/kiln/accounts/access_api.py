"""Users and workspaces (superusers), members and groups (workspace admins), folders and grants."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from kiln.api_params import WorkspacePath
from kiln.audit.services import audit_record
from kiln.errors import Forbidden, NotFound

from . import access_services as services
from .access import Access, Principal, caller, folder_access, folder_levels
from .models import ALL_GROUP, Folder, Group, Membership, Role, User
from .selectors import require_role, workspaces_of

router = Router(tags=["access"])
RoleName = Literal["admin", "developer", "operator"]
LevelName = Literal["viewer", "writer", "owner"]


def _superuser(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.is_superuser:
        raise Forbidden("only superusers manage users and workspaces", {"required": "superuser"})
    return user


def _admin(request: HttpRequest, workspace: str) -> Principal:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    require_role(principal.member, Role.ADMIN)
    return principal


def _audit(
    request: HttpRequest, who: User, workspace: str, action: str, kind: str, oid: str, **detail: Any
) -> None:
    audit_record(
        request,
        actor=who,
        workspace_id=workspace,
        action=action,
        object_type=kind,
        object_id=oid,
        detail=detail,
    )


# --- users and workspaces (superusers) ---------------------------------------------------


class UserIn(Schema):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=150)
    password: str | None = Field(None, description="Omitted: one is generated and returned once")


class UserOut(Schema):
    email: str
    name: str
    is_superuser: bool
    is_active: bool
    date_joined: datetime


class UserCreatedOut(UserOut):
    password: str | None = Field(None, description="The generated password, shown this once")


def user_out(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
    }


@router.get("/users", response=list[UserOut], summary="Every user (superusers only)")
def user_list(request: HttpRequest) -> list[dict[str, Any]]:
    _superuser(request)
    return [user_out(u) for u in User.objects.order_by("email")]


@router.post("/users", response={201: UserCreatedOut}, summary="Create a user (superusers only)")
def user_create(request: HttpRequest, payload: UserIn) -> Status:
    admin = _superuser(request)
    created = services.user_create(email=payload.email, name=payload.name, password=payload.password)
    _audit(request, admin, "", "user.create", "user", created.user.email)
    return Status(201, {**user_out(created.user), "password": created.password})


class WorkspaceIn(Schema):
    id: str = Field(..., max_length=50, description="2-50 lowercase letters, digits and -")
    name: str = Field("", max_length=100)


class WorkspaceCreatedOut(Schema):
    id: str
    name: str
    role: str


@router.get("/workspaces", response=list[WorkspaceCreatedOut], summary="My workspaces, with my role in each")
def workspaces(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    return [{"id": w.id, "name": w.name, "role": role} for w, role in workspaces_of(user=user)]


@router.post(
    "/workspaces",
    response={201: WorkspaceCreatedOut},
    summary="Create a workspace, with you as its admin (superusers only)",
)
def workspace_create(request: HttpRequest, payload: WorkspaceIn) -> Status:
    admin = _superuser(request)
    ws = services.workspace_create(user=admin, id=payload.id, name=payload.name)
    _audit(request, admin, ws.id, "workspace.create", "workspace", ws.id)
    return Status(201, {"id": ws.id, "name": ws.name, "role": Role.ADMIN})


# --- members -------------------------------------------------------------------------------


class MemberIn(Schema):
    email: str = Field(..., max_length=254)
    role: RoleName = "developer"


class MemberRoleIn(Schema):
    role: RoleName


class MemberOut(Schema):
    email: str
    name: str
    role: str
    groups: list[str]


def member_out(m: Membership) -> dict[str, Any]:
    groups = sorted(g.name for g in m.user.kiln_groups.all() if g.workspace_id == m.workspace_id)
    return {"email": m.user.email, "name": m.user.name, "role": m.role, "groups": groups}


def _member(workspace: str, email: str) -> Membership:
    found = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=workspace, user__email=email.strip().lower())
        .first()
    )
    if found is None:
        raise NotFound(f"member '{email}' not found")
    return found


@router.get("/w/{workspace}/members", response=list[MemberOut], summary="The workspace's members")
def member_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    members = (
        Membership.objects.filter(workspace_id=workspace)
        .select_related("user")
        .prefetch_related("user__kiln_groups")
        .order_by("user__email")
    )
    return [member_out(m) for m in members]


@router.post("/w/{workspace}/members", response={201: MemberOut}, summary="Add a user as a member (admins)")
def member_add(request: HttpRequest, workspace: WorkspacePath, payload: MemberIn) -> Status:
    admin = _admin(request, workspace)
    m = services.member_add(workspace=admin.member.workspace, email=payload.email, role=payload.role)
    _audit(request, admin.member.user, workspace, "member.add", "member", m.user.email, role=m.role)
    return Status(201, member_out(m))


@router.put("/w/{workspace}/members/{email}", response=MemberOut, summary="Change a member's role (admins)")
def member_role_set(
    request: HttpRequest, workspace: WorkspacePath, email: str, payload: MemberRoleIn
) -> dict[str, Any]:
    admin = _admin(request, workspace)
    m = services.member_role_set(membership=_member(workspace, email), role=payload.role)
    _audit(request, admin.member.user, workspace, "member.role", "member", m.user.email, role=m.role)
    return member_out(m)


@router.delete("/w/{workspace}/members/{email}", response={204: None}, summary="Remove a member (admins)")
def member_remove(request: HttpRequest, workspace: WorkspacePath, email: str) -> HttpResponse:
    admin = _admin(request, workspace)
    m = _member(workspace, email)
    services.member_remove(membership=m)
    _audit(request, admin.member.user, workspace, "member.remove", "member", m.user.email)
    return HttpResponse(status=204)


# --- groups ----------------------------------------------------------------------------------


class GroupIn(Schema):
    name: str = Field(..., max_length=64)
    summary: str = Field("", max_length=500)
    members: list[str] = Field(default_factory=list, description="Members' emails")


class GroupMembersIn(Schema):
    members: list[str] = Field(..., description="Members' emails: the whole new list")


class GroupOut(Schema):
    name: str
    summary: str
    members: list[str]
    builtin: bool = Field(description="True for `all`, which always holds every member")


def group_out(group: Group) -> dict[str, Any]:
    members = sorted(u.email for u in group.members.all())
    return {"name": group.name, "summary": group.summary, "members": members, "builtin": False}


def _group(workspace: str, name: str) -> Group:
    if name == ALL_GROUP:
        raise Forbidden("group 'all' is built in: it always holds every member")
    group = Group.objects.filter(workspace_id=workspace, name=name).prefetch_related("members").first()
    if group is None:
        raise NotFound(f"group '{name}' not found")
    return group


@router.get("/w/{workspace}/groups", response=list[GroupOut], summary="The workspace's groups")
def group_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    everyone = Membership.objects.filter(workspace_id=workspace).values_list("user__email", flat=True)
    builtin = {"name": ALL_GROUP, "summary": "Every member", "members": sorted(everyone), "builtin": True}
    groups = Group.objects.filter(workspace_id=workspace).prefetch_related("members").order_by("name")
    return [builtin, *(group_out(g) for g in groups)]


@router.post("/w/{workspace}/groups", response={201: GroupOut}, summary="Create a group (admins)")
def group_create(request: HttpRequest, workspace: WorkspacePath, payload: GroupIn) -> Status:
    admin = _admin(request, workspace)
    group = services.group_create(
        workspace=admin.member.workspace, name=payload.name, summary=payload.summary, members=payload.members
    )
    out = group_out(group)
    _audit(request, admin.member.user, workspace, "group.create", "group", group.name, members=out["members"])
    return Status(201, out)


@router.put(
    "/w/{workspace}/groups/{name}/members", response=GroupOut, summary="Replace a group's members (admins)"
)
def group_members_set(
    request: HttpRequest, workspace: WorkspacePath, name: str, payload: GroupMembersIn
) -> dict[str, Any]:
    admin = _admin(request, workspace)
    group = services.group_members_set(group=_group(workspace, name), members=payload.members)
    out = group_out(group)
    _audit(request, admin.member.user, workspace, "group.members", "group", name, members=out["members"])
    return out


@router.delete("/w/{workspace}/groups/{name}", response={204: None}, summary="Delete a group (admins)")
def group_delete(request: HttpRequest, workspace: WorkspacePath, name: str) -> HttpResponse:
    admin = _admin(request, workspace)
    services.group_delete(group=_group(workspace, name))
    _audit(request, admin.member.user, workspace, "group.delete", "group", name)
    return HttpResponse(status=204)


# --- folders ---------------------------------------------------------------------------------


class FolderIn(Schema):
    name: str = Field(..., max_length=64)
    summary: str = Field("", max_length=500)


class GrantSchema(Schema):
    user: str | None = Field(None, description="A member's email")
    group: str | None = Field(None, description="A group's name (`all`: every member)")
    level: LevelName


class GrantsIn(Schema):
    grants: list[GrantSchema]


class FolderOut(Schema):
    name: str
    summary: str
    created_by: str
    created_at: datetime
    access: str = Field(description="Yours: view, write or owner")
    grants: list[GrantSchema] | None = Field(None, description="Shown to the folder's owners and admins")


def folder_out(folder: Folder, have: Access) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": folder.name,
        "summary": folder.summary,
        "created_by": folder.created_by.email,
        "created_at": folder.created_at,
        "access": have.name.lower(),
    }
    if have >= Access.OWNER:
        out["grants"] = [
            {"user": g.user.email if g.user else None, "group": g.group or None, "level": g.level}
            for g in folder.grants.select_related("user").order_by("group", "user__email")
        ]
    return out


def _folder(principal: Principal, name: str, needed: Access) -> tuple[Folder, Access]:
    folder = Folder.objects.select_related("created_by", "workspace").filter(
        workspace_id=principal.workspace_id, name=name
    )
    found = folder.first()
    have = folder_access(principal, name) if found is not None else Access.NONE
    if found is None or have < Access.VIEW:
        raise NotFound(f"folder '{name}' not found")
    if have < needed:
        raise Forbidden(
            f"you may use folder '{name}' but not change who may; its owners and admins can",
            {"access": have.name.lower(), "required": needed.name.lower()},
        )
    return found, have


@router.get(
    "/w/{workspace}/folders", response=list[FolderOut], exclude_none=True, summary="Folders you can see"
)
def folder_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    folders = Folder.objects.filter(workspace_id=workspace).select_related("created_by").order_by("name")
    levels = None if principal.is_admin else folder_levels(principal)  # one query, not one per folder
    out = []
    for folder in folders:
        have = Access.OWNER if levels is None else levels.get(folder.name, Access.NONE)
        if have >= Access.VIEW:
            out.append(folder_out(folder, have))
    return out


@router.post(
    "/w/{workspace}/folders",
    response={201: FolderOut},
    exclude_none=True,
    summary="Create a folder; you become its owner (admins, developers)",
)
def folder_create(request: HttpRequest, workspace: WorkspacePath, payload: FolderIn) -> Status:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    if principal.role == Role.OPERATOR:
        raise Forbidden("operators run and view; they do not create folders", {"role": principal.role})
    folder = services.folder_create(
        workspace=principal.member.workspace,
        user=principal.member.user,
        name=payload.name,
        summary=payload.summary,
    )
    _audit(request, principal.member.user, workspace, "folder.create", "folder", folder.name)
    return Status(201, folder_out(folder, Access.OWNER))


@router.get("/w/{workspace}/folders/{name}", response=FolderOut, exclude_none=True, summary="A folder")
def folder_get(request: HttpRequest, workspace: WorkspacePath, name: str) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return folder_out(*_folder(principal, name, Access.VIEW))


@router.put(
    "/w/{workspace}/folders/{name}/grants",
    response=FolderOut,
    exclude_none=True,
    summary="Replace who may use a folder: users and groups as viewer, writer or owner (its owners, admins)",
)
def folder_grants_set(
    request: HttpRequest, workspace: WorkspacePath, name: str, payload: GrantsIn
) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    folder, have = _folder(principal, name, Access.OWNER)
    grants = [services.GrantIn(level=g.level, user=g.user, group=g.group) for g in payload.grants]
    services.folder_grants_set(folder=folder, grants=grants)
    out = folder_out(folder, have)
    _audit(request, principal.member.user, workspace, "folder.grants", "folder", name, grants=out["grants"])
    return out


@router.delete(
    "/w/{workspace}/folders/{name}",
    response={204: None},
    summary="Delete an empty folder (its owners, admins)",
)
def folder_delete(request: HttpRequest, workspace: WorkspacePath, name: str) -> HttpResponse:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    folder, _ = _folder(principal, name, Access.OWNER)
    services.folder_delete(folder=folder)
    _audit(request, principal.member.user, workspace, "folder.delete", "folder", name)
    return HttpResponse(status=204)
