"""Kiln's SDK for Python scripts: `import kiln`, then kiln.get_variable("f/db/password") ...

Inside a job the worker serves the Kiln API on a Unix socket in the job dir
(KILN_SDK_SOCKET) and hands the job a token (KILN_TOKEN); outside Kiln,
KILN_BASE_URL and a personal token in KILN_TOKEN do the same over HTTP(S).
Every call opens its own connection, so threads may call at once.

Standard library only: this file is mounted read-only into every Python jail,
which may have no network and no package of its own.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import time
import urllib.parse
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    import http.client as http_client  # `http` is also a resource type below

__all__ = [
    "JobFailed",
    "JobTimeout",
    "KilnError",
    "context",
    "get_job",
    "get_resource",
    "get_resume_urls",
    "get_state",
    "get_variable",
    "run_flow",
    "run_flow_async",
    "run_script",
    "run_script_async",
    "set_progress",
    "set_state",
    "wait_job",
    # Built-in resource types, for annotations: `def main(db: postgresql)` shows a picker.
    "http",
    "postgresql",
    "s3",
    "smtp",
    "sqlite",
]

# Long enough for a wait call the server holds (~20 s) with a wide margin; short enough that a
# stuck API does not hang a job until its own timeout without a word.
REQUEST_TIMEOUT_S = 120.0
# Between two wait calls that came back at once (a server that does not hold them): no busy loop.
_POLL_MIN_S = 0.05
_POLL_MAX_S = 1.0


# The built-in resource types (kiln/vault/resource_types.py), as annotations. Kiln reads a
# lowercase annotation that is not a Python type as a resource type (`format:
# resource-<name>`), and the run form then picks among resources of that type; importing these
# names (`from kiln import postgresql`) also makes the annotation exist when the script runs.
# total=False: which fields a resource holds is up to the resource.
class postgresql(TypedDict, total=False):  # noqa: N801 - the resource type's name
    host: str
    port: int
    user: str
    password: str
    dbname: str
    sslmode: str
    options: str
    url: str


class sqlite(TypedDict, total=False):  # noqa: N801
    path: str


class http(TypedDict, total=False):  # noqa: N801
    base_url: str
    headers: dict[str, str]


class smtp(TypedDict, total=False):  # noqa: N801
    host: str
    port: int
    user: str
    password: str
    tls: str


class s3(TypedDict, total=False):  # noqa: N801
    bucket: str
    region: str
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    path_style: bool


class KilnError(Exception):
    """The Kiln API refused a call or could not be reached, or this is not a Kiln job.

    `status` is the HTTP status (None when no answer came); for JobFailed it is the job's status.
    `detail` is the API's structured detail (validation errors, the missing path ...).
    """

    def __init__(self, message: str, status: int | str | None = None, detail: Any = None) -> None:
        super().__init__(f"{message} (HTTP {status})" if isinstance(status, int) else message)
        self.message = message
        self.status = status
        self.detail = detail


class JobFailed(KilnError):
    """A job this script waited for ended without success; `error` is its {name, message, traceback}."""

    def __init__(self, job_id: str, status: str, error: dict[str, Any] | None) -> None:
        reason = "no error reported"  # a canceled job may have none
        if isinstance(error, dict) and error:
            reason = f"{error.get('name', 'Error')}: {error.get('message', '')}"
        super().__init__(f"job {job_id} ended {status}: {reason}", status=status, detail=error)
        self.job_id = job_id
        self.error = error


class JobTimeout(KilnError):
    """wait_job's timeout passed before the job ended (the job itself goes on)."""

    def __init__(self, job_id: str, timeout_s: float) -> None:
        super().__init__(f"job {job_id} did not end within {timeout_s:g}s")
        self.job_id = job_id


def context() -> dict[str, str | None]:
    """Which job this is: {workspace, job_id, script_path}, None where the env does not say."""
    return {
        "workspace": os.environ.get("KILN_WORKSPACE") or None,
        "job_id": os.environ.get("KILN_JOB_ID") or None,
        "script_path": os.environ.get("KILN_SCRIPT_PATH") or None,
    }


def get_variable(path: str) -> str:
    """The value of the variable at `path` (a secret comes back decrypted)."""
    return str(_field(_call("GET", f"/variables/value/p/{_path(path)}"), "value"))


def get_resource(path: str) -> dict[str, Any]:
    """The resource at `path`, with the variables it references filled in."""
    value: dict[str, Any] = _field(_call("GET", f"/resources/value_interpolated/p/{_path(path)}"), "value")
    return value


