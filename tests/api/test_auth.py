"""Every API call needs valid credentials: a bearer token or a browser session."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from kiln.accounts.models import ApiToken, User
from kiln.accounts.services import token_create
from tests.conftest import Api

PROTECTED = [
    ("get", "/api/auth/me"),
    ("get", "/api/workspaces"),
    ("get", "/api/w/main/scripts"),
    ("post", "/api/w/main/scripts"),
    ("get", "/api/w/main/scripts/p/u/ada/x"),
    ("post", "/api/w/main/jobs/run/p/u/ada/x"),
    ("post", "/api/w/main/jobs/run_wait_result/p/u/ada/x"),
    ("get", "/api/w/main/jobs"),
    ("get", "/api/w/main/jobs/00000000-0000-0000-0000-000000000000"),
]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_a_call_without_credentials_gets_401(anonymous_api: Api, owner: User, method: str, url: str) -> None:
    response = getattr(anonymous_api, method)(url)
    assert response.status_code == 401
    assert "authentication required" in response.json()["message"]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_a_call_with_an_invalid_token_gets_401(client: Client, owner: User, method: str, url: str) -> None:
    response = getattr(Api(client, "kiln_not-a-real-token"), method)(url)
    assert response.status_code == 401
    assert response.json() == {"message": "invalid or expired API token", "detail": None}


def test_an_expired_token_gets_401(client: Client, owner: User) -> None:
    raw = token_create(user=owner)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Api(client, raw).get("/api/auth/me").status_code == 401


def test_a_token_of_a_deactivated_user_gets_401(client: Client, owner: User) -> None:
    raw = token_create(user=owner)
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert Api(client, raw).get("/api/auth/me").status_code == 401


def test_tokens_are_stored_hashed(owner: User) -> None:
    raw = token_create(user=owner)
    stored = ApiToken.objects.get()
    assert raw not in (stored.digest, stored.prefix) and stored.prefix == raw[:12]


def test_a_valid_token_says_who_i_am(api: Api) -> None:
    body = api.get("/api/auth/me").json()
    assert body["email"] == "ada@example.com"
    assert body["workspaces"] == [{"id": "main", "name": "Main", "role": "admin"}]


def test_session_login_then_me_then_logout(client: Client, owner: User) -> None:
    bad = client.post(
        "/api/auth/login", {"email": "ada@example.com", "password": "nope"}, content_type="application/json"
    )
    assert bad.status_code == 401 and bad.json()["message"] == "invalid email or password"
    ok = client.post(
        "/api/auth/login",
        {"email": "ADA@example.com", "password": "correct-horse"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["email"] == "ada@example.com"
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_session_writes_need_the_csrf_token(owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    refused = browser.post("/api/w/main/scripts", {}, content_type="application/json")
    assert refused.status_code in (401, 403)
    browser.get("/")  # the SPA index sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/w/main/scripts",
        {"path": "u/ada/hi", "language": "python3", "content": "def main():\n  return 1\n"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 201


def test_login_with_a_malformed_body_is_400(client: Client, owner: User) -> None:
    response = client.post("/api/auth/login", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_health_needs_no_credentials(client: Client) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("public_url", "secure"), [("https://kiln.example.com", True), ("http://127.0.0.1:8000", False)]
)
def test_cookies_are_secure_when_kiln_is_served_over_https(
    public_url: str, secure: bool, tmp_path: Path
) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    env = {**os.environ, "KILN_PUBLIC_URL": public_url, "KILN_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(secure), str(secure), "True", "Lax"]
