"""GET /api/workers: what each worker serves, how busy it is, and which jobs the viewer may see."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from kiln.accounts.models import Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.jobs.models import Job, JobStatus, Worker
from kiln.jobs.services import job_create
from kiln.jobs.workers import heartbeat_once
from kiln.scripts.services import script_save
from tests.conftest import Api, _persona


def running_job(workspace: Workspace, user: User, worker_id: str) -> Job:
    version = script_save(
        workspace=workspace, user=user, path="u/x/job", language="python3", content="def main():\n    pass\n"
    ).version
    job = job_create(workspace=workspace, user=user, version=version, args={})
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, worker_id=worker_id, started_at=timezone.now()
    )
    return job


def setup_workers(workspace: Workspace, owner: User) -> tuple[Job, Job]:
    other = Workspace.objects.create(id="other", name="Other")
    stranger = _persona("eve@example.com", other, Role.ADMIN)
    Worker.objects.create(
        id="box:10", hostname="box", tags=["python3", "default"], concurrency=4, version="1.2",
        processes=["box:10", "box:11", "box:12"],
    )  # fmt: skip
    Worker.objects.create(
        id="gone:7",
        hostname="gone",
        tags=["go"],
        concurrency=1,
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )
    mine = running_job(workspace, owner, "box:11")
    theirs = running_job(other, stranger, "box:12")
    return mine, theirs


def test_it_needs_a_signed_in_user(anonymous_api: Api, db: None) -> None:
    assert anonymous_api.get("/api/workers").status_code == 401


def test_a_member_sees_workers_and_only_their_own_workspaces_jobs(
    api: Api, workspace: Workspace, owner: User
) -> None:
    mine, _ = setup_workers(workspace, owner)
    body = api.get("/api/workers").json()
    assert body["heartbeat_seconds"] == settings.KILN_WORKER_HEARTBEAT_SECONDS
    [box] = body["workers"]  # the gone worker is left out by default
    assert (box["id"], box["hostname"], box["tags"], box["slots"], box["busy"]) == (
        "box:10", "box", ["python3", "default"], 4, 2,
    )  # fmt: skip
    assert box["alive"] is True and box["version"] == "1.2"
    assert [(j["id"], j["workspace"], j["path"], j["language"]) for j in box["jobs"]] == [
        (str(mine.pk), "main", "u/x/job", "python3")
    ]
    assert box["hidden_jobs"] == 1  # the other workspace's job: counted, not shown
    assert "go" in body["unserved_tags"] and "python3" not in body["unserved_tags"]
    assert body["configured_tags"] == list(settings.KILN_WORKER_TAGS)


def test_gone_workers_are_listed_when_asked(api: Api, workspace: Workspace, owner: User) -> None:
    setup_workers(workspace, owner)
    body = api.get("/api/workers?include_gone=true").json()
    assert [(w["id"], w["alive"]) for w in body["workers"]] == [("box:10", True), ("gone:7", False)]
    assert api.get("/api/workers?include_gone=maybe").status_code == 400


def test_an_instance_admin_sees_every_job(client: Client, workspace: Workspace, owner: User) -> None:
    mine, theirs = setup_workers(workspace, owner)
    admin = User.objects.create_superuser(email="root@example.com", password="correct-horse")
    body = Api(client, token_create(user=admin)).get("/api/workers").json()
    [box] = body["workers"]
    assert sorted(j["id"] for j in box["jobs"]) == sorted([str(mine.pk), str(theirs.pk)])
    assert box["hidden_jobs"] == 0


def test_a_heartbeat_names_the_processes_jobs_are_claimed_as(db: None) -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        heartbeat_once(worker_id="w:1", tags=["python3"], concurrency=2, version="dev")
        processes = Worker.objects.get(id="w:1").processes
    finally:
        child.kill()
        child.wait()
    host = socket.gethostname()
    assert processes[0] == f"{host}:{os.getpid()}"  # a solo pool runs jobs in the main process
    assert f"{host}:{child.pid}" in processes


def test_it_lists_no_worker_when_none_beats(api: Api, **_: Any) -> None:
    body = api.get("/api/workers").json()
    assert body["workers"] == []
    assert body["unserved_tags"] == list(settings.KILN_WORKER_TAGS)


def test_a_stopping_worker_is_shown_and_serves_no_tag(api: Api, workspace: Workspace, owner: User) -> None:
    setup_workers(workspace, owner)
    Worker.objects.filter(id="box:10").update(stopping_at=timezone.now())
    body = api.get("/api/workers").json()
    [box] = body["workers"]
    assert (box["alive"], box["stopping"], box["busy"]) == (True, True, 2)  # its jobs may still finish
    assert "python3" in body["unserved_tags"]
