"""The SDK's way out of the jail: a Unix socket in the job's directory, served by the worker
for as long as the job runs, that speaks Kiln's HTTP API (the WSGI app, in this process) to
requests carrying the job's own token and nothing else.

A path-bound Unix socket crosses network namespaces, so it works for `network: none` jobs
too; it reaches only Kiln's API (no proxy, no other host), and only as the job. The server
is closed when the job ends, and the token stops working then anyway (kiln.vault.job_tokens).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from uuid import UUID
from wsgiref.handlers import SimpleHandler
from wsgiref.simple_server import WSGIRequestHandler

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from kiln.vault.sdk_api import HELPER_KEY

from .models import Job, JobStatus

log = logging.getLogger(__name__)
SOCKET_NAME = "sdk.sock"
MAX_CONCURRENT = 16  # requests one job has in flight at once
READ_TIMEOUT_S = 60
MAX_UNIX_PATH = 100  # sun_path is 108 bytes; longer paths are bound through /proc/self/fd
_app: WSGIHandler | None = None
_app_lock = threading.Lock()


def wsgi_app() -> WSGIHandler:
    global _app
    with _app_lock:
        if _app is None:
            _app = WSGIHandler()  # loads the middleware once per process
        return _app


def help_run(job_id: UUID) -> bool:
    """Run, here and now, one queued job of the tree `job_id` roots (itself, or a step of the
    flow it is), if one is due: True if one ran. The job that waits holds a worker slot; with
    this it never waits on a queue that only its own slot could drain."""
    from .runner import JobRunner
    from .workers import served_queues

    now = timezone.now()
    # Only what this worker serves: a job tagged for other workers (a GPU, another runtime)
    # is theirs to run.
    due = (
        Job.objects.filter(Q(pk=job_id) | Q(root_id=job_id), status=JobStatus.QUEUED)
        .filter(queue__in=served_queues())
        .filter(published_at__isnull=False)
        .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now))
        .order_by("-priority", "created_at")
        .values_list("pk", flat=True)
        .first()
    )
    if due is None:
        return False
    JobRunner(str(due)).run()  # a claim that someone else won first is simply nothing to do
    return True


class _Handler(WSGIRequestHandler):
    server: _Server  # type: ignore[assignment]  # what SdkSocket passes: the job and its token

    def address_string(self) -> str:
        return "job"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sdk %s: " + format, self.server.job_id, *args)

    def get_environ(self) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        env: dict[str, Any] = {
            "SERVER_NAME": "kiln",
            "SERVER_PORT": "80",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": self.request_version,
            "SERVER_SOFTWARE": "kiln-sdk-socket",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": _unquote(path),
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": self.headers.get("content-type", ""),
            "CONTENT_LENGTH": self.headers.get("content-length", ""),
            HELPER_KEY: help_run,
        }
        for key, value in self.headers.items():
            key = key.replace("-", "_").upper()
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                env[f"HTTP_{key}"] = value
        env["HTTP_HOST"] = "kiln"
        return env

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536 or not self.parse_request():
            return
        env = self.get_environ()
        app: Callable[..., Any] = wsgi_app()
        if env.get("HTTP_AUTHORIZATION") != f"Bearer {self.server.token}":
            app = _refuse(401, "this socket serves its own job's token only")
        elif not env["PATH_INFO"].startswith("/api/"):
            app = _refuse(404, "this socket serves Kiln's API (/api/...) only")
        handler = SimpleHandler(self.rfile, self.wfile, sys.stderr, env, multithread=True)  # type: ignore[arg-type]
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.http_version = "1.1"
        handler.origin_server = True
        handler.run(app)
        self.close_connection = True


def _unquote(path: str) -> str:
    # WSGI's PATH_INFO is the decoded path as latin-1 text (PEP 3333), as Django expects it.
    return unquote(path, encoding="latin-1")


def _refuse(status: int, message: str) -> Callable[..., Any]:
    body = json.dumps({"message": message, "detail": None}).encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        reason = {401: "Unauthorized", 404: "Not Found"}[status]
        start_response(f"{status} {reason}", [("Content-Type", "application/json")])
        return [body]

    return app


class _Server:
    """What a handler needs of its server: the job it serves and the token it accepts."""

    def __init__(self, job_id: str, token: str) -> None:
        self.job_id, self.token = job_id, token


class SdkSocket:
    """The job's socket: started before the jail, closed after it. One thread waits in
    accept() (closing the socket wakes it at once: no polling, nothing added to a job's
    end); each connection gets a thread of its own, so a job's parallel calls overlap."""

    def __init__(self, *, job_id: str, job_dir: Path, token: str) -> None:
        self.path = job_dir / SOCKET_NAME
        self.server = _Server(job_id, token)
        self._sock: socket.socket | None = None
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)

    def start(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            _bind(sock, self.path)
            # The jailed process runs as nobody (as root) or as a mapped uid: it must be able
            # to connect, which takes write permission on the socket file.
            os.chmod(self.path, 0o666)
            sock.listen(128)  # a job's parallel calls queue here; the SDK retries a full queue
        except OSError:
            sock.close()
            raise
        self._sock = sock
        threading.Thread(
            target=self._accept, args=(sock,), name=f"sdk-{self.server.job_id}", daemon=True
        ).start()

    def _accept(self, sock: socket.socket) -> None:
        while True:
            # At most MAX_CONCURRENT requests in flight: more wait in the backlog, so a job
            # cannot make its worker start threads without end.
            self._slots.acquire()
            try:
                conn, _ = sock.accept()
            except OSError:
                self._slots.release()
                return  # closed: the job is over
            conn.settimeout(READ_TIMEOUT_S)  # a client that stops sending mid-request lets go
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            _Handler(conn, "", self.server)  # type: ignore[arg-type]
        except Exception:  # a client that went away mid-request: its problem only
            log.debug("sdk %s: a request failed", self.server.job_id, exc_info=True)
        finally:
            conn.close()
            connections.close_all()  # this thread's database connections end with it
            self._slots.release()

    def stop(self) -> None:
        if self._sock is None:
            return
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() (Linux)
        self._sock.close()
        self._sock = None
        self.path.unlink(missing_ok=True)


def _bind(sock: socket.socket, path: Path) -> None:
    if len(str(path)) <= MAX_UNIX_PATH:
        sock.bind(str(path))
        return
    # A deep data dir: bind through a short name for the directory (this process's own fd).
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        sock.bind(f"/proc/self/fd/{fd}/{path.name}")
    finally:
        os.close(fd)
    if not stat.S_ISSOCK(os.stat(path).st_mode):
        raise OSError(f"could not create the SDK socket at {path}")
