"""Shared personas and helpers: an owner, a member and an outsider of workspace `main`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create

# examples/ copies ../shared/examples, so the suite runs in any checkout (test_layout checks for drift).
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHARED_EXAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "examples"


def example(name: str) -> str:
    return (EXAMPLES / "scripts" / name).read_text()


class Api:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, url: str) -> Any:
        return self.client.get(url, **self.headers)

    def post(self, url: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(url, data=data, content_type="application/json", **self.headers)


@pytest.fixture
def workspace(db: None) -> Workspace:
    return Workspace.objects.create(id="main", name="Main")


def _persona(email: str, workspace: Workspace | None, role: str | None) -> User:
    user = User.objects.create_user(email=email, password="correct-horse")
    if workspace is not None and role is not None:
        Membership.objects.create(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def owner(workspace: Workspace) -> User:
    return _persona("ada@example.com", workspace, Role.ADMIN)


@pytest.fixture
def member(workspace: Workspace) -> User:
    return _persona("grace@example.com", workspace, Role.DEVELOPER)


@pytest.fixture
def outsider(db: None) -> User:
    return _persona("mallory@example.com", None, None)


@pytest.fixture
def api(client: Client, owner: User) -> Api:
    return Api(client, token_create(user=owner))


@pytest.fixture
def outsider_api(client: Client, outsider: User) -> Api:
    return Api(client, token_create(user=outsider))


@pytest.fixture
def anonymous_api(client: Client) -> Api:
    return Api(client, None)
