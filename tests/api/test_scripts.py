"""Saving scripts: immutable versions named by their content hash, with an inferred schema."""

from __future__ import annotations

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.scripts.models import Script, ScriptVersion
from scripts_runtime.schema_edits import schema_edits
from tests.conftest import Api, example, share_folder

HELLO = "def main(name: str, times: int = 1):\n    return [name] * times\n"


def save(api: Api, content: str = HELLO, path: str = "u/ada/hello", language: str = "python3") -> dict:
    return api.post("/api/w/main/scripts", {"path": path, "language": language, "content": content})


def test_saving_a_script_returns_its_version_and_schema(api: Api) -> None:
    response = save(api, example("greet.py"), path="u/ada/greet")
    assert response.status_code == 201
    body = response.json()
    assert body["path"] == "u/ada/greet" and len(body["hash"]) == 16
    assert body["schema"]["required"] == ["name"]
    assert body["summary"].startswith("Greet someone a few times")


def test_saving_the_same_content_twice_keeps_one_version(api: Api) -> None:
    first, second = save(api), save(api)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["hash"] == second.json()["hash"]
    assert ScriptVersion.objects.count() == 1


def test_an_edit_makes_a_new_version_and_the_old_one_stays_pinned(api: Api) -> None:
    old = save(api).json()["hash"]
    new = save(api, HELLO.replace("times: int = 1", "times: int = 2")).json()["hash"]
    assert old != new
    assert api.get("/api/w/main/scripts/p/u/ada/hello").json()["hash"] == new
    assert api.get(f"/api/w/main/scripts/h/{old}").json()["schema"]["properties"]["times"]["default"] == 1
    listed = api.get("/api/w/main/scripts").json()
    assert [(s["path"], s["hash"], s["versions"]) for s in listed] == [("u/ada/hello", new, 2)]


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"path": "u/ada/x", "language": "cobol", "content": HELLO}, 400, "unknown language 'cobol'"),
        ({"path": "nope", "language": "python3", "content": HELLO}, 400, "invalid script path"),
        ({"path": "u/ada/../x", "language": "python3", "content": HELLO}, 400, "invalid script path"),
        ({"path": "u/ada/x", "language": "python3", "content": "def main(:\n"}, 400, "syntax error"),
        ({"path": "u/ada/x", "language": "python3", "content": "x = 1\n"}, 400, "no top-level"),
        ({"path": "u/ada/x", "language": "python3", "content": "def main(*a):\n  pass\n"}, 400, "*args"),
        ({"path": "u/ada/x", "language": "python3", "content": "def main():\x00\n"}, 400, "binary"),
        ({"path": "u/ada/x", "language": "python3", "content": "#" * (1024 * 1024 + 1)}, 400, "larger"),
        ({"path": "u/ada/x", "language": "python3"}, 400, "content"),
    ],
)
def test_bad_scripts_are_refused_and_nothing_is_stored(
    api: Api, payload: dict, status: int, message: str
) -> None:
    response = api.post("/api/w/main/scripts", payload)
    assert response.status_code == status
    assert message in response.json()["message"]
    assert Script.objects.count() == 0 and ScriptVersion.objects.count() == 0


def test_a_syntax_error_names_its_line(api: Api) -> None:
    response = save(api, "x = 1\ndef main(a:\n")
    assert response.json()["detail"]["line"] == 2


def test_a_refused_edit_leaves_the_stored_version_alone(api: Api) -> None:
    good = save(api).json()["hash"]
    assert save(api, "def main(:\n").status_code == 400
    assert api.get("/api/w/main/scripts/p/u/ada/hello").json()["hash"] == good


def test_malformed_json_is_400(api: Api) -> None:
    response = api.post("/api/w/main/scripts", raw='{"path": "u/ada/x",')
    assert response.status_code == 400
    assert response.json()["message"].startswith("request body is not valid JSON: ")


def test_unknown_paths_and_hashes_are_404(api: Api) -> None:
    assert api.get("/api/w/main/scripts/p/u/ada/missing").status_code == 404
    assert api.get("/api/w/main/scripts/h/0123456789abcdef").json()["message"] == (
        "script version '0123456789abcdef' not found"
    )


def test_an_outsider_cannot_see_the_workspace(api: Api, outsider_api: Api) -> None:
    save(api)
    response = outsider_api.get("/api/w/main/scripts")
    assert response.status_code == 404
    assert response.json()["message"] == "workspace 'main' not found"
    assert (
        outsider_api.post(
            "/api/w/main/scripts", {"path": "u/m/x", "language": "python3", "content": HELLO}
        ).status_code
        == 404
    )


