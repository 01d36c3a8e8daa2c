"""The server's side of `kiln sync` (kiln/client/sync_server.py), against the API in-process."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from django.test import Client

from kiln.accounts.models import User
from kiln.accounts.services import token_create
from kiln.client.api import Api, ApiError, Profile
from kiln.client.sync_files import Obj, canonical_edits, canonical_settings
from kiln.client.sync_server import Server
from kiln.scripts.models import ScriptVersion
from scripts_runtime.schema_edits import schema_edits

W = "/api/w/main"
PY = "def main(name: str, times: int = 1):\n    return [name] * times\n"
SH = 'name="$1"\necho "hello $name"\n'


class InProcessApi(Api):
    """The client's Api over Django's test client, keeping every request it makes."""

    def __init__(self, client: Client, token: str) -> None:
        super().__init__(Profile(url="http://testserver", token=token, workspace="main"))
        self.client = client
        self.made: list[str] = []

    def request(self, method: str, path: str, body: Any = None, *, timeout: float | None = None) -> Any:
        self.made.append(f"{method} {path}")
        data = "" if body is None else json.dumps(body)
        response = self.client.generic(
            method,
            path,
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.profile.token}",
        )
        answer = json.loads(response.content) if response.content else None
        if response.status_code >= 400:
            raise ApiError(response.status_code, answer["message"], answer.get("detail"))
        return answer


@pytest.fixture
def api(client: Client, owner: User) -> InProcessApi:
    return InProcessApi(client, token_create(user=owner))


def ok(api: InProcessApi, method: str, path: str, body: Any = None) -> Any:
    answer = api.request(method, W + path, body)
    api.made.clear()
    return answer


def script(api: InProcessApi, path: str, content: str = PY, language: str = "python3", **extra: Any) -> Any:
    return ok(api, "POST", "/scripts", {"path": path, "language": language, "content": content, **extra})


@pytest.fixture
def workspace_objects(api: InProcessApi) -> None:
    """One of each kind, and a script whose form was edited."""
    ok(api, "POST", "/resources/types", {"name": "chat", "schema": {"type": "object"}})
    ok(api, "POST", "/variables", {"path": "u/ada/host", "value": "db.internal"})
    ok(api, "POST", "/variables", {"path": "u/ada/token", "value": "s3cret", "is_secret": True})
    value = {"base_url": "https://x.test", "headers": {"x": "$var:u/ada/token"}}
    ok(api, "POST", "/resources", {"path": "u/ada/web", "resource_type": "http", "value": value})
    schema = script(api, "u/ada/hello")["schema"]
    schema["properties"]["name"]["description"] = "Who"
    script(api, "u/ada/hello", schema=schema, settings={"priority": 3})
    script(api, "u/ada/shell", SH, "bash", summary="Says hello")
    flow = {"modules": [{"id": "a", "value": {"type": "rawscript", "language": "bash", "content": SH}}]}
    ok(api, "POST", "/flows", {"path": "u/ada/flow", "summary": "One step", "value": flow})
    ok(
        api,
        "POST",
        "/schedules",
        {"path": "u/ada/nightly", "script_path": "u/ada/shell", "cron": "@daily", "args": {"name": "x"}},
    )


@pytest.mark.usefixtures("workspace_objects")
def test_a_pull_reads_the_workspace_in_one_request_per_list_however_many_scripts(api: InProcessApi) -> None:
    server = Server(api)
    first = server.read()
    assert len(api.made) == 6, api.made
    assert not any("/p/" in r or "infer_schema" in r for r in api.made)
    for n in range(5):
        script(api, f"u/ada/more_{n}", PY.replace("times", f"times_{n}"))
    api.made.clear()
    assert len(Server(api).read()) == len(first) + 5 and len(api.made) == 6


@pytest.mark.usefixtures("workspace_objects")
def test_each_object_reads_as_its_read_by_path_and_infer_schema_give_it(api: InProcessApi) -> None:
    objects = Server(api).read()
    assert sorted(objects) == [
        ("flow", "u/ada/flow"),
        ("resource", "u/ada/web"),
        ("resource_type", "chat"),
        ("schedule", "u/ada/nightly"),
        ("script", "u/ada/hello"),
        ("script", "u/ada/shell"),
        ("variable", "u/ada/host"),
        ("variable", "u/ada/token"),
    ]
    for path in ("u/ada/hello", "u/ada/shell"):
        s = ok(api, "GET", f"/scripts/p/{path}")
        inferred = ok(
            api, "POST", "/scripts/infer_schema", {"language": s["language"], "content": s["content"]}
        )
        assert objects[("script", path)].data == {
            "language": s["language"],
            "summary": s["summary"],
            "description": s["description"],
            "content": s["content"],
            "schema_edits": canonical_edits(schema_edits(s["schema"], inferred["schema"])),
            "settings": canonical_settings(s["settings"]),
        }
    assert objects[("script", "u/ada/hello")].data["schema_edits"] == {
        "fields": {"name": {"description": "Who"}}
    }
    r = ok(api, "GET", "/resources/p/u/ada/web")
    assert objects[("resource", "u/ada/web")].data == {
        k: r[k] for k in ("resource_type", "description", "value")
    }
    f = ok(api, "GET", "/flows/p/u/ada/flow")
    assert objects[("flow", "u/ada/flow")].data == {
        k: f[k] for k in ("summary", "description", "schema", "value")
    }


@pytest.mark.usefixtures("workspace_objects")
def test_a_push_does_not_ask_again_about_code_the_server_inferred_while_listing(api: InProcessApi) -> None:
    server = Server(api)
    remote = server.read()
    api.made.clear()
    assert server.check(remote, remote) == []  # the flow's inline step is u/ada/shell's code too
    assert not any("infer_schema" in r for r in api.made)
    new = Obj("script", "u/ada/new", {**remote[("script", "u/ada/shell")].data, "content": "x=$1\n"})
    assert server.check({**remote, ("script", "u/ada/new"): new}, remote) == []
    assert [r for r in api.made if "infer_schema" in r] == [f"POST {W}/scripts/infer_schema"]


@pytest.mark.usefixtures("workspace_objects")
def test_a_stored_script_whose_code_no_longer_infers_fails_the_pull_as_before(api: InProcessApi) -> None:
    ScriptVersion.objects.filter(script__path="u/ada/shell").update(content="if then fi (\n")
    with pytest.raises(ApiError) as failed:
        Server(api).read()
    assert failed.value.status == 400 and "syntax error" in failed.value.message
    assert api.made[-1] == f"POST {W}/scripts/infer_schema"


class OlderServerApi(InProcessApi):
    """A server from before ?full=true: it ignores the parameter and lists the short items."""

    def request(self, method: str, path: str, body: Any = None, *, timeout: float | None = None) -> Any:
        return super().request(method, path.replace("full=true", "full_unknown=1"), body, timeout=timeout)


@pytest.mark.usefixtures("workspace_objects")
def test_a_server_too_old_for_full_lists_is_named_not_a_key_error(client: Client, owner: User) -> None:
    older = OlderServerApi(client, token_create(user=owner))
    with pytest.raises(click.ClickException, match="older than this client.*full=true"):
        Server(older).read()