def set_progress(percent: int) -> None:
    """Show how far along this job is, 0 to 100."""
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValueError(f"progress must be an integer from 0 to 100, not {percent!r}")
    _call("POST", "/sdk/progress", {"percent": percent})


def get_state() -> Any:
    """The value this script kept with set_state on an earlier run; None if it never did."""
    return _field(_call("GET", "/sdk/state"), "value")


def set_state(value: Any) -> None:
    """Keep a JSON value until this script's next run (a cursor, the last id seen ...)."""
    _call("PUT", "/sdk/state", {"value": value})


def run_script_async(path: str, args: dict[str, Any] | None = None) -> str:
    """Start the script at `path` and return its job id at once."""
    return str(_field(_call("POST", f"/jobs/run/p/{_path(path)}", _args(args)), "id"))


def run_flow_async(path: str, args: dict[str, Any] | None = None) -> str:
    """Start the flow at `path` and return its job id at once."""
    return str(_field(_call("POST", f"/jobs/run/f/{_path(path)}", _args(args)), "id"))


def run_script(path: str, args: dict[str, Any] | None = None, timeout_s: float | None = None) -> Any:
    """Run the script at `path` and return its result; JobFailed if it fails."""
    return wait_job(run_script_async(path, args), timeout_s)


def run_flow(path: str, args: dict[str, Any] | None = None, timeout_s: float | None = None) -> Any:
    """Run the flow at `path` and return its result; JobFailed if it fails."""
    return wait_job(run_flow_async(path, args), timeout_s)


def wait_job(job_id: str, timeout_s: float | None = None) -> Any:
    """The result of job `job_id` once it ends: JobFailed unless it succeeded, JobTimeout
    if `timeout_s` passes first."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    pause = _POLL_MIN_S
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise JobTimeout(job_id, timeout_s or 0)
        started = time.monotonic()
        # The server holds each call until the job ends or ~20 s pass: a socket timeout of
        # what is left of ours is how a shorter wait ends on time.
        wait_s = REQUEST_TIMEOUT_S if remaining is None else min(remaining, REQUEST_TIMEOUT_S)
        try:
            answer = _call("GET", f"/sdk/wait/{_segment(job_id)}", timeout_s=wait_s)
        except _NoAnswer:
            if remaining is not None and remaining <= REQUEST_TIMEOUT_S:
                raise JobTimeout(job_id, timeout_s or 0) from None
            raise
        if _field(answer, "done"):
            if answer.get("status") == "success":
                return answer.get("result")
            raise JobFailed(job_id, str(answer.get("status")), answer.get("error"))
        if time.monotonic() - started < _POLL_MAX_S:
            time.sleep(pause if remaining is None else min(pause, max(remaining, 0)))
            pause = min(pause * 2, _POLL_MAX_S)


def get_job(job_id: str) -> dict[str, Any]:
    """The job `job_id` as the API shows it (status, args, result ...)."""
    job: dict[str, Any] = _call("GET", f"/jobs/{_segment(job_id)}")
    return job


def get_resume_urls(approver: str | None = None) -> dict[str, str]:
    """URLs that resume or cancel this job's flow at its approval step:
    {approvalPage, resume, cancel}; `approver` names who is expected to act."""
    query = "" if approver is None else "?" + urllib.parse.urlencode({"approver": approver})
    urls: dict[str, str] = _call("GET", f"/sdk/resume_urls{query}")
    return urls


# ---- transport -------------------------------------------------------------------------------


class _NoAnswer(KilnError):
    """The API did not answer in time (wait_job turns this into JobTimeout)."""


def _http() -> Any:
    """http.client, imported at the first request, not with the SDK: it brings ssl and email
    (about 20 ms and 6 MB), which a job that never calls the API should not pay for. A warm
    runner imports it ahead when the script names kiln (python_warm.py)."""
    import http.client

    return http.client


def _unix_connection(socket_path: str, timeout: float) -> http_client.HTTPConnection:
    """HTTP/1.1 over the job's Unix socket; http.client does the framing (Content-Length,
    chunked), and its connection connects with _connect_unix."""
    conn = _http().HTTPConnection("kiln", timeout=timeout)  # `Host: kiln`
    conn.connect = lambda: _connect_unix(conn, socket_path)
    return conn


def _connect_unix(conn: http_client.HTTPConnection, socket_path: str) -> None:
    # With a timeout the socket is non-blocking, and a Unix socket whose accept queue is full
    # refuses such a connect at once (EAGAIN) where TCP would queue it: many threads calling
    # at once hit that. Try again until the timeout instead.
    deadline = time.monotonic() + (conn.timeout or REQUEST_TIMEOUT_S)
    pause = 0.005
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(conn.timeout)
        try:
            sock.connect(socket_path)
        except BlockingIOError:
            sock.close()
            if time.monotonic() + pause > deadline:
                raise TimeoutError("the Kiln API's socket accepts no more connections") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
            continue
        except OSError:
            sock.close()
            raise
        conn.sock = sock
        return


def _call(method: str, route: str, body: Any = None, timeout_s: float = REQUEST_TIMEOUT_S) -> Any:
    """Send one request to /api/w/<workspace><route>; the decoded JSON answer, or KilnError."""
    token = os.environ.get("KILN_TOKEN")
    workspace = os.environ.get("KILN_WORKSPACE")
    socket_path = os.environ.get("KILN_SDK_SOCKET")
    base_url = os.environ.get("KILN_BASE_URL")
    if not socket_path and not base_url:
        raise KilnError("not running inside a Kiln job: KILN_SDK_SOCKET is not set (nor KILN_BASE_URL)")
    if not token:
        raise KilnError("not running inside a Kiln job: KILN_TOKEN is not set")
    if not workspace:
        raise KilnError("not running inside a Kiln job: KILN_WORKSPACE is not set")
    url = f"/api/w/{_segment(workspace)}{route}"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Connection": "close",
    }
    data = None
    if body is not None:
        data = json.dumps(body, default=_to_json).encode("utf-8")
        headers["Content-Type"] = "application/json"
    conn: http_client.HTTPConnection
    if socket_path:
        conn, where = _unix_connection(socket_path, timeout_s), socket_path
    else:
        conn, prefix = _url_connection(str(base_url), timeout_s)
        url, where = prefix + url, str(base_url)
    try:
        conn.request(method, url, body=data, headers=headers)
        response = conn.getresponse()
        status, raw = response.status, response.read()
    except TimeoutError:
        raise _NoAnswer(f"no answer from the Kiln API at {where} within {timeout_s:g}s") from None
    except (OSError, _http().HTTPException) as exc:
        raise KilnError(f"cannot reach the Kiln API at {where}: {exc}") from None
    finally:
        conn.close()
    return _decode(status, raw)


def _url_connection(base_url: str, timeout_s: float) -> tuple[http_client.HTTPConnection, str]:
    """A connection to KILN_BASE_URL, and the path prefix it serves Kiln under."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KilnError(f"KILN_BASE_URL must be an http(s) URL, not {base_url!r}")
    client = _http()
    cls = client.HTTPSConnection if parts.scheme == "https" else client.HTTPConnection
    return cls(parts.netloc, timeout=timeout_s), parts.path.rstrip("/")


