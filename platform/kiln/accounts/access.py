"""Who may do what to a path: every object's access follows its path.

- `u/<username>/...` belongs to that user; nobody else but the workspace's admins sees it.
- `f/<folder>/...` is reached through the folder's grants (viewer < writer < owner) to users
  and to groups, the implicit group `all` (every member) included.
- A member's role caps what any grant gives: admins may do everything everywhere, developers
  what their grants say, operators only view and run (whatever a grant says).

Access.VIEW means "see it and run it"; WRITE "save and change it"; OWNER "also change who may".
A path the caller may not view answers 404 (its existence is not revealed); one they may view
but not change answers 403.

A principal is either a member (`Principal.of_member`) or a group (`Principal.of_group`): jobs run
with the access of their script's author or of a chosen group (`run_as`), which is computed
here the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from django.db.models import Q

from kiln import fastsql
from kiln.errors import BadRequest, Forbidden, NotFound

from .models import ALL_GROUP, FolderGrant, Group, Level, Membership, Role, User
from .selectors import membership_get


class Access(IntEnum):
    NONE = 0
    VIEW = 1
    WRITE = 2
    OWNER = 3


LEVEL_ACCESS = {Level.VIEWER: Access.VIEW, Level.WRITER: Access.WRITE, Level.OWNER: Access.OWNER}
ROLE_CAP = {Role.ADMIN: Access.OWNER, Role.DEVELOPER: Access.OWNER, Role.OPERATOR: Access.VIEW}


@dataclass(frozen=True)
class Principal:
    """Whose access is asked: a member (with their groups) or a group alone."""

    workspace_id: str
    role: str  # a group acts with a developer's cap: its grants say what it may
    user_id: int | None
    username: str  # "" for a group
    groups: frozenset[str]
    label: str  # `u/<username>` or `g/<group>`, as shown on jobs
    membership: Membership | None = field(default=None, compare=False)  # None for a group

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def member(self) -> Membership:
        assert self.membership is not None, "a group is not a member"
        return self.membership

    @staticmethod
    def of_member(membership: Membership) -> Principal:
        # Every workspace request asks: a statement written once (kiln.fastsql), not compiled
        # by the ORM each time (~0.7 ms).
        rows = fastsql.select(
            "member_groups", _member_groups_sql, [membership.workspace_id, membership.user_id]
        )
        return Principal(
            workspace_id=membership.workspace_id,
            role=membership.role,
            user_id=membership.user_id,
            username=membership.user.username,
            groups=frozenset([ALL_GROUP, *(name for (name,) in rows)]),
            label=f"u/{membership.user.username}",
            membership=membership,
        )

    @staticmethod
    def of_group(workspace_id: str, name: str) -> Principal:
        return Principal(
            workspace_id=workspace_id,
            role=Role.DEVELOPER,
            user_id=None,
            username="",
            groups=frozenset([ALL_GROUP, name]),
            label=f"g/{name}",
        )


def _member_groups_sql(q: Callable[[str], str]) -> str:
    """The names of a workspace's groups a user is in: (workspace id, user id)."""
    group, through = Group._meta, Group.members.through._meta

    def column(meta: Any, name: str) -> str:
        return q(str(meta.get_field(name).column))

    return (
        f"SELECT g.{column(group, 'name')} FROM {q(group.db_table)} g "
        f"INNER JOIN {q(through.db_table)} m ON m.{column(through, 'group')} = g.{column(group, 'id')} "
        f"WHERE g.{column(group, 'workspace')} = %s AND m.{column(through, 'user')} = %s"
    )


@dataclass(frozen=True)
class JobScope:
    """A request made with a running job's token (kiln.vault.job_tokens): it acts with the
    job's access, in the job's workspace only."""

    job_id: str
    principal: Principal


# Set by the API's token check for the request being served (reset by kiln.middleware.JobScopeReset).
JOB_SCOPE: ContextVar[JobScope | None] = ContextVar("kiln_job_scope", default=None)


def caller(*, user: User, workspace_id: str) -> Principal:
    """The calling user as a member of the workspace (404 for a non-member, like no workspace);
    for a job token, the job's own access, and no other workspace."""
    scope = JOB_SCOPE.get()
    if scope is not None:
        if workspace_id != scope.principal.workspace_id:
            raise NotFound(f"workspace '{workspace_id}' not found")
        return scope.principal
    return Principal.of_member(membership_get(user=user, workspace_id=workspace_id))


def builder_caller(*, user: User, workspace_id: str) -> Principal:
    """The caller, who must not be an operator: operators see apps and their own runs, not the
    scripts, flows and schedules behind them (403)."""
    principal = caller(user=user, workspace_id=workspace_id)
    if principal.role == Role.OPERATOR:
        raise Forbidden(
            f"your role in workspace '{workspace_id}' is operator: operators see the workspace's apps "
            "and their own runs",
            {"role": principal.role, "required": [Role.ADMIN.value, Role.DEVELOPER.value]},
        )
    return principal


