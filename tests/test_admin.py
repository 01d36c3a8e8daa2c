"""Django's admin: for superusers only; jobs and the audit log cannot be changed there."""

from __future__ import annotations

import pytest
from django.test import Client

from kiln.accounts.models import User


@pytest.mark.django_db
def test_superusers_get_the_admin_and_others_are_sent_to_its_login(client: Client) -> None:
    boss = User.objects.create_superuser(email="boss@example.com", password="pw-123456")
    plain = User.objects.create_user(email="plain@example.com", password="pw-123456")
    client.force_login(plain)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(boss)
    page = client.get("/admin/")
    assert page.status_code == 200 and b"Kiln administration" in page.content
    for model in ("accounts/user", "accounts/workspace", "jobs/job", "audit/auditevent"):
        assert client.get(f"/admin/{model}/").status_code == 200, model
    assert client.get("/admin/jobs/job/add/").status_code == 403  # read-only
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
