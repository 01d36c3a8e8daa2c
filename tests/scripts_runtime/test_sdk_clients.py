"""The SDK scripts import as `kiln`, in Python and in TypeScript, against a fake Kiln API
served on a Unix socket the way the worker serves it (HTTP/1.1, one request per connection).

The Python SDK runs in `python -I` (as the wrapper does: no PYTHONPATH, the SDK dir first on
sys.path); the TypeScript SDK runs through deno_wrapper.ts with typescript.py's own argv, so
the import map is tested as jobs use it. No database, no sandbox.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts_runtime.languages import python, typescript
from scripts_runtime.languages.base import SDK_DIR, PrepareContext, Prepared
from scripts_runtime.languages.python_deps import imported_packages, requirements
from scripts_runtime.languages.typescript_deps import deno_binary

TOKEN = "kiln_job_token_123"
WORKSPACE = "main"
API = f"/api/w/{WORKSPACE}"
RESUME_URLS = {
    "approvalPage": "http://kiln/approve/j1",
    "resume": "http://kiln/api/resume/j1",
    "cancel": "http://kiln/api/cancel/j1",
}
ROUTES: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", "/variables/value/p/f/db/password"): (
        200,
        {"path": "f/db/password", "value": "s3cret", "is_secret": True},
    ),
    ("GET", "/variables/value/p/u/ann/my%20key"): (
        200,
        {"path": "u/ann/my key", "value": "spaced", "is_secret": False},
    ),
    ("GET", "/variables/value/p/f/missing"): (
        404,
        {"message": "variable f/missing not found", "detail": {"path": "f/missing"}},
    ),
    ("GET", "/variables/value/p/f/odd"): (200, {"path": "f/odd"}),  # no value: not Kiln's answer
    ("GET", "/resources/value_interpolated/p/f/db/main"): (
        200,
        {"path": "f/db/main", "resource_type": "postgresql", "value": {"host": "db", "port": 5432}},
    ),
    ("POST", "/sdk/progress"): (204, None),
    ("GET", "/sdk/state"): (200, {"value": {"cursor": 41}}),
    ("PUT", "/sdk/state"): (204, None),
    ("POST", "/jobs/run/p/f/etl/load"): (201, {"id": "job-ok"}),
    ("POST", "/jobs/run/p/f/etl/broken"): (201, {"id": "job-bad"}),
    ("POST", "/jobs/run/f/f/etl/nightly"): (201, {"id": "job-slow"}),
    ("GET", "/jobs/job-ok"): (200, {"id": "job-ok", "status": "success", "result": {"rows": 3}}),
    ("GET", "/sdk/resume_urls"): (200, RESUME_URLS),
    ("GET", "/sdk/resume_urls?approver=ann+lee"): (200, {**RESUME_URLS, "approvalPage": "http://kiln/a/ann"}),
}
CHUNKED = {"/jobs/job-ok"}  # answered with Transfer-Encoding: chunked
HOLD_S = 1.0
FAILURE = {"name": "ValueError", "message": "boom", "traceback": "Traceback ...\nValueError: boom"}


def wait_answer(job_id: str, call: int) -> dict[str, Any]:
    """GET /sdk/wait/<job>: job-slow is done on the third call, job-never and job-held never."""
    running = {"done": False, "status": "running", "result": None, "error": None}
    if job_id == "job-ok":
        return {"done": True, "status": "success", "result": {"rows": 3}, "error": None}
    if job_id == "job-slow":
        return running if call < 3 else {"done": True, "status": "success", "result": "nightly done"}
    if job_id == "job-bad":
        return {"done": True, "status": "failure", "result": None, "error": FAILURE}
    return running


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeApi:
    """Canned answers by method and path; every request is kept to be looked at."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.waits: dict[str, int] = {}

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.waits.clear()

    def answer(self, request: Request) -> tuple[int, Any]:
        route = request.path.removeprefix(API)
        with self.lock:
            self.requests.append(request)
            if not (request.method == "GET" and route.startswith("/sdk/wait/")):
                return ROUTES.get(
                    (request.method, route), (404, {"message": f"no route {route}", "detail": None})
                )
            job_id = route.rsplit("/", 1)[1]
            self.waits[job_id] = self.waits.get(job_id, 0) + 1
            wait = wait_answer(job_id, self.waits[job_id])
        if job_id == "job-held":
            time.sleep(HOLD_S)  # as the real server holds a wait call while the job runs (~20 s)
        return 200, wait

    def seen(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == API + path]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.serve()

    def do_PUT(self) -> None:
        self.serve()

    def serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=json.loads(raw) if raw else None,
        )
        api: FakeApi = self.server.api  # type: ignore[attr-defined]
        status, payload = api.answer(request)
        body = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if request.path.removeprefix(API) in CHUNKED:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(body) // 2
            for part in (body[:half], body[half:], b""):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a Unix socket's client has no address to log, and the test output stays quiet


class UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a held call: its broken pipe is expected


class TcpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class Servers:
    api: FakeApi
    job_dir: Path
    socket: str
    base_url: str


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    # A short dir of its own: a Unix socket's path must stay under ~108 bytes.
    root = Path(tempfile.mkdtemp(prefix="kiln-sdk-"))
    job_dir = root / "job"
    job_dir.mkdir()
    api = FakeApi()
    unix = UnixServer(str(job_dir / "sdk.sock"), Handler)
    tcp = TcpServer(("127.0.0.1", 0), Handler)
    for server in (unix, tcp):
        server.api = api  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Servers(api, job_dir, str(job_dir / "sdk.sock"), f"http://127.0.0.1:{tcp.server_address[1]}")
    finally:
        for server in (unix, tcp):
            server.shutdown()
            server.server_close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def api(servers: Servers) -> FakeApi:
    servers.api.reset()
    return servers.api


def job_env(servers: Servers, **changes: str | None) -> dict[str, str]:
    """What the worker sets inside a job; a change of None leaves that variable out."""
    env: dict[str, str | None] = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KILN_SDK_DIR": str(SDK_DIR),
        "KILN_SDK_SOCKET": servers.socket,
        "KILN_TOKEN": TOKEN,
        "KILN_WORKSPACE": WORKSPACE,
        "KILN_JOB_ID": "job-self",
        "KILN_SCRIPT_PATH": "f/etl/main",
        **changes,
    }
    return {k: v for k, v in env.items() if v is not None}


PRELUDE = """\
import json, os, sys
sys.path.insert(0, os.environ["KILN_SDK_DIR"])
import kiln

def outcome(call):
    try:
        return {"value": call()}
    except kiln.KilnError as exc:
        return {"error": type(exc).__name__, "status": exc.status, "message": exc.message,
                "detail": exc.detail, "text": str(exc), "job_id": getattr(exc, "job_id", None)}
    except ValueError as exc:
        return {"error": "ValueError", "text": str(exc)}
"""