def test_edits_made_in_the_form_survive_a_code_change(api: Api) -> None:
    saved = save(api).json()
    schema = saved["schema"]
    schema["properties"]["name"]["description"] = "Who"
    schema["properties"]["times"]["maximum"] = 5
    edited = api.post(
        "/api/w/main/scripts",
        {"path": "u/ada/hello", "language": "python3", "content": HELLO, "schema": schema},
    )
    assert edited.status_code == 201 and edited.json()["hash"] != saved["hash"]  # a schema edit is a version

    changed = save(api, HELLO.replace("times: int = 1", "times: int = 1, loud: bool = False")).json()
    assert changed["schema"]["properties"]["name"]["description"] == "Who"
    assert changed["schema"]["properties"]["times"]["maximum"] == 5
    assert changed["schema"]["properties"]["loud"] == {"type": "boolean", "default": False}


def test_the_edited_schema_validates_runs(api: Api) -> None:
    schema = save(api).json()["schema"]
    schema["properties"]["times"]["maximum"] = 5
    api.post(
        "/api/w/main/scripts",
        {"path": "u/ada/hello", "language": "python3", "content": HELLO, "schema": schema},
    )
    response = api.post("/api/w/main/jobs/run/p/u/ada/hello", {"name": "x", "times": 9})
    assert response.status_code == 400 and response.json()["detail"]["field"] == "times"


def test_an_invalid_schema_is_refused(api: Api) -> None:
    response = api.post(
        "/api/w/main/scripts",
        {"path": "u/ada/x", "language": "python3", "content": HELLO, "schema": {"type": 12}},
    )
    assert response.status_code == 400 and response.json()["message"].startswith("invalid schema")
    assert Script.objects.count() == 0


def test_infer_schema_answers_without_storing_anything(api: Api) -> None:
    response = api.post("/api/w/main/scripts/infer_schema", {"language": "python", "content": HELLO})
    assert response.status_code == 200
    assert response.json()["language"] == "python3"
    assert response.json()["schema"]["required"] == ["name"]
    assert Script.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "message", "detail"),
    [
        ({"language": "python3", "content": "x = 1\ndef main(a:\n"}, "syntax error", {"line": 2}),
        ({"language": "python3", "content": "x = 1\n"}, "no top-level", {}),
        ({"language": "python3", "content": "def main(*args):\n  pass\n"}, "*args", {}),
        ({"language": "python3", "content": "#" * (5 * 1024 * 1024)}, "larger than", {}),
        ({"language": "python3", "content": "\x7fELF\x02\x01\x01\x00\x00"}, "binary", {}),
        ({"language": "fortran", "content": HELLO}, "unknown language 'fortran'", {}),
    ],
)
def test_infer_schema_explains_bad_input(api: Api, payload: dict, message: str, detail: dict) -> None:
    response = api.post("/api/w/main/scripts/infer_schema", payload)
    assert response.status_code == 400
    assert message in response.json()["message"]
    for key, value in detail.items():
        assert response.json()["detail"][key] == value


def test_a_body_over_the_request_limit_is_413(api: Api) -> None:
    response = api.post(
        "/api/w/main/scripts", {"path": "u/ada/x", "language": "python3", "content": "#" * (11 * 1024 * 1024)}
    )
    assert response.status_code == 413 and "larger than" in response.json()["message"]


def test_the_same_code_under_a_new_summary_renames_its_version(api: Api) -> None:
    body = {"path": "u/ada/hello", "language": "python3", "content": HELLO}
    first = api.post("/api/w/main/scripts", {**body, "summary": "Says hello"}).json()
    renamed = api.post("/api/w/main/scripts", {**body, "summary": "Greets"})
    assert renamed.status_code == 200  # no new version: the summary is not part of its hash
    assert renamed.json()["hash"] == first["hash"] and renamed.json()["summary"] == "Greets"
    assert api.get("/api/w/main/scripts/p/u/ada/hello").json()["summary"] == "Greets"
    kept = api.post("/api/w/main/scripts", body)  # no summary given: the one it has stays
    assert kept.json()["summary"] == "Greets"


def test_a_description_is_saved_carried_over_and_changed_in_place(api: Api) -> None:
    body = {"path": "u/ada/hello", "language": "python3", "content": HELLO}
    first = api.post("/api/w/main/scripts", {**body, "description": "Greets.\n\nLong text."}).json()
    assert first["description"] == "Greets.\n\nLong text."
    newer = api.post("/api/w/main/scripts", {**body, "content": HELLO + "\n# v2\n"}).json()
    assert newer["hash"] != first["hash"] and newer["description"] == "Greets.\n\nLong text."
    changed = api.post("/api/w/main/scripts", {**body, "content": HELLO + "\n# v2\n", "description": ""})
    assert changed.status_code == 200 and changed.json()["hash"] == newer["hash"]
    assert api.get("/api/w/main/scripts/p/u/ada/hello").json()["description"] == ""
    too_long = api.post("/api/w/main/scripts", {**body, "description": "x" * 100_001})
    assert too_long.status_code == 400


# --- the full list (?full=true) ------------------------------------------------------------------

SCRIPTS = "/api/w/main/scripts"


def edited(api: Api) -> dict:
    """u/ada/hello with a description and a maximum added in the form."""
    schema = save(api).json()["schema"]
    schema["properties"]["name"]["description"] = "Who"
    schema["properties"]["times"]["maximum"] = 5
    body = {"path": "u/ada/hello", "language": "python3", "content": HELLO, "schema": schema}
    made = api.post(SCRIPTS, body)
    assert made.status_code == 201, made.json()
    return dict(made.json())