def _decode(status: int, raw: bytes) -> Any:
    try:
        answer = json.loads(raw) if raw.strip() else None
    except ValueError:
        answer = None
        if 200 <= status < 300:
            raise KilnError("the Kiln API answered with something that is not JSON", status) from None
    if 200 <= status < 300:
        return answer
    if isinstance(answer, dict) and answer.get("message"):
        raise KilnError(str(answer["message"]), status, answer.get("detail"))
    text = raw.decode("utf-8", "replace").strip()[:500]
    raise KilnError(text or _http().responses.get(status, "error"), status, answer)


def _field(answer: Any, name: str) -> Any:
    """answer[name], or a KilnError that says what came instead (a proxy's page, an old server)."""
    if not isinstance(answer, dict) or name not in answer:
        raise KilnError(f"the Kiln API's answer has no {name!r}: {json.dumps(answer)[:200]}")
    return answer[name]


def _path(path: str) -> str:
    """A script or variable path (`f/db/main`) for a URL: each segment encoded, slashes kept."""
    if not isinstance(path, str) or not path:
        raise ValueError(f"a path like 'f/folder/name' is needed, not {path!r}")
    return "/".join(_segment(part) for part in path.split("/"))


def _segment(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _args(args: dict[str, Any] | None) -> dict[str, Any]:
    if args is None:
        return {}
    if not isinstance(args, dict):
        raise ValueError(f"args must be a dict of argument names to values, not {type(args).__name__}")
    return args


def _to_json(value: Any) -> Any:
    """What the job wrappers turn back: ISO dates, base64 bytes; sets as lists."""
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent as JSON")
