"""The SDK from inside sandboxed jobs, in Python and TypeScript: variables, resources, progress,
state across runs, nested script and flow runs, approval URLs, and the job token's bounds."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.flows.runs import flow_job_create
from kiln.flows.services import flow_save
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.jobs.selectors import job_logs
from kiln.scripts.services import script_save
from tests.conftest import Api

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]
PASSWORD = "s3cr3t-Pa55word!"

FLOW = {
    "summary": "add one",
    "value": {
        "modules": [
            {
                "id": "a",
                "value": {
                    "type": "rawscript",
                    "language": "python3",
                    "content": "def main(x: int):\n    return x + 1\n",
                    "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}},
                },
            }
        ]
    },
    "schema": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
}

PY = """
import os
import kiln

def main():
    out = {"token": os.environ["KILN_TOKEN"]}
    print("token in the log:", os.environ["KILN_TOKEN"])
    out["secret"] = kiln.get_variable("f/db/pg_password")
    out["plain"] = kiln.get_variable("f/db/host")
    out["resource"] = kiln.get_resource("f/db/main")
    kiln.set_progress(50)
    count = (kiln.get_state() or 0) + 1
    kiln.set_state(count)
    out["state"] = count
    out["nested"] = kiln.run_script("f/tools/double", {"x": 21})
    out["waited"] = kiln.wait_job(kiln.run_script_async("f/tools/double", {"x": 5}))
    out["flow"] = kiln.run_flow("f/tools/add_one", {"x": 1})
    try:
        kiln.get_variable("u/ada/nope")
    except kiln.KilnError as exc:
        out["missing"] = exc.status
    try:
        kiln.run_script("f/tools/fails")
    except kiln.JobFailed as exc:
        out["failed"] = [exc.status, exc.error["name"]]
    os.environ["KILN_WORKSPACE"] = "other"
    try:
        kiln.get_variable("f/db/host")
    except kiln.KilnError as exc:
        out["other_workspace"] = exc.status
    return out
"""

TS = """
import * as kiln from "kiln";

export async function main() {
  const out: Record<string, unknown> = { token: Deno.env.get("KILN_TOKEN") };
  out.secret = await kiln.getVariable("f/db/pg_password");
  out.plain = await kiln.getVariable("f/db/host");
  out.resource = await kiln.getResource("f/db/main");
  await kiln.setProgress(50);
  const count = ((await kiln.getState()) as number | null ?? 0) + 1;
  await kiln.setState(count);
  out.state = count;
  out.nested = await kiln.runScript("f/tools/double", { x: 21 });
  out.parallel = await Promise.all([1, 2, 3].map((x) => kiln.runScript("f/tools/double", { x })));
  out.flow = await kiln.runFlow("f/tools/add_one", { x: 1 });
  try {
    await kiln.getVariable("u/ada/nope");
  } catch (e) {
    out.missing = (e as kiln.KilnError).status;
  }
  return out;
}
"""


@pytest.fixture
def world(api: Api, workspace: Workspace, owner: User, transactional_db: None) -> None:
    assert (
        api.post(
            "/api/w/main/variables", {"path": "f/db/pg_password", "value": PASSWORD, "is_secret": True}
        ).status_code
        == 201
    )
    assert api.post("/api/w/main/variables", {"path": "f/db/host", "value": "db.internal"}).status_code == 201
    value = {"host": "$var:f/db/host", "port": 5432, "password": "$var:f/db/pg_password"}
    assert (
        api.post(
            "/api/w/main/resources", {"path": "f/db/main", "resource_type": "postgresql", "value": value}
        ).status_code
        == 201
    )
    for path, content in {
        "f/tools/double": "def main(x: int):\n    return x * 2\n",
        "f/tools/fails": "def main():\n    raise RuntimeError('no')\n",
    }.items():
        script_save(
            workspace=workspace, user=owner, path=path, language="python3", content=content, settings={}
        )
    flow_save(workspace=workspace, user=owner, path="f/tools/add_one", doc=FLOW)
    other = Workspace.objects.create(id="other", name="Other", settings={"default_network": "none"})
    Membership.objects.create(user=owner, workspace=other, role=Role.ADMIN)  # ada may; her job may not


def bearer(token: str) -> Api:
    return Api(Client(), token)


def test_the_python_sdk_does_each_call_with_the_jobs_access(run_job: Run, world: None) -> None:
    first = run_job(PY, path="f/tools/sdk")
    assert first.status == JobStatus.SUCCESS, (first.error, job_logs(job=first))
    out: dict[str, Any] = first.result
    assert out["secret"] == PASSWORD and out["plain"] == "db.internal"
    assert out["resource"] == {"host": "db.internal", "port": 5432, "password": PASSWORD}
    assert first.progress == 100  # reported (50) through the SDK, then ended well
    assert out["state"] == 1
    assert out["nested"] == 42 and out["waited"] == 10 and out["flow"] == 2
    assert out["missing"] == 404
    assert out["failed"] == ["failure", "RuntimeError"]
    assert out["other_workspace"] in (403, 404)
    logs = job_logs(job=first)
    assert out["token"] not in logs and "token in the log: *****" in logs
    children = Job.objects.filter(script_path="f/tools/double").order_by("created_at")
    assert [c.status for c in children] == [JobStatus.SUCCESS, JobStatus.SUCCESS]
    assert all(c.created_by_id == first.created_by_id and c.trigger == "job" for c in children)

    second = run_job(PY, path="f/tools/sdk")
    assert second.result["state"] == 2  # kept across runs of the script

    # The job is over: its token is not a credential any more.
    late = bearer(out["token"]).get("/api/w/main/variables")
    assert late.status_code == 401 and "no longer running" in late.json()["message"]


def test_a_job_token_is_bound_to_its_running_job_and_workspace(run_job: Run, world: None) -> None:
    source = """
