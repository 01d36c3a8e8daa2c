"""The audit log: every write is recorded, only admins read it, and nothing changes it."""

from __future__ import annotations

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AppendOnly, AuditEvent
from tests.conftest import Api

ECHO = "def main(name: str = 'x'):\n    return name\n"


def actions(api: Api, query: str = "") -> list[tuple[str, str]]:
    response = api.get(f"/api/w/main/audit{query}")
    assert response.status_code == 200, response.json()
    return [(e["action"], e["object_id"]) for e in response.json()["items"]]


def test_writes_are_recorded_newest_first_with_who_and_what(api: Api) -> None:
    api.post("/api/w/main/scripts", {"path": "u/ada/echo", "language": "python3", "content": ECHO})
    api.post(
        "/api/w/main/scripts", {"path": "u/ada/echo", "language": "python3", "content": ECHO}
    )  # unchanged
    api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"priority": 5})
    api.put("/api/w/main/settings", {"default_network": "none"})
    job = api.post("/api/w/main/jobs/run/p/u/ada/echo", {}, HTTP_IDEMPOTENCY_KEY="k").json()["id"]
    api.post("/api/w/main/jobs/run/p/u/ada/echo", {}, HTTP_IDEMPOTENCY_KEY="k")  # a replay: no new job
    rerun = api.post(f"/api/w/main/jobs/{job}/rerun").json()["id"]
    api.post(f"/api/w/main/jobs/{job}/cancel")
    assert actions(api) == [
        ("job.cancel", job),
        ("job.rerun", rerun),
        ("job.run", job),
        ("workspace.settings", "main"),
        ("script.settings", "u/ada/echo"),
        ("script.save", "u/ada/echo"),
    ]
    event = api.get("/api/w/main/audit?action=job.run").json()["items"][0]
    assert event["actor"] == "ada@example.com" and event["ip"] == "127.0.0.1"
    assert event["detail"]["path"] == "u/ada/echo" and event["detail"]["trigger"] == "webhook"


def test_filters_and_pages(api: Api) -> None:
    for n in range(5):
        api.post("/api/w/main/scripts", {"path": f"f/ops/s{n}", "language": "python3", "content": ECHO})
    api.post("/api/w/main/scripts", {"path": "u/ada/other", "language": "python3", "content": ECHO})
    assert len(actions(api, "?object_id=f/ops/*")) == 5
    assert actions(api, "?object_id=u/ada/other") == [("script.save", "u/ada/other")]
    assert len(actions(api, "?action=script.")) == 6 and actions(api, "?action=job.") == []
    assert actions(api, "?actor=nobody@example.com") == []
    first = api.get("/api/w/main/audit?limit=4").json()
    second = api.get(f"/api/w/main/audit?limit=4&cursor={first['next_cursor']}").json()
    ids = [e["id"] for e in first["items"] + second["items"]]
    # Six saves, and the folder f/ops that the first save into it created.
    assert len(ids) == len(set(ids)) == 7 and second["next_cursor"] is None
    assert actions(api, "?action=folder.create") == [("folder.create", "ops")]


def test_only_admins_of_the_workspace_read_it(
    api: Api, client: Client, outsider_api: Api, workspace: Workspace
) -> None:
    api.post("/api/w/main/scripts", {"path": "u/ada/echo", "language": "python3", "content": ECHO})
    developer = User.objects.create_user(email="dev@example.com", password="x")
    Membership.objects.create(user=developer, workspace=workspace, role=Role.DEVELOPER)
    assert Api(client, token_create(user=developer)).get("/api/w/main/audit").status_code == 403
    assert outsider_api.get("/api/w/main/audit").status_code == 404
    # Another workspace's admin sees none of this one's events.
    other = Workspace.objects.create(id="other", name="Other")
    boss = User.objects.create_user(email="boss@example.com", password="x")
    Membership.objects.create(user=boss, workspace=other, role=Role.ADMIN)
    assert Api(client, token_create(user=boss)).get("/api/w/other/audit").json()["items"] == []


def test_events_are_append_only(api: Api) -> None:
    api.post("/api/w/main/scripts", {"path": "u/ada/echo", "language": "python3", "content": ECHO})
    event = AuditEvent.objects.get()
    event.action = "forged"
    for attempt in (event.save, event.delete, AuditEvent.objects.all().delete):
        with pytest.raises(AppendOnly):
            attempt()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.update(action="forged")
    assert AuditEvent.objects.get().action == "script.save"


@pytest.mark.parametrize("query", ["limit=0", "cursor=abc", "since=yesterday"])
def test_bad_audit_queries_are_400(api: Api, query: str) -> None:
    assert api.get(f"/api/w/main/audit?{query}").status_code == 400


def test_webhook_tokens_made_and_revoked_are_recorded(api: Api) -> None:
    api.post("/api/w/main/scripts", {"path": "u/ada/echo", "language": "python3", "content": ECHO})
    made = api.post("/api/w/main/webhook_tokens", {"path": "u/ada/echo", "label": "ci"}).json()
    assert api.client.delete(f"/api/w/main/webhook_tokens/{made['id']}", **api.headers).status_code == 204
    prefix = made["prefix"]
    assert actions(api, "?action=token.") == [("token.revoke", prefix), ("token.create", prefix)]
    assert made["token"] not in str(api.get("/api/w/main/audit").json())  # the secret is never recorded