def run_python(servers: Servers, code: str, **env: str | None) -> Any:
    """Run `code` after the prelude in `python -I`; what it printed, as JSON."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", PRELUDE + textwrap.dedent(code)],
        env=job_env(servers, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---- Python ------------------------------------------------------------------------------------


def test_it_imports_the_sdk_from_its_dir_not_the_platforms_kiln_package(servers: Servers) -> None:
    assert run_python(servers, "print(json.dumps(kiln.__file__))") == str(SDK_DIR / "kiln.py")


def test_it_reads_a_variable_with_the_job_token_over_the_socket(servers: Servers, api: FakeApi) -> None:
    assert run_python(servers, "print(json.dumps(kiln.get_variable('f/db/password')))") == "s3cret"
    [request] = api.requests
    assert (request.method, request.path) == ("GET", f"{API}/variables/value/p/f/db/password")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["host"] == "kiln"
    assert request.headers["connection"] == "close"
    assert request.headers["accept"] == "application/json"


def test_it_percent_encodes_each_segment_of_a_path_and_keeps_the_slashes(
    servers: Servers, api: FakeApi
) -> None:
    assert run_python(servers, "print(json.dumps(kiln.get_variable('u/ann/my key')))") == "spaced"
    assert api.requests[0].path == f"{API}/variables/value/p/u/ann/my%20key"


def test_it_returns_a_resources_value(servers: Servers, api: FakeApi) -> None:
    value = run_python(servers, "print(json.dumps(kiln.get_resource('f/db/main')))")
    assert value == {"host": "db", "port": 5432}
    assert api.requests[0].path == f"{API}/resources/value_interpolated/p/f/db/main"


def test_it_sends_progress_and_state_as_json_and_reads_the_state_back(servers: Servers, api: FakeApi) -> None:
    code = """
    kiln.set_progress(40)
    kiln.set_state({"cursor": 42})
    print(json.dumps([kiln.get_state(), kiln.set_progress(100)]))
    """
    assert run_python(servers, code) == [{"cursor": 41}, None]
    first, state, _, last = api.requests
    assert (first.method, first.path, first.body) == ("POST", f"{API}/sdk/progress", {"percent": 40})
    assert first.headers["content-type"] == "application/json"
    assert (state.method, state.path, state.body) == ("PUT", f"{API}/sdk/state", {"value": {"cursor": 42}})
    assert last.body == {"percent": 100}


def test_it_refuses_progress_outside_0_to_100_without_asking_the_api(servers: Servers, api: FakeApi) -> None:
    code = "print(json.dumps([outcome(lambda: kiln.set_progress(p)) for p in (101, -1, 50.5, True, '7')]))"
    outcomes = run_python(servers, code)
    assert [o["error"] for o in outcomes] == ["ValueError"] * 5
    assert "0 to 100" in outcomes[0]["text"]
    assert api.requests == []


def test_it_runs_a_script_with_its_arguments_and_returns_its_result(servers: Servers, api: FakeApi) -> None:
    code = """
    import datetime
    print(json.dumps(kiln.run_script("f/etl/load", {"n": 3, "day": datetime.date(2025, 1, 2)})))
    """
    assert run_python(servers, code) == {"rows": 3}
    start, wait = api.requests
    assert (start.method, start.path) == ("POST", f"{API}/jobs/run/p/f/etl/load")
    assert start.body == {"n": 3, "day": "2025-01-02"}
    assert (wait.method, wait.path) == ("GET", f"{API}/sdk/wait/job-ok")


def test_it_starts_a_flow_with_no_arguments_as_an_empty_object(servers: Servers, api: FakeApi) -> None:
    assert run_python(servers, "print(json.dumps(kiln.run_flow_async('f/etl/nightly')))") == "job-slow"
    assert (api.requests[0].path, api.requests[0].body) == (f"{API}/jobs/run/f/f/etl/nightly", {})


def test_it_keeps_waiting_while_the_job_is_not_done(servers: Servers, api: FakeApi) -> None:
    assert run_python(servers, "print(json.dumps(kiln.run_flow('f/etl/nightly')))") == "nightly done"
    assert len(api.seen("GET", "/sdk/wait/job-slow")) == 3


def test_a_failed_job_raises_job_failed_with_its_error(servers: Servers, api: FakeApi) -> None:
    code = """
    try:
        kiln.run_script("f/etl/broken")
    except kiln.JobFailed as exc:
        print(json.dumps([isinstance(exc, kiln.KilnError), exc.job_id, exc.status, exc.error, str(exc)]))
    """
    assert run_python(servers, code) == [
        True,
        "job-bad",
        "failure",
        FAILURE,
        "job job-bad ended failure: ValueError: boom",
    ]


def test_wait_job_gives_up_after_its_timeout(servers: Servers, api: FakeApi) -> None:
    started = time.monotonic()
    outcome = run_python(
        servers, "print(json.dumps(outcome(lambda: kiln.wait_job('job-never', timeout_s=0.3))))"
    )
    assert outcome["error"] == "JobTimeout" and outcome["job_id"] == "job-never"
    assert outcome["text"] == "job job-never did not end within 0.3s"
    assert time.monotonic() - started < 5
    assert 1 <= len(api.seen("GET", "/sdk/wait/job-never")) < 10  # it paused between the calls


def test_wait_job_gives_up_on_time_even_while_the_server_holds_the_call(
    servers: Servers, api: FakeApi
) -> None:
    code = """
    import time
    started = time.monotonic()
    print(json.dumps([outcome(lambda: kiln.wait_job("job-held", timeout_s=0.3)), time.monotonic() - started]))
    """
    outcome, elapsed = run_python(servers, code)
    assert outcome["error"] == "JobTimeout"
    assert 0.3 <= elapsed < HOLD_S


def test_an_error_answer_raises_kiln_error_with_status_message_and_detail(
    servers: Servers, api: FakeApi
) -> None:
    outcome = run_python(servers, "print(json.dumps(outcome(lambda: kiln.get_variable('f/missing'))))")
    assert outcome == {
        "error": "KilnError",
        "status": 404,
        "message": "variable f/missing not found",
        "detail": {"path": "f/missing"},
        "text": "variable f/missing not found (HTTP 404)",
        "job_id": None,
    }


def test_an_answer_without_the_expected_field_is_a_kiln_error_not_a_key_error(servers: Servers) -> None:
    outcome = run_python(servers, "print(json.dumps(outcome(lambda: kiln.get_variable('f/odd'))))")
    assert outcome["error"] == "KilnError"
    assert outcome["text"] == """the Kiln API's answer has no 'value': {"path": "f/odd"}"""