def operator_may_run(principal: Principal, *, published: bool, path: str) -> None:
    """Operators run what is published as an app, nothing else (403)."""
    if principal.role == Role.OPERATOR and not published:
        raise Forbidden(
            f"'{path}' is not published as an app: operators run apps only",
            {"role": principal.role, "path": path},
        )


def split_path(path: str) -> tuple[str, str]:
    """(`u` or `f`, the user or folder name); ("", "") for anything else."""
    parts = path.split("/", 2)
    if len(parts) < 2 or parts[0] not in ("u", "f") or not parts[1]:
        return "", ""
    return parts[0], parts[1]


def _grant_filter(principal: Principal) -> Q:
    by_group = Q(group__in=principal.groups)
    return by_group | Q(user_id=principal.user_id) if principal.user_id is not None else by_group


def folder_access(principal: Principal, folder: str) -> Access:
    if principal.is_admin:
        return Access.OWNER
    levels = FolderGrant.objects.filter(
        _grant_filter(principal), folder__workspace_id=principal.workspace_id, folder__name=folder
    ).values_list("level", flat=True)
    best = max((LEVEL_ACCESS[Level(level)] for level in levels), default=Access.NONE)
    return Access(min(best, ROLE_CAP[Role(principal.role)]))


def path_access(principal: Principal, path: str) -> Access:
    if principal.is_admin:
        return Access.OWNER
    kind, name = split_path(path)
    if kind == "u":
        own = principal.username != "" and name == principal.username
        return ROLE_CAP[Role(principal.role)] if own else Access.NONE
    if kind == "f":
        return folder_access(principal, name)
    return Access.NONE


def require_path(principal: Principal, path: str, needed: Access, what: str = "script") -> Access:
    """The principal's access to `path`, or 404 (cannot view it) / 403 (cannot do `needed`)."""
    have = path_access(principal, path)
    if have < Access.VIEW:
        raise NotFound(f"{what} '{path}' not found")
    if have < needed:
        raise Forbidden(
            f"you may {'view and run' if have == Access.VIEW else 'change'} '{path}' but not "
            f"{'change it' if needed == Access.WRITE else 'change who may use it'}",
            {"path": path, "access": have.name.lower(), "required": needed.name.lower()},
        )
    return have


def visible_paths(principal: Principal, field: str = "path") -> Q:
    """A filter on `field` (a path column) keeping what the principal may view."""
    if principal.is_admin:
        return Q()
    q = Q(pk__in=[])
    if principal.username:
        q |= Q(**{f"{field}__startswith": f"u/{principal.username}/"})
    folders = FolderGrant.objects.filter(
        _grant_filter(principal), folder__workspace_id=principal.workspace_id
    ).values_list("folder__name", flat=True)
    for folder in sorted(set(folders)):
        q |= Q(**{f"{field}__startswith": f"f/{folder}/"})
    return q


def principal_for_job(*, workspace_id: str, run_as: str, run_as_user_id: int | None) -> Principal:
    """The access a job runs with: its group's, or its author's as a member today (someone who
    left the workspace has none: their jobs then reach nothing)."""
    if run_as.startswith("g/"):
        return Principal.of_group(workspace_id, run_as[2:])
    membership = None
    if run_as_user_id is not None:
        membership = (
            Membership.objects.select_related("user")
            .filter(workspace_id=workspace_id, user_id=run_as_user_id)
            .first()
        )
    if membership is None:
        return Principal(
            workspace_id=workspace_id,
            role=Role.OPERATOR,
            user_id=None,
            username="",
            groups=frozenset(),
            label=run_as,
        )
    return Principal.of_member(membership)


def check_run_as(principal: Principal, run_as: str | None) -> None:
    """Only a group's members (and admins) may make a script run as the group, or change the
    code of one that does: otherwise anyone who may write the script could borrow its rights."""
    if not run_as:
        return
    name = run_as.removeprefix("g/")
    if not Group.objects.filter(workspace_id=principal.workspace_id, name=name).exists():
        raise BadRequest(f"settings.run_as: group '{name}' not found", {"field": "settings.run_as"})
    if not principal.is_admin and name not in principal.groups:
        raise Forbidden(
            f"this script runs as {run_as}: only that group's members and admins may change it",
            {"run_as": run_as},
        )


def folder_levels(principal: Principal) -> dict[str, Access]:
    """The principal's access to every folder of the workspace it has any grant on (one query);
    for an admin, call folder_access or treat every folder as OWNER."""
    best: dict[str, Access] = {}
    grants = FolderGrant.objects.filter(
        _grant_filter(principal), folder__workspace_id=principal.workspace_id
    ).values_list("folder__name", "level")
    cap = ROLE_CAP[Role(principal.role)]
    for name, level in grants:
        best[name] = Access(min(max(best.get(name, Access.NONE), LEVEL_ACCESS[Level(level)]), cap))
    return best
