"""PostgreSQL queries: Windmill's `-- $1 name (type) = default` arguments; the connection
comes from a `database` resource argument; rows come back as a list of objects."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import ipaddress
import json
import socket
from pathlib import Path
from typing import Any

from scripts_runtime.languages import python_deps
from scripts_runtime.languages.base import WRAPPERS_DIR, Mount, PrepareContext, Prepared, RunSpec
from scripts_runtime.languages.python import interpreter, prefix, wrapper_argv
from scripts_runtime.languages.sql_common import parse_arguments, write_params

name = "postgresql"
aliases: tuple[str, ...] = ("postgres", "pg", "pgsql")
extension = "sql"
tag = "postgresql"


def parse_signature(source: str) -> dict[str, Any]:
    return parse_arguments(source, resource="postgresql")


def driver_site(ctx: PrepareContext, python: str) -> Path:
    """psycopg for the jail's Python, installed once into the shared cache (as any dependency)."""
    requirement = f"psycopg[binary]=={importlib.metadata.version('psycopg')}"
    lock_file = (
        ctx.cache_dir
        / "sql"
        / (hashlib.sha256(f"{python}\n{requirement}".encode()).hexdigest()[:16] + ".lock")
    )
    if lock_file.exists():
        lock = lock_file.read_text()
    else:
        lock = python_deps.resolve([requirement], interpreter=python, cache_dir=ctx.cache_dir)
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock_file.write_text(lock)
    site, _ = python_deps.install(lock, interpreter=python, cache_dir=ctx.cache_dir)
    return site


# "<IPv4>:<port>" of the job's database server, in the RunSpec's env. The worker's sandbox
# (kiln/jobs/sandbox.py, DATABASE_ENV) gives the job a network that reaches that server and
# nothing else; 127.0.0.1 means a server on the worker itself, whose one port pasta forwards
# to the jail's loopback. The wrapper connects to that address (libpq's `hostaddr`; TLS still
# checks the certificate against `host`).
DATABASE_ENV = "KILN_DATABASE_ADDRESS"
JAIL_LOOPBACK = "127.0.0.1"


def _conninfo(database: dict[str, Any]) -> dict[str, str]:
    """host, hostaddr and port of a `database` resource, as libpq would read them."""
    parsed: dict[str, str] = {}
    if database.get("url"):
        from psycopg.conninfo import conninfo_to_dict

        try:
            found = conninfo_to_dict(str(database["url"]))
        except Exception:  # noqa: BLE001 - a bad URL is the job's error, at connect time
            return {}
        parsed = {k: str(v) for k, v in found.items() if k in ("host", "hostaddr", "port") and v}
    # Fields given beside a url win over it, as the wrapper passes them to libpq.
    fields = {k: str(database[k]) for k in ("host", "hostaddr", "port") if database.get(k) not in (None, "")}
    return {**parsed, **fields}


def _on_this_worker(address: str) -> bool:
    """Loopback, or an address of one of this worker's interfaces (binding to it works)."""
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return True
    with socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET) as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            return False
    return True


def _addresses(host: str) -> list[str]:
    with contextlib.suppress(OSError, UnicodeError):
        return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]
    return []


def network_env(job_dir: Path) -> tuple[tuple[str, str], ...]:
    """Where the database the job's arguments name is, for the sandbox and the wrapper.

    A server on this worker (localhost, 127.x, or any of the worker's own addresses) is
    reached through exactly one forwarded port on the jail's loopback (127.0.0.1). A server
    elsewhere is reached at the IPv4 address the worker resolves (a name only the worker's
    /etc/hosts knows works too). Several hosts, a unix socket or a name that does not
    resolve: nothing is set, and the job has the network its script asks for.
    """
    try:
        database = json.loads((job_dir / "args.json").read_text()).get("database")
    except (OSError, ValueError, AttributeError):
        return ()
    if not isinstance(database, dict):
        return ()
    info = _conninfo(database)
    hosts = (info.get("hostaddr") or info.get("host") or "").split(",")
    ports = (info.get("port") or "5432").split(",")
    if len(hosts) != 1 or hosts[0] in ("", "/") or hosts[0].startswith("/") or not ports[0].isdigit():
        return ()  # several servers, a unix socket, or a bad port: libpq says what is wrong
    addresses = _addresses(hosts[0].strip())
    if not addresses:
        return ()
    if any(_on_this_worker(a) for a in addresses):
        return ((DATABASE_ENV, f"{JAIL_LOOPBACK}:{ports[0]}"),)
    ipv4 = [a for a in addresses if ipaddress.ip_address(a).version == 4]
    return ((DATABASE_ENV, f"{ipv4[0]}:{ports[0]}"),) if ipv4 else ()  # the jail has IPv4 only


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    write_params(ctx.job_dir, parse_signature(source))
    python = interpreter()
    site = driver_site(ctx, python)
    return Prepared(
        mounts=(Mount(prefix()), Mount(str(site))),
        env=(
            ("KILN_PYTHON_DEPS", str(site)),
            ("KILN_SQL_DIALECT", "postgresql"),
            *network_env(ctx.job_dir),
        ),
    )


def run_spec(prepared: Prepared) -> RunSpec:
    return RunSpec(
        sandbox_config="postgresql.cfg",
        argv=wrapper_argv("sql_wrapper.py"),
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR))),
        env=prepared.env,
    )