def test_the_list_without_full_is_as_it_was(api: Api) -> None:
    edited(api)
    listed = api.get(SCRIPTS).json()
    assert [sorted(s) for s in listed] == [
        ["created_at", "created_by", "hash", "language", "path", "summary", "versions"]
    ]
    assert api.get(f"{SCRIPTS}?full=false").json() == listed


def test_the_full_list_gives_each_script_as_its_path_read_with_versions_and_schema_edits(api: Api) -> None:
    edited(api)
    save(api, example("greet.py"), path="u/ada/greet")
    response = api.get(f"{SCRIPTS}?full=true")
    assert response.status_code == 200
    listed = {s["path"]: s for s in response.json()}
    assert list(listed) == ["u/ada/greet", "u/ada/hello"]  # newest first, as without full
    for path, item in listed.items():
        by_path = api.get(f"{SCRIPTS}/p/{path}").json()
        assert {k: v for k, v in item.items() if k not in ("versions", "schema_edits")} == by_path
    assert (listed["u/ada/hello"]["versions"], listed["u/ada/greet"]["versions"]) == (2, 1)
    assert listed["u/ada/hello"]["schema_edits"] == {
        "fields": {"name": {"description": "Who"}, "times": {"maximum": 5}}
    }
    assert listed["u/ada/greet"]["schema_edits"] == {"fields": {}}


def test_the_full_lists_schema_edits_are_the_ones_sync_computed_from_infer_schema(api: Api) -> None:
    edited(api)
    for item in api.get(f"{SCRIPTS}?full=true").json():
        body = {"language": item["language"], "content": item["content"]}
        inferred = api.post(f"{SCRIPTS}/infer_schema", body).json()["schema"]
        assert item["schema_edits"] == schema_edits(item["schema"], inferred)


def test_a_stored_script_whose_code_no_longer_infers_has_null_schema_edits(api: Api) -> None:
    edited(api)
    save(api, path="u/ada/other")
    # What a stricter parser of a later release may do to code saved before it.
    ScriptVersion.objects.filter(script__path="u/ada/other").update(content="def main(:\n")
    response = api.get(f"{SCRIPTS}?full=true")
    assert response.status_code == 200
    edits = {s["path"]: s["schema_edits"] for s in response.json()}
    assert edits["u/ada/other"] is None and edits["u/ada/hello"]["fields"]["name"] == {"description": "Who"}


def test_the_full_list_shows_only_what_the_caller_may_read_by_path(
    api: Api, client: Client, workspace: Workspace, owner: User, member: User
) -> None:
    share_folder(workspace, owner, "ops", level="viewer")
    edited(api)
    save(api, path="f/ops/tool")
    grace = Api(client, token_create(user=member))
    save(grace, path="u/grace/mine")
    listed = grace.get(f"{SCRIPTS}?full=true").json()
    assert sorted(s["path"] for s in listed) == ["f/ops/tool", "u/grace/mine"]
    for item in listed:
        by_path = grace.get(f"{SCRIPTS}/p/{item['path']}").json()
        assert {k: v for k, v in item.items() if k not in ("versions", "schema_edits")} == by_path
    assert {s["path"]: s["access"] for s in listed} == {"f/ops/tool": "view", "u/grace/mine": "owner"}
    assert grace.get(f"{SCRIPTS}/p/u/ada/hello").status_code == 404
    assert "u/ada/hello" not in grace.get(f"{SCRIPTS}?full=true").content.decode()
    otto = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=otto, workspace=workspace, role=Role.OPERATOR)
    assert Api(client, token_create(user=otto)).get(f"{SCRIPTS}?full=true").status_code == 403


def test_full_must_be_a_boolean(api: Api) -> None:
    refused = api.get(f"{SCRIPTS}?full=maybe")
    assert refused.status_code == 400 and "full" in refused.json()["message"]


def test_an_unedited_schema_has_no_edits_and_a_reordered_one_has_its_order(api: Api) -> None:
    """On both databases: PostgreSQL's jsonb once gave a schema's keys back sorted by length,
    which read as a reordering no one made (tests/test_ordered_json.py)."""
    save(api, example("greet.py"), path="u/ada/greet")
    version = ScriptVersion.objects.get(script__path="u/ada/greet")
    listed = {s["path"]: s for s in api.get(f"{SCRIPTS}?full=true").json()}
    assert listed["u/ada/greet"]["schema_edits"] == {"fields": {}}

    names = list(version.schema["properties"])
    reordered = {**version.schema, "properties": {n: version.schema["properties"][n] for n in names[::-1]}}
    ScriptVersion.objects.filter(pk=version.pk).update(schema={**reordered, "order": names[::-1]})
    listed = {s["path"]: s for s in api.get(f"{SCRIPTS}?full=true").json()}
    assert listed["u/ada/greet"]["schema_edits"] == {"fields": {}, "order": names[::-1]}
