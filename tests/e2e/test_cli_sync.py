"""`kiln sync pull` / `push` against a real platform: a workspace as files, and back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e

PY = '"""Greets someone."""\n\n\ndef main(name: str, times: int = 1):\n    return {"hi": name * times}\n'
TS = "export async function main(x: number, label: string) {\n  return { label, double: x * 2 };\n}\n"
SH = 'name="$1"\necho "hello $name"\n'
GO = (
    "package inner\n\n"
    "func main(text string, top int) (interface{}, error) {\n\treturn map[string]int{text: top}, nil\n}\n"
)
SQL = "-- $1 key\nSELECT v FROM kv WHERE k = $1;\n"


def new_workspace(kiln: Kiln) -> str:
    ws = f"sync-{uuid.uuid4().hex[:8]}"
    status, body, _ = kiln.request("POST", "/api/workspaces", {"id": ws})
    assert status == 201, body
    return ws


def api(kiln: Kiln, method: str, path: str, body: Any = None) -> Any:
    status, out, _ = kiln.request(method, path, body)
    assert status in (200, 201, 204), (method, path, status, out)
    return out


def sync(
    kiln: Kiln, tmp_path: Path, ws: str, *args: str, token: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    full = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KILN_")},
        "KILN_URL": kiln.url,
        "KILN_TOKEN": token or kiln.token,
        "KILN_WORKSPACE": ws,
        "KILN_CONFIG": str(tmp_path / "cfg.json"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "kiln.cli", "sync", *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def fill(kiln: Kiln, ws: str) -> None:
    """A workspace with one of everything sync knows."""
    w = f"/api/w/{ws}"
    api(
        kiln,
        "POST",
        f"{w}/resources/types",
        {"name": "shop", "schema": {"type": "object"}, "description": "A shop"},
    )
    api(
        kiln,
        "POST",
        f"{w}/variables",
        {"path": "f/app/greeting", "value": "hello\nworld\n", "description": "Two lines"},
    )
    api(kiln, "POST", f"{w}/variables", {"path": "f/app/token", "value": "s3cret", "is_secret": True})
    shop = {
        "path": "f/app/shop",
        "resource_type": "shop",
        "value": {"url": "https://x", "key": "$var:f/app/token"},
    }
    api(kiln, "POST", f"{w}/resources", shop)
    settings = {
        "tag": "slow",
        "limits": {"timeout_s": 30},
        "retry": {"constant": {"attempts": 2, "seconds": 1}},
    }
    scripts = [
        (
            "f/app/greet",
            "python3",
            PY,
            {"settings": settings, "description": "Greets someone.\nAt length.\n"},
        ),
        ("f/app/double", "typescript", TS, {}),
        ("f/app/hello", "bash", SH, {}),
        ("f/app/count", "go", GO, {}),
        ("f/app/lookup", "postgresql", SQL, {"summary": "Looks one key up"}),
    ]
    for path, language, content, extra in scripts:
        api(kiln, "POST", f"{w}/scripts", {"path": path, "language": language, "content": content, **extra})
    # A schema edit survives the round trip: a field's description.
    saved = api(kiln, "GET", f"{w}/scripts/p/f/app/greet")
    saved["schema"]["properties"]["name"]["description"] = "Who to greet"
    api(
        kiln,
        "POST",
        f"{w}/scripts",
        {"path": "f/app/greet", "language": "python3", "content": PY, "schema": saved["schema"]},
    )

    def raw(language: str, content: str) -> dict[str, Any]:
        return {"type": "rawscript", "language": language, "content": content, "input_transforms": {}}

    two = {
        "modules": [
            {"id": "a", "value": raw("python3", "def main():\n    return 1\n")},
            {"id": "b", "value": raw("bash", 'echo "{\\"b\\": 2}"\n')},
        ]
    }
    api(kiln, "POST", f"{w}/flows", {"path": "f/app/two_steps", "summary": "Two steps", "value": two})
    by_path = {
        "modules": [
            {"id": "greet", "value": {"type": "script", "path": "f/app/greet", "input_transforms": {}}}
        ]
    }
    api(kiln, "POST", f"{w}/flows", {"path": "f/app/by_path", "description": "Calls greet", "value": by_path})
    nightly = {
        "path": "f/app/nightly",
        "script_path": "f/app/greet",
        "cron": "0 3 * * *",
        "args": {"name": "ops"},
    }
    api(kiln, "POST", f"{w}/schedules", nightly)
    api(
        kiln,
        "POST",
        f"{w}/schedules",
        {
            "path": "f/app/flows",
            "script_path": "f/app/two_steps",
            "is_flow": True,
            "cron": "@hourly",
            "timezone": "Europe/Paris",
            "enabled": False,
        },
    )


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def versions(kiln: Kiln, ws: str) -> dict[str, int]:
    return {s["path"]: s["versions"] for s in api(kiln, "GET", f"/api/w/{ws}/scripts")}


def test_a_workspace_pulled_pushed_elsewhere_and_pulled_again_gives_the_same_files(
    kiln: Kiln, tmp_path: Path
) -> None:
    source, target = new_workspace(kiln), new_workspace(kiln)
    fill(kiln, source)
    first, second = tmp_path / "first", tmp_path / "second"

    pulled = sync(kiln, tmp_path, source, "pull", str(first))
    assert pulled.returncode == 0, pulled.stderr
    files = tree(first)
    assert {
        "f/app/greet.py",
        "f/app/greet.script.yaml",
        "f/app/lookup.sql",
        "f/app/count.go",
        "f/app/hello.sh",
    } <= set(files)
    assert {
        "f/app/two_steps.flow/flow.yaml",
        "f/app/two_steps.flow/a.py",
        "f/app/two_steps.flow/b.sh",
    } <= set(files)
    assert b"language: postgresql" in files["f/app/lookup.script.yaml"]
    assert b"description: |\n  Greets someone.\n  At length.\n" in files["f/app/greet.script.yaml"]
    assert b"content_file: a.py" in files["f/app/two_steps.flow/flow.yaml"]
    assert b"s3cret" not in b"".join(files.values())
    assert b"secret: true" in files["f/app/token.variable.yaml"]
    assert "resource_types/shop.resource_type.yaml" in files
    assert not any(
        name.startswith("resource_types/") and "shop" not in name for name in files
    )  # no built-ins

    # No secret value: push refuses, and applies nothing.
    refused = sync(kiln, tmp_path, target, "push", str(first), "--yes")
    assert refused.returncode == 1
    assert "KILN_SECRET_F_APP_TOKEN" in refused.stdout + refused.stderr
    assert api(kiln, "GET", f"/api/w/{target}/scripts") == []

    pushed = sync(kiln, tmp_path, target, "push", str(first), "--yes", KILN_SECRET_F_APP_TOKEN="other")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    secret = api(kiln, "GET", f"/api/w/{target}/variables/value/p/f/app/token")
    assert secret["value"] == "other"

    again = sync(kiln, tmp_path, target, "pull", str(second))
    assert again.returncode == 0, again.stderr
    assert tree(second) == files

    nothing = sync(kiln, tmp_path, target, "push", str(second), "--yes")
    assert nothing.returncode == 0 and "up to date" in nothing.stdout


def test_a_pull_keeps_the_repository_files_and_removes_only_what_the_server_dropped(
    kiln: Kiln, tmp_path: Path
) -> None:
    ws = new_workspace(kiln)
    fill(kiln, ws)
    repo = tmp_path / "repo"
    (repo / ".github").mkdir(parents=True)
    (repo / ".github" / "ci.yml").write_text("on: push\n")
    (repo / "README.md").write_text("# ops\n")
    assert sync(kiln, tmp_path, ws, "pull", str(repo)).returncode == 0
    api(kiln, "DELETE", f"/api/w/{ws}/schedules/p/f/app/nightly")
    assert sync(kiln, tmp_path, ws, "pull", str(repo)).returncode == 0
    assert not (repo / "f/app/nightly.schedule.yaml").exists()
    assert (repo / "f/app/flows.schedule.yaml").exists()
    assert (repo / "README.md").read_text() == "# ops\n" and (repo / ".github/ci.yml").exists()


def test_an_edited_script_is_the_only_thing_pushed_and_a_dry_run_changes_nothing(
    kiln: Kiln, tmp_path: Path
) -> None:
    ws = new_workspace(kiln)
    fill(kiln, ws)
    repo = tmp_path / "repo"
    assert sync(kiln, tmp_path, ws, "pull", str(repo)).returncode == 0
    before = versions(kiln, ws)
    (repo / "f/app/hello.sh").write_text('name="$1"\necho "bonjour $name"\n')

    dry = sync(kiln, tmp_path, ws, "push", str(repo), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert '"action": "modify"' in dry.stdout and '"key": "f/app/hello"' in dry.stdout
    assert dry.stdout.count('"action"') == 1
    assert '+echo "bonjour $name"' in dry.stderr  # the human diff goes to stderr with --json
    assert versions(kiln, ws) == before

    no_tty = sync(kiln, tmp_path, ws, "push", str(repo))
    assert no_tty.returncode == 1 and "--yes" in no_tty.stderr
    assert versions(kiln, ws) == before

    pushed = sync(kiln, tmp_path, ws, "push", str(repo), "--yes")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    after = versions(kiln, ws)
    assert after["f/app/hello"] == before["f/app/hello"] + 1
    assert {p: n for p, n in after.items() if p != "f/app/hello"} == {
        p: n for p, n in before.items() if p != "f/app/hello"
    }
    assert "bonjour" in api(kiln, "GET", f"/api/w/{ws}/scripts/p/f/app/hello")["content"]


def test_removed_objects_are_deleted_only_with_delete(kiln: Kiln, tmp_path: Path) -> None:
    ws = new_workspace(kiln)
    fill(kiln, ws)
    repo = tmp_path / "repo"
    assert sync(kiln, tmp_path, ws, "pull", str(repo)).returncode == 0
    (repo / "f/app/nightly.schedule.yaml").unlink()
    (repo / "f/app/hello.sh").unlink()
    (repo / "f/app/hello.script.yaml").unlink()
    shutil.rmtree(repo / "f/app/two_steps.flow")
    kept = sync(kiln, tmp_path, ws, "push", str(repo), "--yes")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "left in place" in kept.stdout
    assert kiln.request("GET", f"/api/w/{ws}/schedules/p/f/app/nightly")[0] == 200
    assert kiln.request("GET", f"/api/w/{ws}/scripts/p/f/app/hello")[0] == 200
    # A schedule still in the files runs the flow: the server refuses to delete it, and the
    # whole push is undone (the schedule and the script were deleted before it in the batch).
    refused = sync(kiln, tmp_path, ws, "push", str(repo), "--yes", "--delete")
    assert refused.returncode == 1
    assert "flow f/app/two_steps: schedule(s) f/app/flows run 'f/app/two_steps'" in refused.stderr
    assert "nothing was applied" in refused.stderr
    assert kiln.request("GET", f"/api/w/{ws}/schedules/p/f/app/nightly")[0] == 200
    assert kiln.request("GET", f"/api/w/{ws}/scripts/p/f/app/hello")[0] == 200
    (repo / "f/app/flows.schedule.yaml").unlink()
    deleted = sync(kiln, tmp_path, ws, "push", str(repo), "--yes", "--delete")
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    for what in (
        "schedule f/app/flows",
        "schedule f/app/nightly",
        "script f/app/hello",
        "flow f/app/two_steps",
    ):
        assert f"{what}: deleted" in deleted.stdout
    assert kiln.request("GET", f"/api/w/{ws}/schedules/p/f/app/nightly")[0] == 404
    assert kiln.request("GET", f"/api/w/{ws}/scripts/p/f/app/hello")[0] == 404
    assert kiln.request("GET", f"/api/w/{ws}/flows/p/f/app/two_steps")[0] == 404
    again = tmp_path / "again"  # and a pull has them gone too
    assert sync(kiln, tmp_path, ws, "pull", str(again)).returncode == 0
    assert tree(again) == {k: v for k, v in tree(repo).items() if not k.startswith(".")}


def test_bad_files_are_all_reported_with_their_line_and_nothing_is_applied(
    kiln: Kiln, tmp_path: Path
) -> None:
    ws = new_workspace(kiln)
    fill(kiln, ws)
    repo = tmp_path / "repo"
    assert sync(kiln, tmp_path, ws, "pull", str(repo)).returncode == 0
    before = versions(kiln, ws)
    (repo / "f/app/hello.sh").write_text('name="$1"\necho "a good change"\n')
    (repo / "f/app/greet.script.yaml").write_text("summary: Greets\nsettings: [oops\n")
    (repo / "f/app/double.script.yaml").write_text("summary: x\ncolour: blue\n")
    (repo / "f/app/nightly.schedule.yaml").write_text("script_path: f/app/greet\ncron: 61 * * * *\n")
    (repo / "f/app/count.go").write_text("package inner\n\nfunc main(\n")
    (repo / "f/app/two_steps.flow/b.sh").unlink()

    out = sync(kiln, tmp_path, ws, "push", str(repo), "--yes")
    text = out.stdout + out.stderr
    assert out.returncode == 1
    assert "f/app/greet.script.yaml:3: expected ',' or ']'" in text
    assert "f/app/double.script.yaml:2: unknown key 'colour'" in text
    assert "f/app/nightly.schedule.yaml: cron: minute field '61'" in text
    assert "f/app/count.go:3: syntax error" in text
    assert "two_steps.flow/flow.yaml:" in text and "content_file 'b.sh' not found" in text
    assert "nothing was applied" in text
    assert versions(kiln, ws) == before


def test_a_token_without_rights_gets_a_clear_message(kiln: Kiln, tmp_path: Path) -> None:
    ws = new_workspace(kiln)
    fill(kiln, ws)
    email = f"op-{uuid.uuid4().hex[:6]}@example.com"
    api(kiln, "POST", "/api/users", {"email": email, "password": "a-long-password-1"})
    api(kiln, "POST", f"/api/w/{ws}/members", {"email": email, "role": "operator"})
    token = kiln.cli("token", "create", "--user", email)
    out = sync(kiln, tmp_path, ws, "pull", str(tmp_path / "repo"), token=token)
    assert out.returncode == 1
    assert f"no right to do this in workspace '{ws}'" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_refusal_only_the_server_sees_applies_nothing(kiln: Kiln, tmp_path: Path) -> None:
    """The files pass every check the client can make, but the server refuses one object while
    applying: the change set is one batch (kiln/batch.py), so the changes before it are gone too."""
    ws = new_workspace(kiln)
    fill(kiln, ws)
    repo = tmp_path / "repo"
    assert sync(kiln, tmp_path, ws, "pull", str(repo)).returncode == 0
    before = versions(kiln, ws)
    greeting = repo / "f/app/greeting.variable.yaml"
    greeting.write_text(greeting.read_text().replace("hello", "goodbye"))  # applied first...
    (repo / "f/app/hello.sh").write_text('name="$1"\necho "a good change"\n')  # ...and last
    shop = repo / "f/app/shop.resource.yaml"
    shop.write_text(shop.read_text().replace("resource_type: shop", "resource_type: no_such_type"))

    out = sync(kiln, tmp_path, ws, "push", str(repo), "--yes")
    text = out.stdout + out.stderr
    assert out.returncode == 1, text
    assert "resource f/app/shop: " in text and "nothing was applied" in text
    assert versions(kiln, ws) == before
    assert api(kiln, "GET", f"/api/w/{ws}/variables/p/f/app/greeting")["value"] == "hello\nworld\n"
