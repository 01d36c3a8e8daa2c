"""Users, workspaces, memberships and personal API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


def username_base(email: str) -> str:
    """The email's local part as a path segment: lowercase letters, digits, _ and -."""
    local = email.split("@", 1)[0].lower()
    name = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in local)
    return name.lstrip("-")[:60] or "user"


def unique_username(email: str, taken: set[str]) -> str:
    base = username_base(email)
    name, n = base, 1
    while name in taken:  # ada@x.com and ada@y.com must not share u/ada/
        n += 1
        name = f"{base}{n}"
    return name


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        email = self.normalize_email(email).lower()
        extra["username"] = extra.get("username") or free_username(email)
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    # The user's space is `u/<username>/`: unique, so two emails with one local part never share it.
    username = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.email


def free_username(email: str) -> str:
    """A username for a new user of `email` that no user has yet."""
    base = username_base(email)
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    return unique_username(email, taken)


class Workspace(models.Model):
    id = models.SlugField(primary_key=True, max_length=50)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by its admins: default_network, max_limits (kiln.accounts.workspace_settings).
    settings = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.id


class Role(models.TextChoices):
    ADMIN = "admin"
    DEVELOPER = "developer"
    OPERATOR = "operator"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DEVELOPER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_workspace")
        ]


class TokenKind(models.TextChoices):
    PERSONAL = "personal"  # acts as its user everywhere the user may act
    WEBHOOK = "webhook"  # acts as its creator, but may only run one path of one workspace


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored; the secret is shown once."""

    # For a webhook token: its creator, whose rights (and no more) its runs get.
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    kind = models.CharField(max_length=10, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_tokens"
    )
    script_path = models.CharField(max_length=255, blank=True)  # the one path a webhook token may run
    label = models.CharField(max_length=100, blank=True)
    # First characters of the token, kept in clear so a user can tell tokens apart.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A personal token is never bound to a path; a webhook token always is.
            models.CheckConstraint(
                condition=(
                    models.Q(kind=TokenKind.PERSONAL, workspace__isnull=True, script_path="")
                    | (models.Q(kind=TokenKind.WEBHOOK, workspace__isnull=False) & ~models.Q(script_path=""))
                ),
                name="webhook_tokens_have_a_path",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.email})"


# Names of groups and folders: what may follow `g/` or `f/` in a path.
NAME_RE = r"^[a-z0-9_][a-z0-9_-]{0,63}$"
ALL_GROUP = "all"  # every member of the workspace, always; it cannot be created, edited or deleted


class Group(models.Model):
    """Named set of a workspace's members. Folder grants and a script's `run_as` name groups."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    members = models.ManyToManyField(User, related_name="kiln_groups", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="one_group_per_name")]

    def __str__(self) -> str:
        return f"{self.workspace_id}:g/{self.name}"


class Folder(models.Model):
    """`f/<name>/`: everything saved under it is reached through the folder's grants."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="one_folder_per_name")]

    def __str__(self) -> str:
        return f"{self.workspace_id}:f/{self.name}"


class Level(models.TextChoices):
    """What a folder grant allows, each level including the ones before it."""

    VIEWER = "viewer"  # see and run what is in the folder
    WRITER = "writer"  # also save and change it
    OWNER = "owner"  # also change the folder's grants, and delete it


class FolderGrant(models.Model):
    """One user's or one group's level on a folder (exactly one of the two)."""

    folder = models.ForeignKey(Folder, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A group by name, so the implicit `all` group can be granted like any other.
    group = models.CharField(max_length=64, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    (models.Q(user__isnull=False) & models.Q(group=""))
                    | (models.Q(user__isnull=True) & ~models.Q(group=""))
                ),
                name="grant_to_a_user_or_a_group",
            ),
            models.UniqueConstraint(
                fields=["folder", "user"], condition=models.Q(user__isnull=False), name="one_grant_per_user"
            ),
            models.UniqueConstraint(
                fields=["folder", "group"], condition=~models.Q(group=""), name="one_grant_per_group"
            ),
        ]
