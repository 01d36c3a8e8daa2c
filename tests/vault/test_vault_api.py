"""Variables, secrets, resources and resource types over the API: access, bad input, audit,
encryption at rest, tampering and key rotation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from django.test import Client

from kiln import crypto
from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.cli import main as kiln_cli
from kiln.vault.models import Resource, Variable
from kiln.vault.services import secrets_rotate
from tests.conftest import Api, share_folder

V = "/api/w/main/variables"
R = "/api/w/main/resources"
PASSWORD = "s3cr3t-Pa55word!"


def as_user(user: User) -> Api:
    return Api(Client(), token_create(user=user))


def secret(api: Api, path: str = "f/db/pg_password", value: str = PASSWORD) -> None:
    response = api.post(V, {"path": path, "value": value, "is_secret": True, "description": "pg"})
    assert response.status_code == 201, response.json()


def test_a_secret_is_encrypted_at_rest_and_never_in_a_list(api: Api) -> None:
    secret(api)
    assert api.post(V, {"path": "f/db/host", "value": "db.internal"}).status_code == 201
    listed = api.get(V)
    assert listed.status_code == 200 and PASSWORD not in listed.content.decode()
    by_path = {v["path"]: v for v in listed.json()}
    assert by_path["f/db/pg_password"]["value"] is None and by_path["f/db/pg_password"]["is_secret"]
    assert by_path["f/db/host"]["value"] == "db.internal"
    assert PASSWORD not in api.get(f"{V}/p/f/db/pg_password").content.decode()
    row = Variable.objects.get(path="f/db/pg_password")
    assert row.value == "" and PASSWORD not in row.ciphertext and crypto.decrypt(row.ciphertext) == PASSWORD


def test_reading_a_secret_is_its_own_call_and_is_audited(api: Api) -> None:
    secret(api)
    read = api.get(f"{V}/value/p/f/db/pg_password")
    assert read.status_code == 200 and read.json() == {
        "path": "f/db/pg_password",
        "is_secret": True,
        "value": PASSWORD,
    }
    event = AuditEvent.objects.get(action="variable.read_secret")
    assert event.object_id == "f/db/pg_password" and event.actor_email == "ada@example.com"
    assert PASSWORD not in str(event.detail)
    api.post(V, {"path": "f/db/host", "value": "db.internal"})
    assert api.get(f"{V}/value/p/f/db/host").json()["value"] == "db.internal"
    assert AuditEvent.objects.filter(action="variable.read_secret").count() == 1  # plain: not audited


def test_access_follows_the_path(api: Api, workspace: Workspace, owner: User, member: User) -> None:
    secret(api, "u/ada/token")
    grace = as_user(member)
    assert grace.get(f"{V}/value/p/u/ada/token").status_code == 404
    assert grace.get(f"{V}/p/u/ada/token").status_code == 404
    assert all(v["path"] != "u/ada/token" for v in grace.get(V).json())
    share_folder(workspace, owner, "ops", level="viewer")
    secret(api, "f/ops/key")
    assert grace.get(f"{V}/value/p/f/ops/key").json()["value"] == PASSWORD
    refused = grace.put(f"{V}/p/f/ops/key", {"value": "mine now"})
    assert refused.status_code == 403
    assert crypto.decrypt(Variable.objects.get(path="f/ops/key").ciphertext) == PASSWORD
    assert grace.post(V, {"path": "u/grace/own", "value": "x"}).status_code == 201
    otto = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=otto, workspace=workspace, role=Role.OPERATOR)
    assert as_user(otto).post(V, {"path": "u/otto/x", "value": "x"}).status_code == 403


def test_bad_input_is_refused_and_changes_nothing(api: Api) -> None:
    secret(api)
    assert api.post(V, {"path": "nowhere", "value": "x"}).status_code == 400
    again = api.post(V, {"path": "f/db/pg_password", "value": "other", "is_secret": True})
    assert again.status_code == 409
    huge = api.post(V, {"path": "f/db/huge", "value": "x" * 70_000})
    assert huge.status_code == 400 and "bytes" in huge.json()["message"]
    assert api.post(V, {"path": "f/db/n", "value": 5}).status_code == 400
    plain = api.put(f"{V}/p/f/db/pg_password", {"is_secret": False})
    assert plain.status_code == 400 and "stays one" in plain.json()["message"]
    assert api.put(f"{V}/p/f/db/missing", {"value": "x"}).status_code == 404
    assert crypto.decrypt(Variable.objects.get(path="f/db/pg_password").ciphertext) == PASSWORD
    assert not Variable.objects.filter(path__in=["f/db/huge", "f/db/n"]).exists()


def test_updates_change_only_what_is_given(api: Api) -> None:
    secret(api)
    assert api.put(f"{V}/p/f/db/pg_password", {"description": "the app's"}).status_code == 200
    assert api.get(f"{V}/value/p/f/db/pg_password").json()["value"] == PASSWORD
    api.post(V, {"path": "f/db/user", "value": "kiln"})
    made_secret = api.put(f"{V}/p/f/db/user", {"is_secret": True}).json()
    assert made_secret["is_secret"] and made_secret["value"] is None
    row = Variable.objects.get(path="f/db/user")
    assert row.value == "" and crypto.decrypt(row.ciphertext) == "kiln"
    assert api.client.delete(f"{V}/p/f/db/user", **api.headers).status_code == 204
    assert not Variable.objects.filter(path="f/db/user").exists()


def test_a_tampered_ciphertext_fails_loudly(api: Api) -> None:
    secret(api)
    row = Variable.objects.get(path="f/db/pg_password")
    token = bytearray(row.ciphertext.encode())
    token[40] = ord("A") if token[40] != ord("A") else ord("B")
    Variable.objects.filter(pk=row.pk).update(ciphertext=token.decode())
    read = api.get(f"{V}/value/p/f/db/pg_password")
    assert read.status_code == 500
    assert "cannot be decrypted" in read.json()["message"] and read.json()["detail"] == {
        "path": "f/db/pg_password"
    }


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("KILN_ENCRYPTION_KEYS", old)
    crypto.reset_keys()
    yield [old, new]
    crypto.reset_keys()


def test_key_rotation_re_encrypts_every_secret_with_the_newest_key(
    api: Api, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = keys
    secret(api, "f/db/a", "first-secret")
    secret(api, "f/db/b", "second-secret")
    before = dict(Variable.objects.values_list("path", "ciphertext"))
    monkeypatch.setenv("KILN_ENCRYPTION_KEYS", f"{new},{old}")  # the new key first, the old still read
    crypto.reset_keys()
    assert api.get(f"{V}/value/p/f/db/a").json()["value"] == "first-secret"  # before rotation: old key
    rotated = CliRunner().invoke(kiln_cli, ["rotate-keys"])
    assert rotated.exit_code == 0 and "re-encrypted 2 secret(s)" in rotated.output, rotated.output
    after = dict(Variable.objects.values_list("path", "ciphertext"))
    assert all(after[p] != before[p] for p in before)
    monkeypatch.setenv("KILN_ENCRYPTION_KEYS", new)  # the old key retired
    crypto.reset_keys()
    assert api.get(f"{V}/value/p/f/db/a").json()["value"] == "first-secret"
    assert api.get(f"{V}/value/p/f/db/b").json()["value"] == "second-secret"
    secret(api, "f/db/c", "third-secret")
    assert (
        Fernet(new.encode()).decrypt(Variable.objects.get(path="f/db/c").ciphertext.encode())
        == b"third-secret"
    )


# --- resources -------------------------------------------------------------------------


def pg(api: Api, path: str = "f/db/main", **value: object) -> object:
    body = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
    body.update({"password": "$var:f/db/pg_password", **value})  # type: ignore[dict-item]
    return api.post(R, {"path": path, "resource_type": "postgresql", "value": body})


def test_a_resource_holds_references_and_resolves_them_on_an_explicit_read(api: Api) -> None:
    secret(api)
    created = pg(api)
    assert created.status_code == 201, created.json()  # type: ignore[attr-defined]
    stored = api.get(f"{R}/p/f/db/main").json()
    assert stored["value"]["password"] == "$var:f/db/pg_password"
    listed = api.get(R).json()
    assert listed[0]["path"] == "f/db/main" and "value" not in listed[0]
    read = api.get(f"{R}/value_interpolated/p/f/db/main")
    assert read.status_code == 200 and read.json()["value"]["password"] == PASSWORD
    assert AuditEvent.objects.filter(action="resource.read_value", object_id="f/db/main").exists()


def test_a_resource_must_fit_its_type(api: Api) -> None:
    bad_port = pg(api, port="five")
    assert bad_port.status_code == 400 and "port" in bad_port.json()["message"]  # type: ignore[attr-defined]
    unknown = api.post(R, {"path": "f/db/x", "resource_type": "oracle", "value": {}})
    assert unknown.status_code == 400 and "oracle" in unknown.json()["message"]
    missing = api.post(R, {"path": "f/db/x", "resource_type": "http", "value": {"headers": {}}})
    assert missing.status_code == 400 and "base_url" in missing.json()["message"]
    assert pg(api, port="$var:f/db/port").status_code == 201  # type: ignore[attr-defined]
    assert pg(api).status_code == 409  # type: ignore[attr-defined]
    assert Resource.objects.count() == 1


def test_custom_resource_types(api: Api) -> None:
    schema = {"type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}
    assert api.post(f"{R}/types", {"name": "slack", "schema": schema}).status_code == 201
    assert api.post(f"{R}/types", {"name": "postgresql", "schema": schema}).status_code == 409
    assert api.post(f"{R}/types", {"name": "Bad Name", "schema": schema}).status_code == 400
    assert api.post(f"{R}/types", {"name": "arr", "schema": {"type": "array"}}).status_code == 400
    assert api.post(f"{R}/types", {"name": "bad", "schema": {"type": 5}}).status_code == 400
    names = {t["name"]: t["builtin"] for t in api.get(f"{R}/types").json()}
    assert names["slack"] is False and all(names[n] for n in ("postgresql", "sqlite", "http", "smtp", "s3"))
    made = api.post(R, {"path": "f/chat/team", "resource_type": "slack", "value": {"token": "xoxb-1"}})
    assert made.status_code == 201
    assert api.client.delete(f"{R}/types/slack", **api.headers).status_code == 409
    assert api.client.delete(f"{R}/types/postgresql", **api.headers).status_code == 403


def three_resources(api: Api, workspace: Workspace, owner: User) -> None:
    """f/db/main (postgresql, its folder shared with viewers), u/ada/private_db, f/db/api (http)."""
    share_folder(workspace, owner, "db", level="viewer")
    secret(api)
    pg(api, "f/db/main")
    pg(api, "u/ada/private_db")
    api.post(R, {"path": "f/db/api", "resource_type": "http", "value": {"base_url": "https://x.test"}})


def test_the_resource_picker_lists_what_you_may_use_of_one_type(
    api: Api, workspace: Workspace, owner: User, member: User
) -> None:
    three_resources(api, workspace, owner)
    grace = as_user(member)
    picked = grace.get(f"{R}?resource_type=postgresql").json()
    assert [r["path"] for r in picked] == ["f/db/main"]
    assert [r["path"] for r in api.get(f"{R}?resource_type=postgresql").json()] == [
        "f/db/main",
        "u/ada/private_db",
    ]
    assert grace.get(f"{R}/value_interpolated/p/u/ada/private_db").status_code == 404


def test_the_full_list_gives_values_only_as_a_read_by_path_would(
    api: Api, workspace: Workspace, owner: User, member: User
) -> None:
    three_resources(api, workspace, owner)
    assert all("value" not in r for r in api.get(R).json())  # without full: as it was
    everything = api.get(f"{R}?full=true").json()
    assert [r["path"] for r in everything] == ["f/db/api", "f/db/main", "u/ada/private_db"]
    assert everything == [api.get(f"{R}/p/{r['path']}").json() for r in everything]
    assert everything[1]["value"]["password"] == "$var:f/db/pg_password"  # as stored, never resolved
    assert PASSWORD not in api.get(f"{R}?full=true").content.decode()
    typed = api.get(f"{R}?full=true&resource_type=http").json()
    assert [r["path"] for r in typed] == ["f/db/api"]

    grace = as_user(member)  # a developer: the folder, not ada's own space
    seen = grace.get(f"{R}?full=true")
    assert [r["path"] for r in seen.json()] == ["f/db/api", "f/db/main"]
    assert seen.json() == [grace.get(f"{R}/p/{r['path']}").json() for r in seen.json()]
    assert "private_db" not in seen.content.decode()
    assert grace.get(f"{R}/p/u/ada/private_db").status_code == 404

    otto = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=otto, workspace=workspace, role=Role.OPERATOR)
    operator = as_user(otto)  # may pick resources for an app's form, never read their values
    assert [r["path"] for r in operator.get(R).json()] == ["f/db/api", "f/db/main"]
    assert operator.get(f"{R}/p/f/db/main").status_code == 403
    refused = operator.get(f"{R}?full=true")
    assert refused.status_code == 403 and "127.0.0.1" not in refused.content.decode()


def test_rotation_stops_loudly_at_a_secret_no_key_opens(
    api: Api, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = keys
    secret(api, "f/db/a", "first-secret")
    monkeypatch.setenv("KILN_ENCRYPTION_KEYS", new)  # the old key lost without a rotation
    crypto.reset_keys()
    before = Variable.objects.get(path="f/db/a").ciphertext
    with pytest.raises(crypto.DecryptionError):
        secrets_rotate()
    failed = CliRunner().invoke(kiln_cli, ["rotate-keys"])
    assert failed.exit_code != 0 and "cannot be decrypted" in failed.output
    assert Variable.objects.get(path="f/db/a").ciphertext == before


def test_rotation_re_encrypts_scripts_webhook_signing_secrets_too(
    api: Api, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiln.scripts.models import Script

    old, new = keys
    saved = api.post(
        "/api/w/main/scripts",
        {"path": "u/ada/hook", "language": "python3", "content": "def main():\n    pass\n"},
    )
    assert saved.status_code in (200, 201)
    body = {"raw_request": False, "signature": {"scheme": "github", "secret": "gh-signing-secret"}}
    assert api.put("/api/w/main/scripts/webhook/p/u/ada/hook", body).status_code == 200
    monkeypatch.setenv("KILN_ENCRYPTION_KEYS", f"{new},{old}")
    crypto.reset_keys()
    assert secrets_rotate() == 1
    stored = Script.objects.get(path="u/ada/hook").webhook_secret
    assert Fernet(new.encode()).decrypt(stored.encode()) == b"gh-signing-secret"


def test_a_job_token_whose_owner_left_the_workspace_is_refused(
    api: Api, workspace: Workspace, member: User
) -> None:
    from kiln.jobs.models import Job
    from kiln.jobs.services import job_create
    from kiln.scripts.services import script_save
    from kiln.vault.job_tokens import job_token

    version = script_save(
        workspace=workspace,
        user=member,
        path="u/grace/t",
        language="python3",
        content="def main():\n    pass\n",
    ).version
    job = job_create(workspace=workspace, user=member, version=version, args={})
    Job.objects.filter(pk=job.pk).update(status="running", attempt=1)
    job.refresh_from_db()
    token = job_token(job)
    assert Api(Client(), token).get("/api/w/main/sdk/state").status_code == 200
    Membership.objects.filter(user=member).delete()
    refused = Api(Client(), token).get("/api/w/main/sdk/state")
    assert refused.status_code == 401 and "no longer members" in refused.json()["message"]
