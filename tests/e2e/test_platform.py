"""The README's promise, end to end: `kiln up`, save greet.py with a token, run it, read it back."""

from __future__ import annotations

import signal
import time

import pytest

from tests.conftest import example
from tests.e2e.harness import Kiln, processes_marked

pytestmark = pytest.mark.e2e


def save(kiln: Kiln, path: str, content: str) -> dict:
    status, body, _ = kiln.request(
        "POST", "/api/w/main/scripts", {"path": path, "language": "python3", "content": content}
    )
    assert status in (200, 201), body
    return body


def test_greet_runs_through_the_sync_endpoint_and_its_logs_are_kept(kiln: Kiln) -> None:
    saved = save(kiln, "u/admin/greet", example("greet.py"))
    assert saved["schema"]["required"] == ["name"]
    status, result, headers = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/greet", {"name": "Ada"}
    )
    assert status == 200, result
    assert result["greetings"] == ["hello Ada"] * 3 and result["mode"] == "safe"
    status, job, _ = kiln.request("GET", f"/api/w/main/jobs/{headers['x-kiln-job-id']}")
    assert job["status"] == "success" and job["sandboxed"] is True
    assert job["logs"] == "greeting Ada (1/3)\ngreeting Ada (2/3)\ngreeting Ada (3/3)\n"
    assert job["duration_ms"] is not None and job["script_hash"] == saved["hash"]


def test_an_async_run_is_queued_then_finished_by_the_worker(kiln: Kiln) -> None:
    save(kiln, "u/admin/square", "def main(n: int):\n    print('squaring', n)\n    return n * n\n")
    status, body, _ = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/square", {"n": 12})
    assert status == 201
    deadline = time.monotonic() + 60
    while True:
        _, job, _ = kiln.request("GET", f"/api/w/main/jobs/{body['id']}")
        if job["status"] not in ("queued", "running") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (job["status"], job["result"], job["logs"]) == ("success", 144, "squaring 12\n")


def test_a_failing_script_answers_500_with_its_error_through_the_sync_endpoint(kiln: Kiln) -> None:
    save(kiln, "u/admin/flaky", example("fail_sometimes.py"))
    status, body, headers = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/flaky", {"probability": 1.0, "message": "nope"}
    )
    assert status == 500
    assert body["message"] == "job failure: RuntimeError: nope"
    assert body["detail"]["error"]["traceback"].startswith("Traceback")
    assert body["detail"]["job_id"] == headers["x-kiln-job-id"]


def test_bad_requests_get_clear_errors_over_http(kiln: Kiln) -> None:
    assert kiln.request("GET", "/api/w/main/scripts", token="")[0] == 401
    assert kiln.request("GET", "/api/w/main/scripts", token="kiln_wrong")[0] == 401
    assert kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/nothing-here", {})[0] == 404
    status, body, _ = kiln.request("POST", "/api/w/main/scripts", raw=b'{"path": ')
    assert status == 400 and body["message"].startswith("request body is not valid JSON")
    save(kiln, "u/admin/typed", "def main(n: int):\n    return n\n")
    status, body, _ = kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/typed", {"n": "x"})
    assert status == 400 and body["detail"]["field"] == "n"


def test_the_front_end_is_served_at_the_root(kiln: Kiln) -> None:
    import urllib.request

    with urllib.request.urlopen(kiln.url + "/w/main/scripts", timeout=10) as resp:
        html = resp.read().decode()
        assert resp.status == 200 and "csrftoken" in resp.headers.get("Set-Cookie", "")
    assert '<div id="root">' in html
    with urllib.request.urlopen(kiln.url + "/static/ninja/swagger-ui-bundle.js", timeout=10) as resp:
        assert resp.status == 200  # the API docs work offline


def test_a_second_start_keeps_everything_and_a_stop_leaves_nothing_behind(new_kiln: Kiln) -> None:
    new_kiln.start()
    saved = save(new_kiln, "u/admin/keep", "def main():\n    return 'kept'\n")
    assert processes_marked(new_kiln.mark), "kiln up should have children"

    assert new_kiln.stop(signal.SIGTERM) == 0
    assert processes_marked(new_kiln.mark) == []  # no orphans
    from kiln.supervisor import port_free

    assert port_free("127.0.0.1", new_kiln.port)

    first_token = new_kiln.token
    new_kiln.start()  # same data dir, same database
    assert "log in with your account" in new_kiln.output()
    status, result, _ = new_kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/keep", {}, token=first_token
    )
    assert (status, result) == (200, "kept")
    _, listed, _ = new_kiln.request("GET", "/api/w/main/scripts")
    assert [s["hash"] for s in listed] == [saved["hash"]]

    assert new_kiln.stop(signal.SIGINT) == 0  # Ctrl-C stops it the same way
    assert processes_marked(new_kiln.mark) == []


GITHUB_HOOK = '''import time


def main(request: dict):
    """A GitHub push hook: reads the raw request the way GitHub sends it."""
    time.sleep(0.1)
    print("event", request["headers"]["x-github-event"])
    return {"event": request["headers"]["x-github-event"], "ref": request["json"]["ref"],
            "saw_token": "token" in request["query"], "saw_auth": "authorization" in request["headers"]}
'''


def test_a_signed_github_webhook_runs_the_script_with_the_raw_request(kiln: Kiln) -> None:
    """As GitHub calls it: the token in the URL, no Authorization header, an HMAC of the body."""
    import hashlib
    import hmac
    import json
    import urllib.error
    import urllib.request

    save(kiln, "f/ci/on_push", GITHUB_HOOK)
    secret = "gh-webhook-secret-1"
    status, conf, _ = kiln.request(
        "PUT",
        "/api/w/main/scripts/webhook/p/f/ci/on_push",
        {"raw_request": True, "signature": {"scheme": "github", "secret": secret}},
    )
    assert status == 200, conf
    status, hook, _ = kiln.request(
        "POST", "/api/w/main/webhook_tokens", {"label": "github", "path": "f/ci/on_push"}
    )
    assert status == 201, hook
    body = json.dumps({"ref": "refs/heads/main", "commits": []}).encode()

    def deliver(signature: str) -> tuple[int, dict]:
        req = urllib.request.Request(
            f"{kiln.url}{conf['urls']['sync']}?token={hook['token']}",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": "push",
                "X-Hub-Signature-256": signature,
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=90) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    good = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    status, result = deliver(good)
    assert status == 200, result
    assert result == {"event": "push", "ref": "refs/heads/main", "saw_token": False, "saw_auth": False}
    status, refused = deliver("sha256=" + "0" * 64)
    assert status == 401 and refused["message"] == "invalid webhook signature"