import json, os, socket

def bare(path, token):
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.environ["KILN_SDK_SOCKET"])
    head = f"GET {path} HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer {token}\\r\\n"
    s.sendall((head + "Connection: close\\r\\n\\r\\n").encode())
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    return int(data.split(b" ", 2)[1])

def call(path):
    return bare(path, os.environ["KILN_TOKEN"])

def main():
    return {
        "me": call("/api/auth/me"),
        "tokens": call("/api/tokens"),
        "other": call("/api/w/other/variables"),
        "own": call("/api/w/main/variables"),
        "not_api": call("/admin/"),
        "forged": bare("/api/w/main/variables", os.environ["KILN_TOKEN"][:-4] + "AAAA"),
    }
"""
    job = run_job(source, path="f/tools/bounds")
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == {"me": 403, "tokens": 403, "other": 403, "own": 200, "not_api": 404, "forged": 401}


def test_the_typescript_sdk_does_each_call(run_job: Run, world: None) -> None:
    job = run_job(TS, language="deno", path="f/tools/sdk_ts")
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    out = job.result
    assert out["secret"] == PASSWORD and out["plain"] == "db.internal"
    assert out["resource"]["password"] == PASSWORD
    assert out["state"] == 1 and job.progress == 100  # reported (50), then ended well
    assert out["nested"] == 42 and out["parallel"] == [2, 4, 6] and out["flow"] == 2
    assert out["missing"] == 404
    assert run_job(TS, language="deno", path="f/tools/sdk_ts").result["state"] == 2
    assert bearer(out["token"]).get("/api/w/main/variables").status_code == 401


def test_a_flow_step_gets_its_approval_urls(
    world: None, workspace: Workspace, owner: User, sandbox_available: None
) -> None:
    doc = json.loads(json.dumps(FLOW))
    step = doc["value"]["modules"][0]
    step["value"]["content"] = (
        "import kiln\n\ndef main(x: int):\n    return kiln.get_resume_urls('ops@example.com')\n"
    )
    step["suspend"] = {"required_events": 1}
    version = flow_save(workspace=workspace, user=owner, path="f/tools/approve", doc=doc).version
    flow = flow_job_create(workspace=workspace, user=owner, version=version, args={"x": 1})
    JobRunner(str(flow.id)).run()
    child = Job.objects.get(parent=flow)
    ran = JobRunner(str(child.id)).run()
    assert ran is not None and ran.status == JobStatus.SUCCESS, (ran.error, job_logs(job=ran))
    urls = ran.result
    assert urls["approvalPage"].endswith(f"/w/main/runs/{flow.id}")
    assert f"/jobs_u/resume/{flow.id}/" in urls["resume"] and "approver=ops%40example.com" in urls["resume"]
    flow.refresh_from_db()
    assert flow.flow_status["steps"]["a"]["status"] == "suspended"
    page = Client().get(urls["resume"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and page.json()["step"] == "a"
