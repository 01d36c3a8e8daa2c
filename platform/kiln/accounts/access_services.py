"""Writes for who may do what: users, workspaces, members, groups, folders and their grants."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from kiln.errors import BadRequest, Conflict, Forbidden, NotFound

from .access import Access, Principal, path_access, split_path
from .models import ALL_GROUP, NAME_RE, Folder, FolderGrant, Group, Level, Membership, Role, User, Workspace

NAME = re.compile(NAME_RE)
WORKSPACE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,49}$")


def _check_name(name: str, what: str) -> None:
    if not NAME.match(name):
        raise BadRequest(
            f"invalid {what} name '{name}': 1-64 lowercase letters, digits, _ and - (not starting with -)",
            {"field": "name"},
        )


def check_password(password: str, user: User | None, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BadRequest(f"{field}: {' '.join(exc.messages)}", {"field": field}) from None


@dataclass(frozen=True)
class CreatedUser:
    user: User
    password: str | None  # generated now, shown once


@transaction.atomic
def user_create(*, email: str, name: str = "", password: str | None = None) -> CreatedUser:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise BadRequest(f"invalid email '{email}'", {"field": "email"}) from None
    if User.objects.filter(email=email).exists():
        raise Conflict(f"a user with email '{email}' exists", {"field": "email"})
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    else:
        check_password(password, User(email=email, name=name))
    user = User.objects.create_user(email=email, password=password, name=name)
    return CreatedUser(user=user, password=generated)


@transaction.atomic
def workspace_create(*, user: User, id: str, name: str) -> Workspace:
    """A new workspace whose first admin is its creator."""
    if not WORKSPACE_ID.match(id):
        raise BadRequest(
            f"invalid workspace id '{id}': 2-50 lowercase letters, digits and -", {"field": "id"}
        )
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(id=id, name=name or id)
    except IntegrityError:
        raise Conflict(f"workspace '{id}' exists", {"field": "id"}) from None
    Membership.objects.create(user=user, workspace=workspace, role=Role.ADMIN)
    return workspace


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(workspace_id=membership.workspace_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def member_add(*, workspace: Workspace, email: str, role: str) -> Membership:
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        raise NotFound(f"user '{email}' not found (a superuser creates users)", {"field": "email"})
    if Membership.objects.filter(workspace=workspace, user=user).exists():
        raise Conflict(f"'{user.email}' is already a member of '{workspace.id}'", {"field": "email"})
    return Membership.objects.create(workspace=workspace, user=user, role=role)


@transaction.atomic
def member_role_set(*, membership: Membership, role: str) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(locked):
        raise Conflict("a workspace keeps at least one admin", {"field": "role"})
    Membership.objects.filter(pk=locked.pk).update(role=role)
    membership.role = role
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.ADMIN and not _other_admins(locked):
        raise Conflict("a workspace keeps at least one admin: make someone else admin first")
    # Their direct grants and group memberships in this workspace go with them.
    FolderGrant.objects.filter(folder__workspace_id=locked.workspace_id, user_id=locked.user_id).delete()
    for group in Group.objects.filter(workspace_id=locked.workspace_id, members=locked.user_id):
        group.members.remove(locked.user_id)
    locked.delete()


def _members_by_email(workspace: Workspace, emails: list[str], field: str) -> list[User]:
    wanted = {e.strip().lower() for e in emails}
    users = list(User.objects.filter(memberships__workspace=workspace, email__in=wanted))
    missing = sorted(wanted - {u.email for u in users})
    if missing:
        raise BadRequest(f"'{missing[0]}' is not a member of workspace '{workspace.id}'", {"field": field})
    return users


@transaction.atomic
def group_create(*, workspace: Workspace, name: str, summary: str = "", members: list[str]) -> Group:
    _check_name(name, "group")
    if name == ALL_GROUP:
        raise Conflict("group 'all' is built in: it always holds every member", {"field": "name"})
    users = _members_by_email(workspace, members, "members")
    try:
        with transaction.atomic():
            group = Group.objects.create(workspace=workspace, name=name, summary=summary)
    except IntegrityError:
        raise Conflict(f"group '{name}' exists", {"field": "name"}) from None
    group.members.set(users)
    return group


@transaction.atomic
def group_members_set(*, group: Group, members: list[str]) -> Group:
    group.members.set(_members_by_email(group.workspace, members, "members"))
    return group


@transaction.atomic
def group_delete(*, group: Group) -> None:
    """The group and every folder grant naming it. Scripts that run as it are refused until changed."""
    FolderGrant.objects.filter(folder__workspace_id=group.workspace_id, group=group.name).delete()
    group.delete()


def folder_create(*, workspace: Workspace, user: User, name: str, summary: str = "") -> Folder:
    """A new folder; its creator is its first owner."""
    _check_name(name, "folder")
    try:
        with transaction.atomic():
            folder = Folder.objects.create(workspace=workspace, name=name, summary=summary, created_by=user)
            FolderGrant.objects.create(folder=folder, user=user, level=Level.OWNER)
    except IntegrityError:
        raise Conflict(f"folder '{name}' exists", {"field": "name"}) from None
    return folder


def folder_ensure(*, workspace: Workspace, user: User, name: str) -> bool:
    """Create `f/<name>` for a first save into it (its saver owns it); True if it was created.
    Concurrent first saves race on the unique name: one creates it, the others find it."""
    if Folder.objects.filter(workspace=workspace, name=name).exists():
        return False
    try:
        folder_create(workspace=workspace, user=user, name=name)
    except Conflict:
        return False
    return True


@dataclass(frozen=True)
class GrantIn:
    level: str
    user: str | None = None  # an email
    group: str | None = None


@transaction.atomic
def folder_grants_set(*, folder: Folder, grants: list[GrantIn]) -> list[FolderGrant]:
    """Replace the folder's grants with these (one per user or group)."""
    rows: list[FolderGrant] = []
    seen: set[str] = set()
    groups = set(Group.objects.filter(workspace_id=folder.workspace_id).values_list("name", flat=True))
    for i, grant in enumerate(grants):
        field = f"grants[{i}]"
        if (grant.user is None) == (grant.group is None):
            raise BadRequest(f"{field}: give a user or a group, not both", {"field": field})
        if grant.level not in Level.values:
            raise BadRequest(f"{field}.level must be one of {', '.join(Level.values)}", {"field": field})
        if grant.user is not None:
            (user,) = _members_by_email(folder.workspace, [grant.user], f"{field}.user")
            who, row = f"u:{user.pk}", FolderGrant(folder=folder, user=user, level=grant.level)
        else:
            name = (grant.group or "").strip()
            if name != ALL_GROUP and name not in groups:
                raise BadRequest(f"{field}: group '{name}' not found", {"field": f"{field}.group"})
            who, row = f"g:{name}", FolderGrant(folder=folder, group=name, level=grant.level)
        if who in seen:
            raise BadRequest(f"{field}: a user or group appears twice", {"field": field})
        seen.add(who)
        rows.append(row)
    FolderGrant.objects.filter(folder=folder).delete()
    return FolderGrant.objects.bulk_create(rows)


