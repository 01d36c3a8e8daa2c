"""Apps: scripts and flows published for operators, who see apps and their own runs, nothing else;
and a script's version history."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.jobs.models import Job
from tests.conftest import Api

SCRIPT = '"""Refund an order."""\n\ndef main(order: str, amount: int = 1):\n    return amount\n'
FLOW = {
    "path": "f/ops/pipeline",
    "summary": "A pipeline",
    "description": "Runs one step",
    "schema": {"type": "object", "properties": {"n": {"type": "integer"}}},
    "value": {"modules": [{"id": "a", "value": {"type": "identity"}}]},
}


@pytest.fixture
def otto(workspace: Workspace) -> Api:
    """An operator, in the `all` group like every member."""
    user = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OPERATOR)
    return Api(Client(), token_create(user=user))


@pytest.fixture
def shared(api: Api) -> None:
    """f/ops/refund and f/ops/secret saved, f/ops open to every member as writers."""
    for path in ("f/ops/refund", "f/ops/secret"):
        saved = api.post("/api/w/main/scripts", {"path": path, "language": "python3", "content": SCRIPT})
        assert saved.status_code == 201, saved.json()
    api.put("/api/w/main/folders/ops/grants", {"grants": [{"group": "all", "level": "writer"}]})


def publish(who: Api, path: str, published: bool = True) -> Any:
    return who.put(f"/api/w/main/apps/p/{path}", {"published": published})


def test_a_published_script_is_an_app_with_its_form_and_never_its_code(
    api: Api, otto: Api, shared: None
) -> None:
    assert otto.get("/api/w/main/apps").json() == []
    published = publish(api, "f/ops/refund")
    assert published.status_code == 200 and published.json()["published"] is True
    assert api.get("/api/w/main/scripts/p/f/ops/refund").json()["app"] is True

    apps = otto.get("/api/w/main/apps").json()
    assert [a["path"] for a in apps] == ["f/ops/refund"]
    app = otto.get("/api/w/main/apps/p/f/ops/refund").json()
    assert app["kind"] == "script" and app["summary"] == "Refund an order."
    assert list(app["schema"]["properties"]) == ["order", "amount"]
    assert "content" not in app and "def main" not in str(app)
    assert otto.get("/api/w/main/apps/p/f/ops/secret").status_code == 404  # not published
    assert AuditEvent.objects.filter(action="app.publish", object_id="f/ops/refund").count() == 1


def test_operators_run_apps_only_and_see_only_their_own_runs(
    api: Api, otto: Api, shared: None, workspace: Workspace
) -> None:
    publish(api, "f/ops/refund")
    mine = otto.post("/api/w/main/jobs/run/p/f/ops/refund", {"order": "A-1"})
    assert mine.status_code == 201, mine.json()
    refused = otto.post("/api/w/main/jobs/run/p/f/ops/secret", {"order": "A-1"})
    assert refused.status_code == 403 and "not published as an app" in refused.json()["message"]
    theirs = api.post("/api/w/main/jobs/run/p/f/ops/refund", {"order": "B-2"}).json()["id"]

    listed = [j["id"] for j in otto.get("/api/w/main/jobs").json()["items"]]
    assert listed == [mine.json()["id"]]
    assert otto.get(f"/api/w/main/jobs/{mine.json()['id']}").status_code == 200
    assert otto.get(f"/api/w/main/jobs/{theirs}").status_code == 404
    assert otto.get(f"/api/w/main/jobs/{theirs}/logs").status_code == 404
    rerun = otto.post(f"/api/w/main/jobs/{mine.json()['id']}/rerun", {"args": {"order": "A-2"}})
    assert rerun.status_code == 201

    # Unpublished: the app is gone and re-running it is refused, the runs stay.
    assert publish(api, "f/ops/refund", False).json()["published"] is False
    assert otto.get("/api/w/main/apps/p/f/ops/refund").status_code == 404
    assert otto.post(f"/api/w/main/jobs/{mine.json()['id']}/rerun", {}).status_code == 403
    assert Job.objects.filter(created_by__email="otto@example.com").count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "/api/w/main/scripts",
        "/api/w/main/scripts/p/f/ops/refund",
        "/api/w/main/scripts/versions/p/f/ops/refund",
        "/api/w/main/scripts/webhook/p/f/ops/refund",
        "/api/w/main/flows",
        "/api/w/main/schedules",
        "/api/w/main/schedules/preview?cron=*+*+*+*+*",
    ],
)
def test_operators_do_not_see_the_scripts_flows_and_schedules_behind_apps(
    url: str, api: Api, otto: Api, shared: None
) -> None:
    publish(api, "f/ops/refund")
    refused = otto.get(url)
    assert refused.status_code == 403 and "operator" in refused.json()["message"], refused.json()


def test_a_flow_is_published_as_an_app_and_run_by_an_operator(api: Api, otto: Api, shared: None) -> None:
    assert api.post("/api/w/main/flows", FLOW).status_code == 201
    assert otto.post("/api/w/main/jobs/run/f/f/ops/pipeline", {"n": 1}).status_code == 403
    assert publish(api, "f/ops/pipeline").status_code == 200
    app = otto.get("/api/w/main/apps/p/f/ops/pipeline").json()
    assert (app["kind"], app["description"]) == ("flow", "Runs one step")
    assert otto.post("/api/w/main/jobs/run/f/f/ops/pipeline", {"n": 1}).status_code == 201
    assert [a["path"] for a in otto.get("/api/w/main/apps").json()] == ["f/ops/pipeline"]


def test_publishing_needs_write_access_and_a_role_that_writes(
    api: Api, otto: Api, shared: None, workspace: Workspace
) -> None:
    refused = publish(otto, "f/ops/refund")
    assert refused.status_code == 403 and "operator" in refused.json()["message"]
    assert publish(api, "f/ops/nothing").status_code == 404
    assert publish(api, "u/nobody/x").status_code == 404
    bad = api.put("/api/w/main/apps/p/f/ops/refund", {"published": "maybe"})
    assert bad.status_code in (400, 422) and "published" in str(bad.json())
    assert api.get("/api/w/main/scripts/p/f/ops/refund").json()["app"] is False  # nothing changed


def test_a_scripts_versions_are_listed_newest_first(api: Api, shared: None) -> None:
    second = api.post(
        "/api/w/main/scripts",
        {"path": "f/ops/refund", "language": "python3", "content": SCRIPT + "\n# v2\n"},
    ).json()
    versions = api.get("/api/w/main/scripts/versions/p/f/ops/refund").json()
    assert [v["hash"] for v in versions][0] == second["hash"] and len(versions) == 2
    assert [v["latest"] for v in versions] == [True, False]
    assert versions[1]["created_by"] == "ada@example.com"
    old = api.get(f"/api/w/main/scripts/h/{versions[1]['hash']}").json()
    assert "# v2" not in old["content"]
    assert api.get("/api/w/main/scripts/versions/p/f/ops/nothing").status_code == 404
