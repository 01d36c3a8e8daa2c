"""Live logs through a real `kiln up`: a websocket client sees a running job's lines as they are printed."""

from __future__ import annotations

import json
import time
import urllib.request
from http.cookies import SimpleCookie
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.e2e.harness import ADMIN, Kiln
from tests.e2e.test_browser import page  # noqa: F401  (the Chromium page fixture)

pytestmark = pytest.mark.e2e

SLOW = (
    "import time\n\n"
    "def main():\n"
    "    for i in range(5):\n"
    "        print(f'line {i}', flush=True)\n"
    "        time.sleep(0.3)\n"
    "    return 'ok'\n"
)


def ws_url(kiln: Kiln, job_id: str, query: str) -> str:
    return f"{kiln.url.replace('http://', 'ws://')}/ws/w/main/jobs/{job_id}/logs?{query}"


def run(kiln: Kiln, path: str, content: str) -> str:
    status, body, _ = kiln.request(
        "POST", "/api/w/main/scripts", {"path": path, "language": "python3", "content": content}
    )
    assert status in (200, 201), body
    status, body, _ = kiln.request("POST", f"/api/w/main/jobs/run/p/{path}", {})
    assert status == 201, body
    return str(body["id"])


def test_a_websocket_client_gets_each_line_while_the_job_runs_then_done(kiln: Kiln) -> None:
    job_id = run(kiln, "u/admin/slow_lines", SLOW)
    received: list[tuple[float, dict]] = []
    with connect(ws_url(kiln, job_id, f"from=0&token={kiln.token}"), open_timeout=10) as ws:
        while True:
            message = json.loads(ws.recv(timeout=90))
            received.append((time.monotonic(), message))
            if message["type"] == "done":
                break
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)  # the server closes after "done"

    logs = [m for _, m in received if m["type"] == "log"]
    text, position = "", 0
    for message in logs:  # no gap, no repeat
        assert message["offset"] == position
        text += message["data"]
        position += len(message["data"].encode())
    assert text == "".join(f"line {i}\n" for i in range(5))
    done_at, done = received[-1]
    assert done == {"type": "done", "status": "success", "log_size": position}
    # Live, not all at the end: the first line came well before the job finished.
    first_line_at = next(at for at, m in received if m["type"] == "log")
    assert done_at - first_line_at > 0.6, received

    status, polled, _ = kiln.request("GET", f"/api/w/main/jobs/{job_id}/logs?from=7")
    assert status == 200
    assert polled == {"offset": 7, "data": text[7:], "next": position, "done": True, "status": "success"}


def test_a_websocket_without_credentials_is_closed_with_4401(kiln: Kiln) -> None:
    job_id = run(kiln, "u/admin/quick", "def main():\n    return 1\n")
    with (
        connect(ws_url(kiln, job_id, "from=0"), open_timeout=10) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def session_cookie(kiln: Kiln) -> str:
    request = urllib.request.Request(
        f"{kiln.url}/api/auth/login",
        data=json.dumps({"email": ADMIN[0], "password": ADMIN[1]}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        cookies = SimpleCookie("; ".join(response.headers.get_all("Set-Cookie") or []))
    return f"sessionid={cookies['sessionid'].value}"


def test_the_browsers_session_opens_the_websocket_from_its_own_origin_only(kiln: Kiln) -> None:
    """What the job page does: no token, the session cookie, and the page's Origin."""
    job_id = run(kiln, "u/admin/for_the_page", "def main():\n    print('hi')\n    return 1\n")
    cookie = session_cookie(kiln)
    url = ws_url(kiln, job_id, "from=0")
    with connect(url, origin=Origin(kiln.url), additional_headers={"Cookie": cookie}, open_timeout=10) as ws:
        messages: list[dict[str, Any]] = []
        while not messages or messages[-1]["type"] != "done":
            messages.append(json.loads(ws.recv(timeout=90)))
    assert "".join(m["data"] for m in messages if m["type"] == "log") == "hi\n"
    assert messages[-1]["status"] == "success"

    other = Origin("https://elsewhere.example")
    with (
        connect(url, origin=other, additional_headers={"Cookie": cookie}, open_timeout=10) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


@pytest.mark.browser
def test_the_job_page_shows_each_line_while_the_job_runs(kiln: Kiln, page: Any) -> None:  # noqa: F811
    page.goto(kiln.url + "/login")
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/main/**")

    slower = SLOW.replace("range(5)", "range(8)").replace("0.3", "0.5")
    job_id = run(kiln, "u/admin/slow_page", slower)
    page.goto(f"{kiln.url}/w/main/runs/{job_id}")
    page.get_by_test_id("log-stream").get_by_text("live").wait_for(timeout=60_000)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=job-logs]')?.textContent.includes('line 1')",
        timeout=60_000,
    )
    assert page.get_by_text("Running").is_visible()  # a line while it runs, not at the end
    page.get_by_text("Success").wait_for(timeout=60_000)
    # Each line once, in order (the viewer draws one row per line; textContent is the log itself).
    assert page.get_by_test_id("job-logs").text_content() == "".join(f"line {i}\n" for i in range(8))