@transaction.atomic
def folder_delete(*, folder: Folder) -> None:
    """Delete an empty folder. Anything still under `f/<name>/` keeps it: a script or flow (a
    deleted one, whose versions stay for its runs, does not count), a schedule, a variable or a
    resource. Without the folder its grants would go, and whoever created the folder again
    would own what was left in it."""
    # Other apps depend on accounts, not the other way: imported here.
    from kiln.flows.models import Flow
    from kiln.schedules.models import Schedule
    from kiln.scripts.models import Script
    from kiln.vault.models import Resource, Variable

    under = {"workspace_id": folder.workspace_id, "path__startswith": f"f/{folder.name}/"}
    kinds = (
        ("script", "scripts", Script.objects.filter(**under, latest__isnull=False)),
        ("flow", "flows", Flow.objects.filter(**under, latest__isnull=False)),
        ("schedule", "schedules", Schedule.objects.filter(**under)),
        ("variable", "variables", Variable.objects.filter(**under)),
        ("resource", "resources", Resource.objects.filter(**under)),
    )
    held = {plural: (one, rows.count()) for one, plural, rows in kinds}
    held = {plural: found for plural, found in held.items() if found[1]}
    if held:
        what = ", ".join(f"{n} {one if n == 1 else plural}" for plural, (one, n) in held.items())
        raise Conflict(
            f"folder '{folder.name}' is not empty: it holds {what}; move or delete them first",
            {"folder": folder.name, "holds": {plural: n for plural, (_, n) in held.items()}},
        )
    folder.delete()


def path_write_check(principal: Principal, path: str) -> bool:
    """403 unless the caller may save something at `path` (a script, a schedule); a first save
    into a new folder creates it, owned by the saver (then True). Call inside the saving
    transaction, so a save that fails leaves no folder behind."""
    from kiln.scripts.services import validate_path  # scripts depend on accounts, not the reverse

    validate_path(path)
    kind, name = split_path(path)
    ws = principal.member.workspace
    new_folder = kind == "f" and not Folder.objects.filter(workspace=ws, name=name).exists()
    if new_folder and folder_ensure(workspace=ws, user=principal.member.user, name=name):
        return True  # (False: someone else created it a moment ago, and their grants apply)
    if path_access(principal, path) < Access.WRITE:
        where = f"{kind}/{name}/"
        why = "a user's space is their own" if kind == "u" else "ask its owners for writer access"
        raise Forbidden(f"you may not save under {where}: {why}", {"path": path, "required": "write"})
    return False
