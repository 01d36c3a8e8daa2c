"""The `kiln` command line as a client of a real, running platform (kiln/client/commands.py)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiln.cli import main
from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e

LINES = """import time

def main():
    for i in range(4):
        print(f"line {i}", flush=True)
        time.sleep(0.2)
    return {"lines": 4}
"""
FAILING = """def main():
    print("about to fail", flush=True)
    raise ValueError("the answer is wrong")
"""
ECHO = """def main(n: int, flag: bool, name: str, items: list):
    return {"n": n, "flag": flag, "name": name, "items": items}
"""
LONG = """import time

def main():
    print("started", flush=True)
    time.sleep(120)
"""


def client_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a client with its own config file (and no server settings of ours)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KILN_URL", "KILN_TOKEN", "KILN_WORKSPACE")}
    return {**env, "KILN_CONFIG": str(tmp_path / "config.json"), **extra}


def logged_in(kiln: Kiln, tmp_path: Path) -> dict[str, str]:
    """A CI-style client: the server and the token in the environment."""
    return client_env(tmp_path, KILN_URL=kiln.url, KILN_TOKEN=kiln.token)


def kiln_cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiln.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiln.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def newest_job(kiln: Kiln, path: str, status: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, page, _ = kiln.request("GET", f"/api/w/main/jobs?path={path}&status={status}&limit=1")
        if page["items"]:
            return str(page["items"][0]["id"])
        time.sleep(0.2)
    raise AssertionError(f"no {status} job of {path}")


def test_login_with_a_good_token_saves_it_readable_by_its_owner_only(kiln: Kiln, tmp_path: Path) -> None:
    done = kiln_cli(client_env(tmp_path), "login", kiln.url, "--token", kiln.token)
    assert done.returncode == 0, done.stderr
    assert "admin@kiln.local" in done.stdout and "workspace main (admin)" in done.stdout
    config = tmp_path / "config.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text()) == {"url": kiln.url, "token": kiln.token, "workspace": "main"}

    whoami = kiln_cli(client_env(tmp_path), "whoami", "--json")
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout) == {
        "url": kiln.url,
        "email": "admin@kiln.local",
        "name": json.loads(whoami.stdout)["name"],
        "superuser": True,
        "workspace": "main",
        "role": "admin",
    }
    text = kiln_cli(client_env(tmp_path), "whoami")
    assert "admin@kiln.local" in text.stdout and "main (admin)" in text.stdout


def test_login_asks_for_the_token_hidden_when_it_is_not_given(kiln: Kiln, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["login", kiln.url], input=kiln.token + "\n", env=client_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert "API tokens" in result.output and kiln.token not in result.output
    assert json.loads((tmp_path / "config.json").read_text())["token"] == kiln.token


def test_login_with_a_bad_token_or_no_server_says_so_and_saves_nothing(kiln: Kiln, tmp_path: Path) -> None:
    bad = kiln_cli(client_env(tmp_path), "login", kiln.url, "--token", "kiln_not_a_real_token")
    assert bad.returncode == 1
    assert "Error: the server refused the token" in bad.stderr and "Traceback" not in bad.stderr
    nowhere = kiln_cli(client_env(tmp_path), "login", "http://127.0.0.1:9", "--token", kiln.token)
    assert nowhere.returncode == 1
    assert "Error: cannot reach http://127.0.0.1:9" in nowhere.stderr
    not_mine = kiln_cli(client_env(tmp_path), "login", kiln.url, "--token", kiln.token, "--workspace", "nope")
    assert not_mine.returncode == 1 and "not a member of workspace 'nope'" in not_mine.stderr
    assert not (tmp_path / "config.json").exists()


def test_commands_without_a_login_say_how_to_log_in(tmp_path: Path) -> None:
    done = kiln_cli(client_env(tmp_path), "jobs", "list")
    assert done.returncode == 1 and "not logged in: run `kiln login <url>`" in done.stderr


def test_workspace_use_accepts_only_my_workspaces(kiln: Kiln, tmp_path: Path) -> None:
    assert kiln_cli(client_env(tmp_path), "login", kiln.url, "--token", kiln.token).returncode == 0
    refused = kiln_cli(client_env(tmp_path), "workspace", "use", "elsewhere")
    assert refused.returncode == 1
    assert "not a member of workspace 'elsewhere'; yours: main" in refused.stderr
    assert json.loads((tmp_path / "config.json").read_text())["workspace"] == "main"
    used = kiln_cli(client_env(tmp_path), "workspace", "use", "main")
    assert used.returncode == 0 and "workspace main (admin)" in used.stdout
    listed = kiln_cli(client_env(tmp_path), "workspace", "list", "--json")
    assert [w["id"] for w in json.loads(listed.stdout)] == ["main"]


def test_run_prints_the_log_to_stderr_in_order_and_the_result_to_stdout(kiln: Kiln, tmp_path: Path) -> None:
    kiln.save_script("u/admin/cli_lines", LINES)
    done = kiln_cli(logged_in(kiln, tmp_path), "run", "u/admin/cli_lines")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"lines": 4}
    positions = [done.stderr.index(f"line {i}") for i in range(4)]
    assert positions == sorted(positions)


def test_run_of_a_failing_script_exits_1_with_its_error(kiln: Kiln, tmp_path: Path) -> None:
    kiln.save_script("u/admin/cli_failing", FAILING)
    done = kiln_cli(logged_in(kiln, tmp_path), "run", "u/admin/cli_failing")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "about to fail" in done.stderr
    assert "ended failure" in done.stderr and "the answer is wrong" in done.stderr


def test_run_types_its_arguments_by_the_scripts_schema(kiln: Kiln, tmp_path: Path) -> None:
    kiln.save_script("u/admin/cli_echo", ECHO)
    args = tmp_path / "args.json"
    args.write_text(json.dumps({"items": [1, "two"], "n": 1, "name": "from the file"}))
    done = kiln_cli(
        logged_in(kiln, tmp_path),
        "run",
        "u/admin/cli_echo",
        "--json",
        str(args),
        "-a",
        "n=3",
        "-a",
        "flag=true",
        "-a",
        "name=007",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"n": 3, "flag": True, "name": "007", "items": [1, "two"]}
    bad = kiln_cli(logged_in(kiln, tmp_path), "run", "u/admin/cli_echo", "-a", "no-equals-sign")
    assert bad.returncode == 2 and "is not key=value" in bad.stderr


def test_run_runs_a_flow_when_there_is_no_script_at_the_path(kiln: Kiln, tmp_path: Path) -> None:
    step = {
        "id": "twice",
        "value": {
            "type": "rawscript",
            "language": "python3",
            "content": "def main(x: int):\n    print('doubling', x)\n    return 2 * x\n",
            "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}},
        },
    }
    body = {
        "path": "f/cli/twice",
        "summary": "twice",
        "value": {"modules": [step]},
        "schema": {"type": "object", "properties": {"x": {"type": "integer"}}},
    }
    status, saved, _ = kiln.request("POST", "/api/w/main/flows", body)
    assert status in (200, 201), saved
    done = kiln_cli(logged_in(kiln, tmp_path), "run", "f/cli/twice", "-a", "x=21")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 42
    missing = kiln_cli(logged_in(kiln, tmp_path), "run", "f/cli/nothing_here")
    assert missing.returncode == 1 and "no script or flow at 'f/cli/nothing_here'" in missing.stderr


def test_jobs_list_and_logs_show_what_ran(kiln: Kiln, tmp_path: Path) -> None:
    kiln.save_script("u/admin/cli_listed", LINES)
    status, created, _ = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/cli_listed", {})
    assert status == 201, created
    followed = kiln_cli(logged_in(kiln, tmp_path), "jobs", "logs", "-f", created["id"])
    assert followed.returncode == 0, followed.stderr
    assert [line for line in followed.stdout.splitlines() if line.startswith("line")] == [
        "line 0",
        "line 1",
        "line 2",
        "line 3",
    ]
    again = kiln_cli(logged_in(kiln, tmp_path), "jobs", "logs", created["id"])
    assert "line 3" in again.stdout

    listed = kiln_cli(logged_in(kiln, tmp_path), "jobs", "list", "--path", "u/admin/cli_listed", "--json")
    assert listed.returncode == 0, listed.stderr
    jobs = json.loads(listed.stdout)
    assert [(j["id"], j["status"]) for j in jobs] == [(created["id"], "success")]
    table = kiln_cli(logged_in(kiln, tmp_path), "jobs", "list", "--status", "success", "--limit", "5")
    assert table.returncode == 0 and "u/admin/cli_listed" in table.stdout


def test_ctrl_c_stops_following_and_jobs_cancel_stops_the_job(kiln: Kiln, tmp_path: Path) -> None:
    kiln.save_script("u/admin/cli_long", LONG)
    env = logged_in(kiln, tmp_path)
    following = start_cli(env, "run", "u/admin/cli_long")
    job_id = newest_job(kiln, "u/admin/cli_long", "running")
    time.sleep(0.5)
    following.send_signal(signal.SIGINT)
    _, stderr = following.communicate(timeout=30)
    assert following.returncode == 130
    assert f"kiln jobs logs -f {job_id}" in stderr and f"kiln jobs cancel {job_id}" in stderr
    assert kiln.job(job_id)["status"] == "running"  # Ctrl-C stops the following, not the job

    canceled = kiln_cli(env, "jobs", "cancel", job_id)
    assert canceled.returncode == 0, canceled.stderr
    assert kiln.wait_job(job_id, {"canceled"}, timeout=30)["status"] == "canceled"
    followed = kiln_cli(env, "jobs", "logs", "-f", job_id)
    assert followed.returncode == 1 and "ended canceled" in followed.stderr
    over = kiln_cli(env, "jobs", "cancel", job_id)
    assert over.returncode == 1 and "Error:" in over.stderr and "Traceback" not in over.stderr


def test_dev_runs_a_local_file_without_saving_it(kiln: Kiln, tmp_path: Path) -> None:
    local = tmp_path / "hello.py"
    local.write_text("def main(who: str, times: int):\n    print('hi', who)\n    return [who] * times\n")
    done = kiln_cli(logged_in(kiln, tmp_path), "dev", str(local), "-a", "who=ada", "-a", "times=2")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["ada", "ada"]
    assert "hi ada" in done.stderr
    _, scripts, _ = kiln.request("GET", "/api/w/main/scripts")
    assert not [s for s in scripts if "hello" in s["path"]]

    query = tmp_path / "q.sql"
    query.write_text("select 1")
    ambiguous = kiln_cli(logged_in(kiln, tmp_path), "dev", str(query))
    assert ambiguous.returncode == 2 and "postgresql or sqlite" in ambiguous.stderr


def test_a_token_without_the_right_gets_a_clear_refusal(kiln: Kiln, tmp_path: Path) -> None:
    email = "cliop@example.com"
    status, body, _ = kiln.request("POST", "/api/users", {"email": email, "name": "Operator"})
    assert status in (200, 201), body
    status, body, _ = kiln.request("POST", "/api/w/main/members", {"email": email, "role": "operator"})
    assert status in (200, 201), body
    kiln.save_script("u/cliop/cli_not_an_app", LINES)
    token = kiln.cli("token", "create", "--user", email)

    done = kiln_cli(
        client_env(tmp_path, KILN_URL=kiln.url, KILN_TOKEN=token), "run", "u/cliop/cli_not_an_app"
    )
    assert done.returncode == 1
    assert "Error: your token has no right to do this in workspace 'main'" in done.stderr
    assert "operators run apps only" in done.stderr and "Traceback" not in done.stderr
