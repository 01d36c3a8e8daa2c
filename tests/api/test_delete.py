"""Deleting scripts and flows: gone from lists, reads, runs and apps; their jobs and versions
stay; a schedule that runs one must go first; a later save starts afresh."""

from __future__ import annotations

from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.jobs.models import Job
from tests.api.test_flows_api import flow
from tests.conftest import Api

S = "/api/w/main/scripts"
F = "/api/w/main/flows"
HELLO = "def main(name: str = 'x'):\n    return name\n"


def test_a_deleted_script_is_gone_but_its_jobs_stay(api: Api, client: Client) -> None:
    saved = api.post(S, {"path": "u/ada/hello", "language": "python3", "content": HELLO}).json()
    assert api.put(f"{S}/settings/p/u/ada/hello", {"tag": "slow", "priority": 3}).status_code == 200
    assert api.put("/api/w/main/apps/p/u/ada/hello", {"published": True}).status_code == 200
    job_id = api.post("/api/w/main/jobs/run/p/u/ada/hello", {}).json()["id"]

    response = client.delete(f"{S}/p/u/ada/hello", **api.headers)
    assert response.status_code == 204
    assert api.get(f"{S}/p/u/ada/hello").status_code == 404
    assert [s["path"] for s in api.get(S).json()] == []
    assert api.post("/api/w/main/jobs/run/p/u/ada/hello", {}).status_code == 404
    assert api.get("/api/w/main/apps").json() == []
    assert api.put(f"{S}/settings/p/u/ada/hello", {"tag": "x"}).status_code == 404
    assert client.delete(f"{S}/p/u/ada/hello", **api.headers).status_code == 404  # once
    job = api.get(f"/api/w/main/jobs/{job_id}").json()  # the job and the code it ran stay
    assert job["script_hash"] == saved["hash"] and Job.objects.filter(pk=job_id).exists()
    assert api.get(f"{S}/h/{saved['hash']}").status_code == 200
    assert AuditEvent.objects.filter(action="script.delete", object_id="u/ada/hello").exists()

    # The path is free: a flow may live there, or a script again, with nothing of the old one.
    again = api.post(S, {"path": "u/ada/hello", "language": "python3", "content": HELLO})
    assert again.status_code == 200  # the same code: its old version, made the latest again
    out = api.get(f"{S}/p/u/ada/hello").json()
    assert out["settings"].get("tag") is None and not out["settings"].get("priority")
    assert api.get("/api/w/main/apps").json() == []


def test_a_script_a_schedule_runs_is_not_deleted(api: Api, client: Client) -> None:
    api.post(S, {"path": "u/ada/hello", "language": "python3", "content": HELLO})
    made = api.post(
        "/api/w/main/schedules", {"path": "u/ada/nightly", "script_path": "u/ada/hello", "cron": "0 3 * * *"}
    )
    assert made.status_code == 201, made.json()
    response = client.delete(f"{S}/p/u/ada/hello", **api.headers)
    assert response.status_code == 409
    assert "u/ada/nightly" in response.json()["message"]
    assert api.get(f"{S}/p/u/ada/hello").status_code == 200
    assert client.delete("/api/w/main/schedules/p/u/ada/nightly", **api.headers).status_code == 204
    assert client.delete(f"{S}/p/u/ada/hello", **api.headers).status_code == 204


def test_a_deleted_flow_is_gone_and_its_path_free(api: Api, client: Client) -> None:
    assert api.post(F, flow("u/ada/digest")).status_code == 201
    run = api.post("/api/w/main/jobs/run/f/u/ada/digest", {"x": 1}).json()["id"]
    assert client.delete(f"{F}/p/u/ada/digest", **api.headers).status_code == 204
    assert api.get(f"{F}/p/u/ada/digest").status_code == 404
    assert api.get(F).json() == []
    assert api.post("/api/w/main/jobs/run/f/u/ada/digest", {"x": 1}).status_code == 404
    assert api.get(f"/api/w/main/jobs/{run}").status_code == 200
    assert AuditEvent.objects.filter(action="flow.delete", object_id="u/ada/digest").exists()
    # A script may take the path now.
    made = api.post(S, {"path": "u/ada/digest", "language": "python3", "content": HELLO})
    assert made.status_code == 201, made.json()
    assert client.delete(f"{F}/p/u/ada/digest", **api.headers).status_code == 404


def test_only_writers_delete(client: Client, workspace: Workspace, api: Api) -> None:
    api.post(S, {"path": "u/ada/hello", "language": "python3", "content": HELLO})
    api.post(F, flow("u/ada/digest"))
    for role in (Role.OPERATOR, Role.DEVELOPER):  # a developer is no writer of u/ada/
        user = User.objects.create_user(email=f"{role}@example.com", password="correct-horse")
        Membership.objects.create(user=user, workspace=workspace, role=role)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}
        assert client.delete(f"{S}/p/u/ada/hello", **headers).status_code in (403, 404)
        assert client.delete(f"{F}/p/u/ada/digest", **headers).status_code in (403, 404)
    assert api.get(f"{S}/p/u/ada/hello").status_code == 200
    assert api.get(f"{F}/p/u/ada/digest").status_code == 200
