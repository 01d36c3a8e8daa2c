"""Login throttling: a lockout after repeated failures that never tells which emails exist."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import User


def login(client: Client, email: str, password: str, address: str) -> Any:
    body = json.dumps({"email": email, "password": password})
    return client.post("/api/auth/login", data=body, content_type="application/json", REMOTE_ADDR=address)


@pytest.fixture
def address() -> str:
    """An address of the test's own: the failure counts live in the shared Redis."""
    return f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


@pytest.mark.django_db
def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(
    client: Client, settings: Any, address: str
) -> None:
    settings.KILN_LOGIN_MAX_FAILURES = 3
    email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    User.objects.create_user(email=email, password="correct-horse")
    assert [login(client, email, "wrong", address).status_code for _ in range(3)] == [401, 401, 401]
    locked = login(client, email, "correct-horse", address)
    assert locked.status_code == 429
    assert "too many failed logins" in locked.json()["message"]
    assert 1 <= int(locked["Retry-After"]) <= settings.KILN_LOGIN_LOCKOUT_SECONDS


@pytest.mark.django_db
def test_unknown_emails_answer_exactly_like_known_ones(client: Client, settings: Any, address: str) -> None:
    settings.KILN_LOGIN_MAX_FAILURES = 2
    known = f"k-{uuid.uuid4().hex[:6]}@example.com"
    User.objects.create_user(email=known, password="correct-horse")
    unknown = f"u-{uuid.uuid4().hex[:6]}@example.com"
    answers = {}
    for email in (known, unknown):
        answers[email] = [
            (r.status_code, r.json()["message"].split(";")[0])
            for r in (login(client, email, "wrong", address) for _ in range(3))
        ]
    assert (
        answers[known]
        == answers[unknown]
        == [
            (401, "invalid email or password"),
            (401, "invalid email or password"),
            (429, "too many failed logins"),
        ]
    )


@pytest.mark.django_db
def test_a_success_clears_the_count_and_one_address_is_limited_across_emails(
    client: Client, settings: Any, address: str
) -> None:
    settings.KILN_LOGIN_MAX_FAILURES = 2
    email = f"g-{uuid.uuid4().hex[:6]}@example.com"
    User.objects.create_user(email=email, password="correct-horse")
    assert login(client, email, "wrong", address).status_code == 401
    assert login(client, email, "correct-horse", address).status_code == 200
    assert login(client, email, "wrong", address).status_code == 401  # counting starts again
    assert login(client, email, "correct-horse", address).status_code == 200
    # Spraying many emails from one address: 5 x the per-email limit, then the address is locked.
    codes = [
        login(client, f"x{n}-{uuid.uuid4().hex[:4]}@example.com", "pw", address).status_code
        for n in range(11)
    ]
    assert codes[:8] == [401] * 8 and codes[-1] == 429
