"""Preview runs: unsaved code from an editor, run as the caller through the real runner and nsjail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.jobs.models import Job, JobKind, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.scripts.models import Script
from tests.conftest import Api

CODE = "def main(name: str, times: int = 2):\n    print('hi', name)\n    return name * times\n"
URL = "/api/w/main/jobs/run/preview"


def preview(api: Api, **body: Any) -> Any:
    return api.post(URL, {"language": "python3", "content": CODE, **body})


def test_unsaved_code_runs_as_the_caller_and_saves_nothing(
    api: Api, sandbox_available: None, owner: User
) -> None:
    made = preview(api, args={"name": "ab"})
    assert made.status_code == 201, made.json()
    job = Job.objects.get(pk=made.json()["id"])
    assert (job.kind, job.trigger, job.script_path) == (
        JobKind.INLINE,
        "preview",
        f"u/{owner.username}/preview",
    )
    assert job.run_as == f"u/{owner.username}" and job.script_version is None
    finished = JobRunner(str(job.id)).run()
    assert finished is not None and finished.status == JobStatus.SUCCESS, finished.error
    assert finished.result == "abab"
    body = api.get(f"/api/w/main/jobs/{job.id}").json()
    assert body["result"] == "abab" and "hi ab" in body["logs"] and body["trigger"] == "preview"
    assert not Script.objects.exists()  # nothing was saved


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "cobol"}, "language"),
        ({"content": "def main(:\n"}, "content"),
        ({"content": "x" * 600_000}, "content"),
        ({"args": {"times": 3}}, None),  # `name` is required
        ({"args": {"name": 5}}, "name"),
    ],
)
def test_bad_previews_are_400_and_create_no_job(api: Api, body: dict[str, Any], field: str | None) -> None:
    refused = preview(api, **body)
    assert refused.status_code == 400, refused.json()
    if field is not None:
        assert refused.json()["detail"]["field"] == field
    assert not Job.objects.exists()


def test_operators_cannot_run_unsaved_code_and_a_path_must_be_writable(
    api: Api, workspace: Workspace, member: User
) -> None:
    otto = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=otto, workspace=workspace, role=Role.OPERATOR)
    refused = preview(Api(Client(), token_create(user=otto)), args={"name": "x"})
    assert refused.status_code == 403 and "operator" in refused.json()["message"]
    grace = Api(Client(), token_create(user=member))
    assert preview(grace, args={"name": "x"}, path="u/ada/somewhere").status_code == 404
    filed = preview(api, args={"name": "x"}, path="f/team/digest/step")
    assert (
        filed.status_code == 201
        and Job.objects.get(pk=filed.json()["id"]).script_path == "f/team/digest/step"
    )
    assert Job.objects.count() == 1
