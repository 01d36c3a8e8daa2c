"""Saving scripts: immutable versions named by their content hash, with an inferred schema."""

from __future__ import annotations

import pytest

from kiln.scripts.models import Script, ScriptVersion
from tests.conftest import Api, example

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
