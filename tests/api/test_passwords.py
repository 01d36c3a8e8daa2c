"""Changing my password, and a superuser resetting someone's."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import User
from kiln.accounts.services import token_create
from tests.conftest import Api

NEW = "a-much-better-passphrase"


@pytest.fixture(autouse=True)
def no_earlier_failures(owner: User) -> None:
    """Failed-login counts live in Redis for 15 minutes, across test runs: start from none."""
    from django.test import RequestFactory

    from kiln.accounts.login_guard import login_succeeded

    login_succeeded(RequestFactory().get("/"), owner.email)


def change(api: Api, current: str, new: str, address: str = "127.0.0.1") -> Any:
    body = {"current_password": current, "new_password": new}
    return api.post("/api/auth/password", raw=json.dumps(body), REMOTE_ADDR=address)


def test_i_change_my_password_and_the_old_one_stops_working(api: Api, owner: User) -> None:
    assert change(api, "correct-horse", NEW).status_code == 204
    owner.refresh_from_db()
    assert owner.check_password(NEW) and not owner.check_password("correct-horse")
    assert api.get("/api/auth/me").status_code == 200  # tokens keep working


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        ("wrong", NEW, "current_password", "current_password is wrong"),
        ("correct-horse", "short", "new_password", "too short"),
        ("correct-horse", "password123", "new_password", "too common"),
        ("correct-horse", "1234567890123", "new_password", "entirely numeric"),
    ],
)
def test_bad_changes_are_400_and_keep_the_old_password(
    api: Api, owner: User, current: str, new: str, field: str, message: str
) -> None:
    response = change(api, current, new, address=f"10.8.{uuid.uuid4().int % 250}.1")
    assert response.status_code == 400 and response.json()["detail"]["field"] == field
    assert message in response.json()["message"]
    owner.refresh_from_db()
    assert owner.check_password("correct-horse")


def test_guessing_the_current_password_locks_like_a_login(client: Client, settings: Any) -> None:
    settings.KILN_LOGIN_MAX_FAILURES = 2
    user = User.objects.create_user(email=f"g-{uuid.uuid4().hex[:8]}@example.com", password="correct-horse")
    api = Api(client, token_create(user=user))
    address = f"10.7.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    codes = [change(api, "guess", NEW, address).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_only_superusers_reset_passwords(client: Client, api: Api, owner: User, member: User) -> None:
    assert api.post(f"/api/users/{member.email}/password", {"new_password": NEW}).status_code == 403
    root = User.objects.create_superuser(email="root@example.com", password="x-root-passphrase")
    admin = Api(client, token_create(user=root))
    reset = admin.post(f"/api/users/{member.email}/password", {"new_password": NEW})
    assert reset.status_code == 200 and reset.json() == {"email": member.email, "password": None}
    member.refresh_from_db()
    assert member.check_password(NEW)
    generated = admin.post(f"/api/users/{member.email}/password", {}).json()["password"]
    member.refresh_from_db()
    assert len(generated) >= 12 and member.check_password(generated)
    assert admin.post("/api/users/nobody@example.com/password", {}).status_code == 404
    assert admin.post(f"/api/users/{member.email}/password", {"new_password": "short"}).status_code == 400
