"""POST /api/w/{ws}/batch: several writes through their own endpoints, all of them or none."""

from __future__ import annotations

from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.schedules.models import Schedule
from kiln.scripts.models import ScriptVersion
from kiln.vault.models import Variable
from tests.conftest import Api

B = "/api/w/main/batch"
SCRIPT = {"path": "u/ada/hello", "language": "python3", "content": "def main(name: str):\n    return name\n"}


def test_every_operation_applies_and_answers_as_its_endpoint_does(api: Api) -> None:
    response = api.post(
        B,
        {
            "operations": [
                {
                    "method": "POST",
                    "path": "/variables",
                    "body": {"path": "f/db/host", "value": "db.internal"},
                },
                {"method": "POST", "path": "/scripts", "body": SCRIPT},
                {
                    "method": "POST",
                    "path": "/schedules",
                    "body": {
                        "path": "u/ada/nightly",
                        "script_path": "u/ada/hello",
                        "cron": "0 3 * * *",
                        "args": {"name": "ops"},
                    },
                },
                {"method": "PUT", "path": "/variables/p/f/db/host", "body": {"value": "db2.internal"}},
            ]
        },
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 201, 200]
    assert results[1]["body"]["schema"]["required"] == ["name"]  # the endpoint's own answer
    assert Variable.objects.get(path="f/db/host").value == "db2.internal"
    assert Schedule.objects.filter(path="u/ada/nightly").exists()
    assert AuditEvent.objects.filter(action="schedule.create", object_id="u/ada/nightly").exists()


def test_one_refusal_rolls_back_the_operations_before_it(api: Api) -> None:
    assert api.post("/api/w/main/variables", {"path": "f/db/host", "value": "kept"}).status_code == 201
    response = api.post(
        B,
        {
            "operations": [
                {"method": "PUT", "path": "/variables/p/f/db/host", "body": {"value": "changed"}},
                {"method": "POST", "path": "/scripts", "body": SCRIPT},
                {
                    "method": "POST",
                    "path": "/schedules",
                    "body": {"path": "u/ada/nightly", "script_path": "u/ada/hello", "cron": "61 * * * *"},
                },
            ]
        },
    )
    assert response.status_code == 400, response.json()
    out = response.json()
    assert out["message"].startswith("operation 3 (POST /schedules) was refused: ")
    assert out["message"].endswith("; nothing was applied")
    assert out["detail"]["index"] == 2 and out["detail"]["status"] == 400
    assert Variable.objects.get(path="f/db/host").value == "kept"
    assert not ScriptVersion.objects.filter(script__path="u/ada/hello").exists()
    assert not AuditEvent.objects.filter(action="variable.update").exists()


def test_runs_and_unknown_paths_cannot_be_batched(api: Api) -> None:
    api.post("/api/w/main/scripts", SCRIPT)
    for path in ("/jobs/run/p/u/ada/hello", "/batch", "/scripts/../jobs/run/p/u/ada/hello", "/members"):
        response = api.post(
            B,
            {
                "operations": [
                    {"method": "POST", "path": "/variables", "body": {"path": "f/db/a", "value": "1"}},
                    {"method": "POST", "path": path, "body": {"name": "x"}},
                ]
            },
        )
        assert response.status_code == 400, (path, response.json())
        assert "cannot be batched" in response.json()["message"]
        assert response.json()["detail"]["index"] == 1
    assert not Variable.objects.filter(path="f/db/a").exists()
    response = api.post(B, {"operations": [{"method": "PATCH", "path": "/variables", "body": {}}]})
    assert response.status_code == 400
    response = api.post(B, {"operations": [{"method": "DELETE", "path": "/variables/p/f/none"}]})
    assert response.status_code == 404 and "nothing was applied" in response.json()["message"]


def test_each_operation_is_checked_with_the_callers_rights(client: Client, workspace: Workspace) -> None:
    operator = User.objects.create_user(email="op@example.com", password="correct-horse")
    Membership.objects.create(user=operator, workspace=workspace, role=Role.OPERATOR)
    as_operator = Api(client, token_create(user=operator))
    response = as_operator.post(
        B,
        {"operations": [{"method": "POST", "path": "/variables", "body": {"path": "f/db/a", "value": "1"}}]},
    )
    assert response.status_code == 403, response.json()
    assert not Variable.objects.filter(path="f/db/a").exists()
    outsider = Api(client, token_create(user=User.objects.create_user(email="x@example.com", password="pw")))
    assert outsider.post(B, {"operations": []}).status_code in (403, 404)
