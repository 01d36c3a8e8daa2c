"""API tokens: personal ones (shown once, hashed, expiring, revocable) and webhook ones,
which act as their creator but can only run one script path of one workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from kiln.accounts.models import ApiToken, Membership, Role, TokenKind, User, Workspace
from kiln.accounts.services import token_authenticate, token_create
from kiln.asgi import application
from kiln.cli import main as kiln_cli
from kiln.jobs.models import Job, JobStatus, Trigger
from kiln.scripts.services import script_save
from tests.conftest import Api, share_folder

SCRIPT = "def main(x: int = 1):\n    return x\n"
LISTED = {"id", "label", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"}


def later(**delta: float) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


# Personal tokens


def test_a_new_token_is_shown_once_and_listed_without_its_secret(api: Api, client: Client) -> None:
    created = api.post("/api/tokens", {"label": "laptop"})
    assert created.status_code == 201
    body = created.json()
    secret = body["token"]
    assert secret.startswith("kiln_") and body["prefix"] == secret[:12] and body["label"] == "laptop"
    assert Api(client, secret).get("/api/auth/me").json()["email"] == "ada@example.com"

    listed = api.get("/api/tokens")
    assert listed.status_code == 200
    mine = [t for t in listed.json() if t["id"] == body["id"]]
    assert len(mine) == 1 and set(mine[0]) == LISTED
    stored = ApiToken.objects.get(pk=body["id"])
    assert secret not in listed.content.decode() and stored.digest not in listed.content.decode()
    assert secret not in (stored.digest, stored.prefix)


def test_a_token_can_expire_at_a_time_or_after_some_days(api: Api) -> None:
    at = api.post("/api/tokens", {"label": "a", "expires_at": later(hours=2)}).json()
    assert at["expires_at"] is not None
    days = api.post("/api/tokens", {"label": "b", "expires_in_days": 30}).json()
    expires = ApiToken.objects.get(pk=days["id"]).expires_at
    assert expires is not None and abs(expires - timezone.now() - timedelta(days=30)) < timedelta(minutes=1)
    naive = api.post("/api/tokens", {"label": "c", "expires_at": "2999-01-01T00:00:00"}).json()
    assert naive["expires_at"].startswith("2999-01-01T00:00:00")  # no offset: read as UTC


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"label": "x", "expires_at": later(seconds=-5)}, "expires_at must be in the future"),
        ({"label": "x" * 101}, "label"),
        ({"label": ""}, "label"),
        ({}, "label"),
        ({"label": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"label": "x", "expires_at": "next tuesday"}, "expires_at"),
        ({"label": "x", "expires_at": later(days=1), "expires_in_days": 1}, "not both"),
    ],
)
def test_bad_token_requests_are_400_and_create_nothing(api: Api, body: dict[str, Any], says: str) -> None:
    before = ApiToken.objects.count()
    response = api.post("/api/tokens", body)
    assert response.status_code == 400 and says in response.json()["message"]
    assert ApiToken.objects.count() == before


def test_a_revoked_token_stops_working_at_once(api: Api, client: Client) -> None:
    body = api.post("/api/tokens", {"label": "ci"}).json()
    other = Api(client, body["token"])
    assert other.get("/api/workspaces").status_code == 200
    assert api.client.delete(f"/api/tokens/{body['id']}", **api.headers).status_code == 204
    refused = other.get("/api/workspaces")
    assert refused.status_code == 401 and refused.json()["message"] == "invalid or expired API token"
    listed = {t["id"]: t for t in api.get("/api/tokens").json()}
    assert listed[body["id"]]["revoked_at"] is not None
    # Revoking again is harmless and keeps the first time.
    first = ApiToken.objects.get(pk=body["id"]).revoked_at
    assert api.client.delete(f"/api/tokens/{body['id']}", **api.headers).status_code == 204
    assert ApiToken.objects.get(pk=body["id"]).revoked_at == first


def test_a_token_can_revoke_itself(client: Client, owner: User) -> None:
    me = Api(client, token_create(user=owner))
    token = ApiToken.objects.get()
    assert me.client.delete(f"/api/tokens/{token.pk}", **me.headers).status_code == 204
    assert me.get("/api/auth/me").status_code == 401


def test_someone_elses_token_is_404_and_keeps_working(api: Api, client: Client, member: User) -> None:
    theirs = token_create(user=member, label="grace's")
    token = ApiToken.objects.get(user=member)
    response = api.client.delete(f"/api/tokens/{token.pk}", **api.headers)
    assert response.status_code == 404
    assert Api(client, theirs).get("/api/auth/me").status_code == 200
    assert token.pk not in {t["id"] for t in api.get("/api/tokens").json()}


def test_an_expired_token_is_401_even_with_a_session_alongside(client: Client, owner: User) -> None:
    raw = token_create(user=owner, expires_at=timezone.now() + timedelta(hours=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(owner)
    response = Api(client, raw).get("/api/auth/me")
    assert response.status_code == 401 and response.json()["message"] == "invalid or expired API token"
    assert client.get("/api/auth/me").status_code == 200  # the session alone is fine


def test_last_use_is_recorded_at_most_once_a_minute(client: Client, owner: User) -> None:
    me = Api(client, token_create(user=owner))
    assert ApiToken.objects.get().last_used_at is None
    me.get("/api/auth/me")
    first = ApiToken.objects.get().last_used_at
    assert first is not None and timezone.now() - first < timedelta(seconds=5)

    recent = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.update(last_used_at=recent)
    me.get("/api/auth/me")
    assert ApiToken.objects.get().last_used_at == recent  # no write inside the minute

    stale = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.update(last_used_at=stale)
    me.get("/api/auth/me")
    last = ApiToken.objects.get().last_used_at
    assert last is not None and last > stale


def test_a_token_within_the_minute_costs_one_query(
    client: Client, owner: User, django_assert_num_queries: Any
) -> None:
    raw = token_create(user=owner)
    ApiToken.objects.update(last_used_at=timezone.now())
    with django_assert_num_queries(1):
        assert token_authenticate(raw) is not None


# Webhook tokens


@pytest.fixture
def scripts(workspace: Workspace, owner: User) -> dict[str, str]:
    """Scripts A and B in `main`, in a folder every member may run; the hash of each version."""
    share_folder(workspace, owner, "ops")
    return {
        path: script_save(
            workspace=workspace, user=owner, path=path, language="python3", content=SCRIPT
        ).version.hash
        for path in ("f/ops/a", "f/ops/b")
    }


@pytest.fixture
def developer_api(member: User) -> Api:
    return Api(Client(), token_create(user=member))


@pytest.fixture
def operator(workspace: Workspace) -> User:
    user = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OPERATOR)
    return user


@pytest.fixture
def hook(developer_api: Api, scripts: dict[str, str]) -> dict[str, Any]:
    """A webhook token for script A, made by a developer (grace)."""
    response = developer_api.post("/api/w/main/webhook_tokens", {"path": "f/ops/a", "label": "github"})
    assert response.status_code == 201, response.json()
    return dict(response.json())


@pytest.fixture
def hook_api(hook: dict[str, Any]) -> Api:
    return Api(Client(), hook["token"])


def test_a_webhook_token_is_shown_once_and_listed_for_the_workspace(
    hook: dict[str, Any], api: Api, developer_api: Api
) -> None:
    assert hook["path"] == "f/ops/a" and hook["created_by"] == "grace@example.com"
    assert hook["token"].startswith("kiln_") and hook["prefix"] == hook["token"][:12]
    listed = api.get("/api/w/main/webhook_tokens")  # an admin sees the developer's token
    assert listed.status_code == 200
    assert [(t["id"], t["path"]) for t in listed.json()] == [(hook["id"], "f/ops/a")]
    assert set(listed.json()[0]) == LISTED | {"path", "created_by"}
    assert hook["token"] not in listed.content.decode()
    # It is not anybody's personal token.
    assert hook["id"] not in {t["id"] for t in developer_api.get("/api/tokens").json()}


def test_a_webhook_token_runs_its_script_as_its_creator(hook_api: Api, member: User, settings: Any) -> None:
    response = hook_api.post("/api/w/main/jobs/run/p/f/ops/a", {"x": 2})
    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.created_by, job.script_path, job.args) == (member, "f/ops/a", {"x": 2})
    assert job.trigger == Trigger.WEBHOOK and job.status == JobStatus.QUEUED

    settings.KILN_SYNC_WAIT = 0  # nothing runs the job here: only the way in is under test
    waited = hook_api.post("/api/w/main/jobs/run_wait_result/p/f/ops/a", {})
    assert waited.status_code not in (401, 403, 404)
    assert Job.objects.filter(script_path="f/ops/a", created_by=member).count() == 2


def forbidden(response: Any) -> bool:
    return response.status_code == 403 and response.json()["message"].startswith(
        "this webhook token can only run f/ops/a"
    )


def test_a_webhook_token_for_script_a_cannot_run_script_b(hook_api: Api, scripts: dict[str, str]) -> None:
    assert forbidden(hook_api.post("/api/w/main/jobs/run/p/f/ops/b", {}))
    assert forbidden(hook_api.post("/api/w/main/jobs/run_wait_result/p/f/ops/b", {}))
    assert forbidden(hook_api.post(f"/api/w/main/jobs/run/h/{scripts['f/ops/b']}", {}))
    # Not even A by hash or by a look-alike URL: only the exact path endpoints.
    assert forbidden(hook_api.post(f"/api/w/main/jobs/run/h/{scripts['f/ops/a']}", {}))
    assert forbidden(hook_api.post("/api/w/main/jobs/run/p/f/ops/a/", {}))
    assert forbidden(hook_api.post("/api/w/main/jobs/run/p/f/ops/ab", {}))
    assert Job.objects.count() == 0


def test_a_webhook_token_cannot_read_jobs_scripts_or_anything_else(
    hook_api: Api, api: Api, hook: dict[str, Any]
) -> None:
    job_id = api.post("/api/w/main/jobs/run/p/f/ops/a", {}).json()["id"]
    for url in (
        "/api/w/main/jobs",
        f"/api/w/main/jobs/{job_id}",
        f"/api/w/main/jobs/{job_id}/logs",
        "/api/w/main/scripts",
        "/api/w/main/scripts/p/f/ops/a",
        "/api/w/main/webhook_tokens",
        "/api/w/main/settings",
        "/api/auth/me",
        "/api/workspaces",
        "/api/tokens",
    ):
        assert forbidden(hook_api.get(url)), url
    assert forbidden(hook_api.post(f"/api/w/main/jobs/{job_id}/cancel"))
    assert forbidden(hook_api.post(f"/api/w/main/jobs/{job_id}/rerun"))
    assert forbidden(hook_api.post("/api/tokens", {"label": "escalate"}))
    assert forbidden(hook_api.post("/api/w/main/webhook_tokens", {"path": "f/ops/b", "label": "x"}))
    assert forbidden(hook_api.client.delete(f"/api/w/main/webhook_tokens/{hook['id']}", **hook_api.headers))
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 3  # owner, grace, the hook


def test_a_webhook_token_cannot_be_used_in_another_workspace(
    hook_api: Api, member: User, owner: User
) -> None:
    other = Workspace.objects.create(id="other", name="Other")
    Membership.objects.create(user=member, workspace=other, role=Role.ADMIN)
    script_save(workspace=other, user=owner, path="f/ops/a", language="python3", content=SCRIPT)
    assert forbidden(hook_api.post("/api/w/other/jobs/run/p/f/ops/a", {}))
    assert forbidden(hook_api.get("/api/w/other/jobs"))
    assert Job.objects.count() == 0


def test_a_webhook_token_stops_working_when_revoked(
    hook_api: Api, hook: dict[str, Any], developer_api: Api
) -> None:
    assert hook_api.post("/api/w/main/jobs/run/p/f/ops/a", {}).status_code == 201
    url = f"/api/w/main/webhook_tokens/{hook['id']}"
    assert developer_api.client.delete(url, **developer_api.headers).status_code == 204
    refused = hook_api.post("/api/w/main/jobs/run/p/f/ops/a", {})
    assert refused.status_code == 401 and refused.json()["message"] == "invalid or expired API token"
    listed = developer_api.get("/api/w/main/webhook_tokens").json()
    assert listed[0]["revoked_at"] is not None


def test_a_webhook_token_stops_working_when_expired(hook_api: Api, hook: dict[str, Any]) -> None:
    ApiToken.objects.filter(pk=hook["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = hook_api.post("/api/w/main/jobs/run/p/f/ops/a", {})
    assert refused.status_code == 401 and refused.json()["message"] == "invalid or expired API token"
    assert Job.objects.count() == 0


def test_a_webhook_token_never_has_more_rights_than_its_creator(
    hook_api: Api, member: User, workspace: Workspace
) -> None:
    Membership.objects.filter(user=member, workspace=workspace).delete()
    assert hook_api.post("/api/w/main/jobs/run/p/f/ops/a", {}).status_code == 404
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert hook_api.post("/api/w/main/jobs/run/p/f/ops/a", {}).status_code == 401
    assert Job.objects.count() == 0


def test_a_webhook_token_can_expire(developer_api: Api, scripts: dict[str, str]) -> None:
    made = developer_api.post(
        "/api/w/main/webhook_tokens", {"path": "f/ops/a", "label": "x", "expires_in_days": 7}
    )
    assert made.status_code == 201 and made.json()["expires_at"] is not None
    past = developer_api.post(
        "/api/w/main/webhook_tokens", {"path": "f/ops/a", "label": "x", "expires_at": later(days=-1)}
    )
    assert past.status_code == 400


def test_an_operator_cannot_create_list_or_revoke_webhook_tokens(
    client: Client, operator: User, hook: dict[str, Any]
) -> None:
    ops = Api(client, token_create(user=operator))
    made = ops.post("/api/w/main/webhook_tokens", {"path": "f/ops/a", "label": "x"})
    assert made.status_code == 403 and "operator" in made.json()["message"]
    assert ops.get("/api/w/main/webhook_tokens").status_code == 403
    url = f"/api/w/main/webhook_tokens/{hook['id']}"
    assert ops.client.delete(url, **ops.headers).status_code == 403
    assert ApiToken.objects.filter(kind=TokenKind.WEBHOOK, revoked_at__isnull=True).count() == 1


def test_an_outsider_gets_404_for_webhook_tokens(outsider_api: Api, hook: dict[str, Any]) -> None:
    made = outsider_api.post("/api/w/main/webhook_tokens", {"path": "f/ops/a", "label": "x"})
    assert made.status_code == 404 and made.json()["message"] == "workspace 'main' not found"
    assert outsider_api.get("/api/w/main/webhook_tokens").status_code == 404
    url = f"/api/w/main/webhook_tokens/{hook['id']}"
    assert outsider_api.client.delete(url, **outsider_api.headers).status_code == 404


def test_a_webhook_token_needs_a_script_that_exists(developer_api: Api, scripts: dict[str, str]) -> None:
    response = developer_api.post("/api/w/main/webhook_tokens", {"path": "u/ada/nope", "label": "x"})
    assert response.status_code == 404 and "u/ada/nope" in response.json()["message"]
    missing_path = developer_api.post("/api/w/main/webhook_tokens", {"label": "x"})
    assert missing_path.status_code == 400
    assert ApiToken.objects.filter(kind=TokenKind.WEBHOOK).count() == 0


def test_a_webhook_token_of_one_workspace_is_404_from_another(
    api: Api, hook: dict[str, Any], owner: User
) -> None:
    other = Workspace.objects.create(id="other", name="Other")
    Membership.objects.create(user=owner, workspace=other, role=Role.ADMIN)
    response = api.client.delete(f"/api/w/other/webhook_tokens/{hook['id']}", **api.headers)
    assert response.status_code == 404
    assert api.get("/api/w/other/webhook_tokens").json() == []
    assert api.client.delete("/api/w/main/webhook_tokens/999999", **api.headers).status_code == 404


# Live logs over a websocket


async def close_code(path: str) -> int | None:
    """The close code of a socket the server refuses; None when it is kept open."""
    comm = WebsocketCommunicator(application, path)
    connected, _ = await comm.connect()
    assert connected
    if await comm.receive_nothing(timeout=0.5):
        await comm.disconnect()
        return None
    message = await comm.receive_output(5)
    assert message["type"] == "websocket.close"
    return int(message["code"])


@pytest.mark.django_db(transaction=True)
def test_the_live_log_socket_refuses_webhook_revoked_and_expired_tokens(
    workspace: Workspace, owner: User
) -> None:
    version = script_save(workspace=workspace, user=owner, path="f/ops/a", language="python3", content=SCRIPT)
    job = Job.objects.create(
        workspace=workspace,
        script_version=version.version,
        script_path="f/ops/a",
        language="python3",
        queue="unused",
        created_by=owner,
        timeout_s=60,
        status=JobStatus.RUNNING,
        worker_id="test:1",
        attempt=1,
        started_at=timezone.now(),
    )
    hook = token_create(user=owner, kind=TokenKind.WEBHOOK, workspace=workspace, script_path="f/ops/a")
    personal = token_create(user=owner, label="good")
    revoked = token_create(user=owner, label="revoked")
    expired = token_create(user=owner, label="expired", expires_at=timezone.now() + timedelta(hours=1))
    ApiToken.objects.filter(label="revoked").update(revoked_at=timezone.now())
    ApiToken.objects.filter(label="expired").update(expires_at=timezone.now() - timedelta(seconds=1))
    base = f"/ws/w/main/jobs/{job.pk}/logs?token="

    async def scenario() -> list[int | None]:
        return [await close_code(base + token) for token in (hook, revoked, expired, personal)]

    assert async_to_sync(scenario)() == [4403, 4401, 4401, None]


# The command line


def test_the_cli_creates_an_expiring_token_and_revokes_it_by_prefix_or_id(owner: User) -> None:
    runner = CliRunner()
    made = runner.invoke(kiln_cli, ["token", "create", "--user", "ADA@example.com", "--expires-in-days", "3"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip()
    token = ApiToken.objects.get()
    assert token.label == "cli" and token.expires_at is not None
    assert timedelta(days=2) < token.expires_at - timezone.now() <= timedelta(days=3)

    revoked = runner.invoke(kiln_cli, ["token", "revoke", secret[:12]])
    assert revoked.exit_code == 0 and "revoked" in revoked.output, revoked.output
    token.refresh_from_db()
    assert token.revoked_at is not None

    second = token_create(user=owner)
    by_id = runner.invoke(kiln_cli, ["token", "revoke", str(ApiToken.objects.get(prefix=second[:12]).pk)])
    assert by_id.exit_code == 0, by_id.output
    by_secret = runner.invoke(kiln_cli, ["token", "revoke", "kiln_no-such-token-at-all"])
    assert by_secret.exit_code != 0 and "no token" in by_secret.output
