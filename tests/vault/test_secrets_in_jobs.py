"""`$var:` and `$res:` in a job's arguments, resolved when it starts with its owner's access,
and every secret it received masked in its logs and its error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from kiln.accounts.models import User, Workspace
from kiln.accounts.services import token_create
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from kiln.vault.models import Variable
from tests.conftest import Api, example, share_folder

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]
PASSWORD = "s3cr3t-Pa55word!"

LEAKY = """
import json, sys, time

def main(password: str, db: dict):
    print("the password is", password)
    sys.stdout.write(password[:6]); sys.stdout.flush(); time.sleep(0.3)  # cut across two flushes
    sys.stdout.write(password[6:] + "\\n")
    print(json.dumps(db))
    raise ValueError(f"could not log in with {password}")
"""


def make_secret(api: Api, path: str = "f/db/pg_password", value: str = PASSWORD) -> None:
    assert (
        api.post("/api/w/main/variables", {"path": path, "value": value, "is_secret": True}).status_code
        == 201
    )


def make_pg(api: Api, path: str, **extra: object) -> None:
    value = {
        "host": "127.0.0.1",
        "port": 5432,
        "user": "postgres",
        "password": "$var:f/db/pg_password",
        **extra,
    }
    made = api.post("/api/w/main/resources", {"path": path, "resource_type": "postgresql", "value": value})
    assert made.status_code == 201, made.json()


def test_a_secret_never_appears_in_the_logs_or_the_error(run_job: Run, api: Api) -> None:
    make_secret(api)
    make_pg(api, "f/db/main")
    job = run_job(LEAKY, {"password": "$var:f/db/pg_password", "db": "$res:f/db/main"})
    logs = job_logs(job=job)
    assert job.status == JobStatus.FAILURE and job.error["name"] == "ValueError"
    assert PASSWORD not in logs and PASSWORD[:6] not in logs.replace("*****", "")
    assert "the password is *****" in logs and '"password": "*****"' in logs
    assert "*****" in job.error["message"] and PASSWORD not in str(job.error)
    assert job.args == {"password": "$var:f/db/pg_password", "db": "$res:f/db/main"}  # stored as given
    seen = api.get(f"/api/w/main/jobs/{job.id}").content.decode()
    assert PASSWORD not in seen and "*****" in seen
    assert PASSWORD not in api.get("/api/w/main/jobs").content.decode()


def test_a_reference_the_owner_may_not_read_fails_the_job_before_its_code_runs(
    run_job: Run, api: Api, workspace: Workspace, owner: User, member: User
) -> None:
    make_secret(api, "u/ada/key")
    # grace's script, run by ada (who may read the secret): the job has grace's access.
    job = run_job(
        'def main(key: str):\n    print("ran")\n', {"key": "$var:u/ada/key"}, path="u/grace/t", author=member
    )
    assert job.status == JobStatus.FAILURE and job.error["name"] == "ResolveError"
    assert "u/ada/key" in job.error["message"] and "u/grace" in job.error["message"]
    assert "ran" not in job_logs(job=job)
    missing = run_job('def main(db: dict):\n    print("ran")\n', {"db": "$res:f/nowhere/db"})
    assert missing.status == JobStatus.FAILURE and missing.error["name"] == "ResolveError"
    assert "ran" not in job_logs(job=missing)


def test_a_caller_cannot_borrow_a_scripts_access_to_read_a_secret(
    api: Api, workspace: Workspace, owner: User, member: User, transactional_db: None
) -> None:
    make_secret(api, "u/ada/key")
    share_folder(workspace, owner, "tools", level="viewer")
    saved = api.post(
        "/api/w/main/scripts",
        {"path": "f/tools/echo", "language": "python3", "content": "def main(key: str):\n    return key\n"},
    )
    assert saved.status_code in (200, 201), saved.json()
    grace = Api(Client(), token_create(user=member))
    refused = grace.post("/api/w/main/jobs/run/p/f/tools/echo", {"key": "$var:u/ada/key"})
    assert refused.status_code == 404 and "u/ada/key" in refused.json()["message"]
    assert not Job.objects.exists()


def test_a_tampered_secret_fails_the_job_loudly(run_job: Run, api: Api) -> None:
    make_secret(api)
    row = Variable.objects.get(path="f/db/pg_password")
    Variable.objects.filter(pk=row.pk).update(ciphertext=row.ciphertext[:-8] + "AAAAAAAA")
    job = run_job("def main(p: str):\n    return p\n", {"p": "$var:f/db/pg_password"})
    assert job.status == JobStatus.FAILURE and job.error["name"] == "ResolveError"
    assert "cannot be decrypted" in job.error["message"]


def test_the_big_orders_example_runs_against_a_postgresql_resource_with_a_secret_password(
    run_job: Run, api: Api, pg_schema: str
) -> None:
    make_secret(api)
    make_pg(api, "f/db/orders", dbname="test", options=f"-c search_path={pg_schema}")
    assert (
        api.get("/api/w/main/resources/p/f/db/orders").json()["value"]["password"] == "$var:f/db/pg_password"
    )
    job = run_job(
        example("big_orders.pg.sql"),
        {"database": "$res:f/db/orders", "since": "2026-01-01"},
        language="postgresql",
        path="f/db/big_orders",
    )
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == [
        {"id": 1, "customer": "ada", "total": 250, "status": "paid", "created_at": "2026-01-05"}
    ]
    assert PASSWORD not in job_logs(job=job)


def test_the_live_stream_carries_the_masked_text_only(
    api: Api, workspace: Workspace, owner: User, sandbox_available: None, transactional_db: None
) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from kiln.jobs.runner import JobRunner
    from kiln.jobs.services import job_create, job_log_group
    from kiln.scripts.services import script_save

    make_secret(api)
    version = script_save(
        workspace=workspace,
        user=owner,
        path="u/ada/leak",
        language="python3",
        content="def main(p: str):\n    for _ in range(3):\n        print('live', p, flush=True)\n",
        settings={},
    ).version
    job = job_create(workspace=workspace, user=owner, version=version, args={"p": "$var:f/db/pg_password"})
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(job_log_group(str(job.id)), channel)
    JobRunner(str(job.id)).run()

    async def drain() -> list[dict]:
        import asyncio

        got = []
        while True:
            try:
                got.append(await asyncio.wait_for(layer.receive(channel), 1.0))
            except TimeoutError:
                return got

    messages = async_to_sync(drain)()
    streamed = "".join(str(m.get("data", "")) for m in messages)
    assert streamed.count("live *****") == 3 and PASSWORD not in str(messages)


def test_a_flow_static_input_may_name_a_secret(
    api: Api, workspace: Workspace, owner: User, sandbox_available: None, transactional_db: None
) -> None:
    from kiln.flows.runs import flow_job_create
    from kiln.flows.services import flow_save
    from kiln.jobs.runner import JobRunner

    make_secret(api)
    doc = {
        "summary": "uses a secret",
        "value": {
            "modules": [
                {
                    "id": "a",
                    "value": {
                        "type": "rawscript",
                        "language": "python3",
                        "content": "def main(p: str):\n    print('got', p)\n    return len(p)\n",
                        "input_transforms": {"p": {"type": "static", "value": "$var:f/db/pg_password"}},
                    },
                }
            ]
        },
        "schema": {"type": "object", "properties": {}},
    }
    version = flow_save(workspace=workspace, user=owner, path="f/db/uses_secret", doc=doc).version
    flow = flow_job_create(workspace=workspace, user=owner, version=version, args={})
    JobRunner(str(flow.id)).run()
    step = Job.objects.get(parent=flow)
    JobRunner(str(step.id)).run()
    step.refresh_from_db()
    flow.refresh_from_db()
    assert step.status == JobStatus.SUCCESS and step.result == len(PASSWORD)
    assert step.args == {"p": "$var:f/db/pg_password"} and "got *****" in job_logs(job=step)
    assert flow.status == JobStatus.SUCCESS and flow.result == len(PASSWORD)


def test_jobs_from_before_and_after_a_key_rotation_all_read_their_secrets(
    api: Api,
    workspace: Workspace,
    owner: User,
    sandbox_available: None,
    transactional_db: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cryptography.fernet import Fernet

    from kiln import crypto
    from kiln.jobs.runner import JobRunner
    from kiln.jobs.services import job_create
    from kiln.scripts.services import script_save
    from kiln.vault.services import secrets_rotate

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("KILN_ENCRYPTION_KEYS", old)
    crypto.reset_keys()
    try:
        make_secret(api)
        version = script_save(
            workspace=workspace,
            user=owner,
            path="u/ada/uses",
            language="python3",
            content="def main(p: str):\n    return p == 's3cr3t-Pa55word!'\n",
            settings={},
        ).version
        args = {"p": "$var:f/db/pg_password"}
        before = job_create(workspace=workspace, user=owner, version=version, args=args)
        monkeypatch.setenv("KILN_ENCRYPTION_KEYS", f"{new},{old}")
        crypto.reset_keys()
        during = job_create(workspace=workspace, user=owner, version=version, args=args)
        assert JobRunner(str(during.id)).run().result is True  # type: ignore[union-attr]
        assert secrets_rotate() >= 1
        monkeypatch.setenv("KILN_ENCRYPTION_KEYS", new)  # the old key retired
        crypto.reset_keys()
        after = job_create(workspace=workspace, user=owner, version=version, args=args)
        for job in (before, after):
            ran = JobRunner(str(job.id)).run()
            assert ran is not None and ran.status == JobStatus.SUCCESS and ran.result is True, (
                ran and ran.error
            )
    finally:
        crypto.reset_keys()


def test_a_resource_the_owner_may_not_read_fails_the_job_before_its_code_runs(
    run_job: Run, api: Api, member: User
) -> None:
    make_secret(api)
    make_pg(api, "u/ada/db")
    job = run_job(
        'def main(db: dict):\n    print("ran")\n', {"db": "$res:u/ada/db"}, path="u/grace/t", author=member
    )
    assert job.status == JobStatus.FAILURE and job.error["name"] == "ResolveError"
    assert "$res:u/ada/db" in job.error["message"] and "ran" not in job_logs(job=job)