def test_it_reads_a_chunked_answer(servers: Servers, api: FakeApi) -> None:
    job = run_python(servers, "print(json.dumps(kiln.get_job('job-ok')))")
    assert job == {"id": "job-ok", "status": "success", "result": {"rows": 3}}


def test_it_asks_for_resume_urls_naming_the_approver_when_given(servers: Servers, api: FakeApi) -> None:
    code = "print(json.dumps([kiln.get_resume_urls(), kiln.get_resume_urls(approver='ann lee')]))"
    plain, named = run_python(servers, code)
    assert plain == RESUME_URLS
    assert named["approvalPage"] == "http://kiln/a/ann"
    assert [r.path for r in api.requests] == [
        f"{API}/sdk/resume_urls",
        f"{API}/sdk/resume_urls?approver=ann+lee",
    ]


def test_calls_from_many_threads_at_once_each_get_their_own_answer(servers: Servers, api: FakeApi) -> None:
    code = """
    from concurrent.futures import ThreadPoolExecutor
    paths = ["f/db/password", "u/ann/my key"] * 8
    with ThreadPoolExecutor(8) as pool:
        print(json.dumps(list(pool.map(kiln.get_variable, paths))))
    """
    assert run_python(servers, code) == ["s3cret", "spaced"] * 8


def test_it_tells_from_its_env_which_job_this_is(servers: Servers) -> None:
    assert run_python(servers, "print(json.dumps(kiln.context()))") == {
        "workspace": WORKSPACE,
        "job_id": "job-self",
        "script_path": "f/etl/main",
    }


def test_outside_a_job_it_says_so_clearly(servers: Servers, api: FakeApi) -> None:
    code = "print(json.dumps(outcome(lambda: kiln.get_variable('f/db/password'))['text']))"
    assert run_python(servers, code, KILN_SDK_SOCKET=None) == (
        "not running inside a Kiln job: KILN_SDK_SOCKET is not set (nor KILN_BASE_URL)"
    )
    assert (
        run_python(servers, code, KILN_TOKEN=None) == "not running inside a Kiln job: KILN_TOKEN is not set"
    )
    assert api.requests == []


def test_a_socket_nobody_serves_is_a_kiln_error(servers: Servers, tmp_path: Path) -> None:
    code = "print(json.dumps(outcome(lambda: kiln.get_state())))"
    outcome = run_python(servers, code, KILN_SDK_SOCKET=str(tmp_path / "none.sock"))
    assert outcome["error"] == "KilnError" and outcome["status"] is None
    assert outcome["text"].startswith(f"cannot reach the Kiln API at {tmp_path / 'none.sock'}")


def test_without_a_socket_it_talks_http_to_kiln_base_url(servers: Servers, api: FakeApi) -> None:
    code = "print(json.dumps(kiln.get_variable('f/db/password')))"
    assert run_python(servers, code, KILN_SDK_SOCKET=None, KILN_BASE_URL=servers.base_url + "/") == "s3cret"
    [request] = api.requests
    assert request.path == f"{API}/variables/value/p/f/db/password"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_the_python_wrapper_puts_the_sdk_ahead_of_an_installed_package_named_kiln(
    servers: Servers, tmp_path: Path
) -> None:
    job_dir, deps = tmp_path / "job", tmp_path / "deps"
    job_dir.mkdir()
    deps.mkdir()
    (deps / "kiln.py").write_text("raise ImportError('the PyPI package, not the SDK')\n")
    (job_dir / "main.py").write_text(
        "import kiln\n\ndef main():\n    return [kiln.__file__, kiln.get_variable('f/db/password')]\n"
    )
    (job_dir / "args.json").write_text("{}")
    env = job_env(servers, KILN_JOB_DIR=str(job_dir), KILN_PYTHON_DEPS=str(deps))
    done = subprocess.run(python.wrapper_argv("python_wrapper.py"), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads((job_dir / "result.json").read_text()) == [str(SDK_DIR / "kiln.py"), "s3cret"]


# ---- TypeScript --------------------------------------------------------------------------------

MAIN_TS = """\
import * as kiln from "kiln";

async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: (await call()) ?? null };
  } catch (error) {
    if (error instanceof kiln.JobFailed) {
      const { name, status, message, jobId } = error;
      const isKilnError = error instanceof kiln.KilnError;
      return { error: name, status, message, jobId, jobError: error.error, isKilnError };
    }
    if (error instanceof kiln.KilnError) {
      return { error: error.name, status: error.status, message: error.message, detail: error.detail };
    }
    if (error instanceof RangeError) return { error: "RangeError", message: error.message };
    throw error;
  }
}

export async function main() {
  return {
    context: kiln.getContext(),
    variable: await outcome(() => kiln.getVariable("f/db/password")),
    spaced: await outcome(() => kiln.get_variable("u/ann/my key")),
    resource: await outcome(() => kiln.getResource("f/db/main")),
    progress: await outcome(() => kiln.setProgress(40)),
    badProgress: await outcome(() => kiln.setProgress(101)),
    setState: await outcome(() => kiln.setState({ cursor: 42 })),
    state: await outcome(() => kiln.getState()),
    script: await outcome(() => kiln.runScript("f/etl/load", { n: 3 })),
    flow: await outcome(() => kiln.run_flow("f/etl/nightly")),
    failed: await outcome(() => kiln.runScript("f/etl/broken")),
    timeout: await outcome(() => kiln.waitJob("job-never", 0.3)),
    held: await outcome(async () => {
      const started = Date.now();
      await kiln.waitJob("job-held", 0.3).catch((error) => {
        throw Object.assign(error, { detail: (Date.now() - started) / 1000 });
      });
    }),
    missing: await outcome(() => kiln.getVariable("f/missing")),
    job: await outcome(() => kiln.getJob("job-ok")),
    resume: await outcome(() => kiln.getResumeUrls()),
    resumeFor: await outcome(() => kiln.getResumeUrls("ann lee")),
    aliases: [kiln.get_variable === kiln.getVariable, kiln.wait_job === kiln.waitJob],
    // More connections at once than the server's accept queue holds (socketserver's: 5).
    many: await outcome(() => Promise.all(Array.from({ length: 32 }, () => kiln.getState()))),
  };
}
"""


def deno_available() -> bool:
    try:
        return Path(deno_binary()).is_file()
    except Exception:  # noqa: BLE001 - the deno package missing or broken: no binary either way
        return False


needs_deno = pytest.mark.skipif(
    not deno_available() and os.environ.get("CI") != "true", reason="no deno binary on this machine"
)


def run_deno_job(servers: Servers, source: str, cache_dir: Path, **env: str | None) -> Any:
    """Prepare and run `source` as typescript.py does (its argv, the real wrapper); its result."""
    job_dir = servers.job_dir
    for name in ("result.json", "error.json"):
        (job_dir / name).unlink(missing_ok=True)
    (job_dir / "main.ts").write_text(source)
    (job_dir / "args.json").write_text("{}")
    prepared = typescript.prepare(source, PrepareContext(cache_dir=cache_dir, job_dir=job_dir, log=print))
    spec = typescript.run_spec(prepared)
    done = subprocess.run(
        spec.argv,
        cwd=job_dir,
        env={
            **job_env(servers, **env),
            **dict(spec.env),
            "HOME": str(cache_dir),
            "KILN_JOB_DIR": str(job_dir),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + (job_dir / "error.json").read_text()
    return json.loads((job_dir / "result.json").read_text())


@pytest.fixture(scope="module")
def ts_run(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], FakeApi]:
    """One Deno job that calls every function: (its result, the requests it made)."""
    servers.api.reset()
    result = run_deno_job(servers, MAIN_TS, tmp_path_factory.mktemp("deno"))
    return result, servers.api


def test_typescript_run_spec_maps_kiln_to_the_sdk_and_lets_deno_read_it() -> None:
    spec = typescript.run_spec(Prepared(data={"deno": "deno", "deno_dir": "", "job_dir": "/x"}))
    assert f"--import-map={SDK_DIR / 'import_map.json'}" in spec.argv
    assert str(SDK_DIR) in next(a for a in spec.argv if a.startswith("--allow-read=")).split(",")
    assert str(SDK_DIR) in [m.path for m in spec.mounts]
    assert json.loads((SDK_DIR / "import_map.json").read_text()) == {"imports": {"kiln": "./kiln.ts"}}


@needs_deno
def test_typescript_reads_variables_and_resources_with_the_job_token(
    ts_run: tuple[dict[str, Any], FakeApi],
) -> None:
    result, api = ts_run
    assert result["variable"] == {"value": "s3cret"}
    assert result["spaced"] == {"value": "spaced"}
    assert result["resource"] == {"value": {"host": "db", "port": 5432}}
    [request] = api.seen("GET", "/variables/value/p/f/db/password")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert (request.headers["host"], request.headers["connection"]) == ("kiln", "close")
    assert api.seen("GET", "/variables/value/p/u/ann/my%20key")


@needs_deno
def test_typescript_sends_progress_and_state_and_refuses_progress_over_100(
    ts_run: tuple[dict[str, Any], FakeApi],
) -> None:
    result, api = ts_run
    assert result["progress"] == {"value": None}
    assert result["badProgress"]["error"] == "RangeError"
    assert [r.body for r in api.seen("POST", "/sdk/progress")] == [{"percent": 40}]
    assert [r.body for r in api.seen("PUT", "/sdk/state")] == [{"value": {"cursor": 42}}]
    assert api.seen("PUT", "/sdk/state")[0].headers["content-type"] == "application/json"
    assert result["state"] == {"value": {"cursor": 41}}


@needs_deno
def test_typescript_runs_scripts_and_flows_and_waits_for_them(ts_run: tuple[dict[str, Any], FakeApi]) -> None:
    result, api = ts_run
    assert result["script"] == {"value": {"rows": 3}}
    assert api.seen("POST", "/jobs/run/p/f/etl/load")[0].body == {"n": 3}
    assert result["flow"] == {"value": "nightly done"}
    assert api.seen("POST", "/jobs/run/f/f/etl/nightly")[0].body == {}
    assert len(api.seen("GET", "/sdk/wait/job-slow")) == 3


@needs_deno
def test_typescript_raises_job_failed_kiln_error_and_job_timeout(
    ts_run: tuple[dict[str, Any], FakeApi],
) -> None:
    result, _ = ts_run
    assert result["failed"] == {
        "error": "JobFailed",
        "status": "failure",
        "message": "job job-bad ended failure: ValueError: boom",
        "jobId": "job-bad",
        "jobError": FAILURE,
        "isKilnError": True,
    }
    assert result["missing"] == {
        "error": "KilnError",
        "status": 404,
        "message": "variable f/missing not found (HTTP 404)",
        "detail": {"path": "f/missing"},
    }
    assert result["timeout"]["error"] == "JobTimeout"
    assert result["held"]["error"] == "JobTimeout"
    assert 0.3 <= result["held"]["detail"] < HOLD_S  # it did not wait for the held call's answer


@needs_deno
def test_typescript_reads_chunked_answers_resume_urls_and_its_context(
    ts_run: tuple[dict[str, Any], FakeApi],
) -> None:
    result, api = ts_run
    assert result["job"] == {"value": {"id": "job-ok", "status": "success", "result": {"rows": 3}}}
    assert result["resume"] == {"value": RESUME_URLS}
    assert result["resumeFor"]["value"]["approvalPage"] == "http://kiln/a/ann"
    assert api.seen("GET", "/sdk/resume_urls?approver=ann+lee")
    assert result["context"] == {"workspace": WORKSPACE, "job_id": "job-self", "script_path": "f/etl/main"}
    assert result["aliases"] == [True, True]


@needs_deno
def test_typescript_calls_made_at_once_each_get_their_own_answer(
    ts_run: tuple[dict[str, Any], FakeApi],
) -> None:
    result, _ = ts_run
    assert result["many"] == {"value": [{"cursor": 41}] * 32}


@needs_deno
def test_typescript_talks_http_to_kiln_base_url_without_a_socket(servers: Servers, tmp_path: Path) -> None:
    servers.api.reset()
    source = (
        'import { getVariable } from "kiln";\n'
        'export async function main() { return await getVariable("f/db/password"); }\n'
    )
    env = {"KILN_SDK_SOCKET": None, "KILN_BASE_URL": servers.base_url}
    assert run_deno_job(servers, source, tmp_path, **env) == "s3cret"
    assert servers.api.seen("GET", "/variables/value/p/f/db/password")


@needs_deno
def test_typescript_outside_a_job_says_so_clearly(servers: Servers, tmp_path: Path) -> None:
    source = (
        'import * as kiln from "kiln";\n'
        "export async function main() {\n"
        "  try { await kiln.getState(); } catch (e) { return [e.name, (e as Error).message]; }\n"
        "}\n"
    )
    assert run_deno_job(servers, source, tmp_path, KILN_SDK_SOCKET=None) == [
        "KilnError",
        "not running inside a Kiln job: KILN_SDK_SOCKET is not set (nor KILN_BASE_URL)",
    ]


@needs_deno
def test_the_import_map_leaves_npm_imports_alone(servers: Servers, tmp_path: Path) -> None:
    source = (
        'import isNumber from "npm:is-number@7.0.0";\n'
        'import { getContext } from "kiln";\n'
        "export function main() { return [isNumber(5), getContext().job_id]; }\n"
    )
    assert run_deno_job(servers, source, tmp_path) == [True, "job-self"]


# ---- dependencies ------------------------------------------------------------------------------


def test_importing_kiln_never_asks_pypi_for_a_package() -> None:
    assert imported_packages("import kiln\nimport requests\nfrom kiln import get_variable\n") == ["requests"]
    assert requirements("import kiln\n") == []
