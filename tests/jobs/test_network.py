"""A job's network (`none` | `internet`) and its per-script limits, through the real runner,
nsjail and pasta. sandboxes/README.md is the threat model these tests stand for.

`internet` is proven against real sockets, nothing mocked: the host's own services (a TCP
listener this test opens on every host address, the run's Redis, PostgreSQL's port) and the
metadata address must be unreachable, and a server in another network namespace, reached
over a veth pair like any machine outside (it is not an address of the host's), must be
reachable. `none` reaches nothing at all. Without a working pasta, `internet` jobs are
refused, never run on the host's network.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kiln.jobs.limits import JobLimits, platform_defaults
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.sandbox import (
    PASTA_UID,
    SANDBOX_CONFIG_DIR,
    ip_binary,
    network_check,
    nproc_limit,
    render_config,
)
from kiln.jobs.selectors import job_logs
from scripts_runtime.languages.base import RunSpec
from tests.conftest import pg_resource

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]
IN_CI = os.environ.get("CI") == "true"
INTERNET = {"network": "internet"}
NONE = {"network": "none"}


def host_can_connect(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def redis_port() -> int:
    return urlsplit(os.environ["REDIS_URL"]).port or 6379


def host_ipv4_addresses() -> list[str]:
    """Every IPv4 address of every interface of this host, loopback aside."""
    out = subprocess.run(["ip", "-j", "-4", "addr", "show"], capture_output=True, text=True, check=True)
    return [
        info["local"]
        for link in json.loads(out.stdout)
        for info in link.get("addr_info", [])
        if info.get("family") == "inet" and not ipaddress.ip_address(info["local"]).is_loopback
    ]


# --- The probes: one per language, each connects to every target and says what happened ----

PYTHON_PROBE = """
import errno, socket

def connect(target):
    host, port = target.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=4) as sock:
            sock.sendall(b"kiln network probe\\n")
        return "connected"
    except socket.timeout:
        return "timeout"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc))

def main(targets: list[str]):
    return {t: connect(t) for t in targets}
"""

GO_PROBE = """package inner

import (
	"net"
	"time"
)

func main(targets []string) (interface{}, error) {
	out := map[string]string{}
	for _, t := range targets {
		conn, err := net.DialTimeout("tcp", t, 4*time.Second)
		if err != nil {
			out[t] = err.Error()
			continue
		}
		conn.Write([]byte("kiln network probe\\n"))
		conn.Close()
		out[t] = "connected"
	}
	return out, nil
}
"""

# Targets arrive one a line; the last line printed is the result.
BASH_PROBE = r"""targets="$1"
out=""
while IFS= read -r t; do
  [ -n "$t" ] || continue
  host=${t%:*} port=${t##*:}
  err=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1" && echo "kiln network probe" >&3' "$host" "$port" 2>&1)
  if [ $? = 0 ]; then r=connected; else r=$(printf '%s' "${err:-failed}" | tr -d '"\\' | tr '\n' ' '); fi
  out+="${out:+, }\"$t\": \"$r\""
done <<< "$targets"
echo "{$out}"
"""

TYPESCRIPT_PROBE = """
export async function main(targets: string[]) {
  const out: Record<string, string> = {};
  for (const t of targets) {
    const at = t.lastIndexOf(":");
    try {
      const conn = await Deno.connect({ hostname: t.slice(0, at), port: Number(t.slice(at + 1)) });
      await conn.write(new TextEncoder().encode("kiln network probe\\n"));
      conn.close();
      out[t] = "connected";
    } catch (e) {
      out[t] = `${(e as Error).name}: ${(e as Error).message}`;
    }
  }
  return out;
}
"""

PROBES = {"python3": PYTHON_PROBE, "go": GO_PROBE, "bash": BASH_PROBE, "typescript": TYPESCRIPT_PROBE}
LANGUAGES = [pytest.param(language, id=language) for language in PROBES]


def probe(run_script: Run, language: str, targets: list[str], network: dict[str, Any]) -> dict[str, str]:
    # bash takes positional strings: the targets one a line
    args: dict[str, Any] = {"targets": "\n".join(targets) if language == "bash" else targets}
    job = run_script(PROBES[language], args, language=language, timeout_s=120, settings=network)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert isinstance(job.result, dict) and set(job.result) == set(targets), job.result
    return job.result


def deno_may_connect() -> bool:
    """Deno's own permission flags are a second fence: without --allow-net it refuses every
    connection before the jail's network is even asked."""
    from scripts_runtime.languages import typescript
    from scripts_runtime.languages.base import Prepared

    prepared = Prepared(data={"deno": "deno", "deno_dir": "", "job_dir": "/job"})
    argv = typescript.run_spec(prepared).argv
    return any(a == "--allow-net" or a.startswith("--allow-net=") for a in argv)


# --- What the tests aim at --------------------------------------------------------------------


@pytest.fixture
def host_service() -> Iterator[int]:
    """A TCP service of the host's, listening on every address (0.0.0.0): the kind of thing a
    job must never reach (Kiln's API, a database, an admin port)."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", 0))
    server.listen(64)
    yield server.getsockname()[1]
    server.close()


@dataclass(frozen=True)
class Outside:
    address: str  # the server's, in its own network namespace
    port: int
    host_address: str  # an address the test gives the host's end of the veth
    accepted: Path  # one line per connection the server accepted: "<peer> <first line sent>"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outside]:
    """A TCP server in a network namespace of its own, joined to the host by a veth pair and
    a host route: to the host it is a machine on another network, as the internet is. It is
    not one of the host's addresses, nor on a network the host has an address in."""
    if os.geteuid() != 0 or ip_binary() is None:
        reason = "building a network namespace with a veth pair needs root and iproute2"
        if IN_CI:
            pytest.fail(f"CI must run the network tests: {reason}")
        pytest.skip(reason)
    tag = uuid.uuid4().hex[:6]
    netns, host_end, far_end = f"kiln-test-{tag}", f"kt{tag}h", f"kt{tag}s"
    # Benchmarking space (198.18.0.0/15), a different /24 per run: test runs may overlap.
    subnet = int(tag, 16) % 254 + 1
    server_address, host_address, port = f"198.18.{subnet}.10", f"198.19.{subnet}.1", 18080
    accepted = tmp_path_factory.mktemp("outside") / "accepted"
    accepted.touch()
    server_code = f"""
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("{server_address}", {port}))
s.listen(64)
print("listening", flush=True)
while True:
    conn, peer = s.accept()
    conn.settimeout(3)
    try:
        first = conn.recv(100).decode(errors="replace").strip()
    except OSError:
        first = ""
    with open({str(accepted)!r}, "a") as fh:
        fh.write(f"{{peer[0]}} {{first}}\\n")
    conn.close()
"""
    _ip("netns", "add", netns)
    server = None
    try:
        _ip("link", "add", host_end, "type", "veth", "peer", "name", far_end, "netns", netns)
        _ip("link", "set", host_end, "up")
        _ip("addr", "add", f"{host_address}/32", "dev", host_end)
        _ip("-n", netns, "link", "set", "lo", "up")
        _ip("-n", netns, "link", "set", far_end, "up")
        _ip("-n", netns, "addr", "add", f"{server_address}/32", "dev", far_end)
        _ip("-n", netns, "route", "add", "default", "dev", far_end)
        _ip("route", "add", f"{server_address}/32", "dev", host_end, "src", host_address)
        server = subprocess.Popen(
            ["ip", "netns", "exec", netns, sys.executable, "-c", server_code],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None and server.stdout.readline().strip() == "listening"
        assert host_can_connect(server_address, port), "the host cannot reach the outside server"
        yield Outside(server_address, port, host_address, accepted)
    finally:
        if server is not None:
            server.kill()
            server.wait()
        subprocess.run(["ip", "route", "del", f"{server_address}/32"], capture_output=True)
        subprocess.run(["ip", "link", "del", host_end], capture_output=True)
        subprocess.run(["ip", "netns", "del", netns], capture_output=True)


def pasta_processes() -> list[int]:
    """This test process's pastas (the runner starts them) and the shells holding their
    namespaces, still alive: another test run's jobs on this machine are not counted."""
    found, parents = [], {os.getpid()}
    for _ in range(2):  # pasta is the worker's child; the namespace's shell is pasta's
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = dict(
                    line.split(":\t", 1)
                    for line in (entry / "status").read_text().splitlines()
                    if ":\t" in line
                )
            except OSError:
                continue
            uid, ppid = status.get("Uid", "").split()[:1], int(status.get("PPid", "0"))
            if uid == [str(PASTA_UID)] and ppid in parents and not status.get("State", "").startswith("Z"):
                found.append(int(entry.name))
        parents |= set(found)
    return sorted(set(found))


def assert_no_pasta_left() -> None:
    deadline = time.monotonic() + 5
    while pasta_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pasta_processes() == [], "pasta (or its namespace's shell) outlived the job"


@pytest.fixture(autouse=True)
def _no_pasta_survives() -> Iterator[None]:
    yield
    assert_no_pasta_left()


def blocked_targets(service_port: int, addresses: list[str]) -> list[str]:
    """The host's own services, on every address of the host, and the cloud metadata address."""
    targets = [
        "127.0.0.1:5432",  # PostgreSQL's port
        "127.0.0.1:6379",  # Redis's port
        f"127.0.0.1:{redis_port()}",  # this run's own Redis
        f"127.0.0.1:{service_port}",  # a service of the host's on loopback...
        *(f"{address}:{service_port}" for address in addresses),  # ...and on every address of the host
        "169.254.169.254:80",  # the cloud metadata service (instance credentials)
        f"169.254.0.1:{service_port}",  # the jail's gateway: pasta would map it to the host's loopback
        "169.254.0.53:80",  # the jail's DNS forwarder answers port 53 only
    ]
    return list(dict.fromkeys(targets))


# --- internet ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_internet_reaches_neither_the_hosts_services_nor_the_metadata_address(
    run_script: Run, language: str, host_service: int, outside: Outside
) -> None:
    addresses = host_ipv4_addresses()
    targets = blocked_targets(host_service, addresses)
    # From the host, the service answers on loopback and on every one of its addresses (the
    # one the fixture gave the veth's host end included: an address on no network of the
    # default route's, which the jail must not reach either).
    assert outside.host_address in addresses
    for target in targets:
        host, port = target.rsplit(":", 1)
        if not host.startswith("169.254.") and int(port) == host_service:
            assert host_can_connect(host, int(port)), target
    assert host_can_connect("127.0.0.1", redis_port())
    out = probe(run_script, language, targets, INTERNET)
    connected = {t: o for t, o in out.items() if o == "connected"}
    assert connected == {}, f"an internet job reached the host: {connected}"
    if language == "python3":  # the kernel's own answers, not timeouts
        for address in addresses:
            assert out[f"{address}:{host_service}"] == "EHOSTUNREACH", out  # an unreachable route
        assert out["169.254.169.254:80"] == "EHOSTUNREACH", out
        assert out[f"169.254.0.1:{host_service}"] == "EHOSTUNREACH", out
        assert out["169.254.0.53:80"] == "EHOSTUNREACH", out
        assert out[f"127.0.0.1:{host_service}"] == "ECONNREFUSED", out  # the jail's own loopback


@pytest.mark.parametrize("language", LANGUAGES)
def test_internet_reaches_a_server_outside_the_host(run_script: Run, language: str, outside: Outside) -> None:
    target = f"{outside.address}:{outside.port}"
    before = outside.accepted.read_text().count("kiln network probe")
    out = probe(run_script, language, [target], INTERNET)
    if language == "typescript" and not deno_may_connect():
        # Deno's flags (typescript.py) grant no --allow-net yet: Deno refuses before the jail.
        assert out[target].startswith(("NotCapable", "PermissionDenied")), out
        return
    assert out[target] == "connected", out
    # The server itself saw the connection and the bytes the job sent: nothing mocked.
    assert outside.accepted.read_text().count("kiln network probe") == before + 1


def test_internet_jobs_run_as_before_and_leave_no_pasta_behind(run_script: Run, outside: Outside) -> None:
    source = (
        "import os, socket\n"
        "def main(target: str):\n"
        "    host, port = target.split(':')\n"
        "    socket.create_connection((host, int(port)), timeout=5).close()\n"
        "    procs = sorted(p for p in os.listdir('/proc') if p.isdigit())\n"
        "    return {'uid': os.getuid(), 'fds': sorted(os.listdir('/proc/self/fd')), 'procs': procs}\n"
    )
    job = run_script(source, {"target": f"{outside.address}:{outside.port}"}, settings=INTERNET)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result["uid"] == 65534
    assert job.result["procs"] == ["1"], job.result  # its own process: pasta's are not in sight
    # stdin, the log pipe (stdout, stderr) and listdir's own: nothing of pasta's leaked in.
    assert len(job.result["fds"]) == 4, job.result
    assert_no_pasta_left()


def test_an_internet_job_cannot_remove_the_routes_that_fence_it(run_script: Run) -> None:
    source = (
        "ip=$(command -v ip || echo /usr/sbin/ip)\n"
        'del=$("$ip" route del unreachable 169.254.0.0/16 2>&1) && del=removed\n'
        'add=$("$ip" route add 10.99.0.0/16 dev eth0 2>&1) && add=added\n'
        'ad=$("$ip" addr add 169.254.169.1/32 dev eth0 2>&1) && ad=added\n'
        'still=$("$ip" route show 169.254.0.0/16)\n'
        'printf \'{"del": "%s", "add": "%s", "addr": "%s", "route": "%s"}\\n\' "$del" "$add" "$ad" "$still"\n'
    )
    job = run_script(source, language="bash", settings=INTERNET)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    result = job.result
    for key in ("del", "add", "addr"):
        assert "Operation not permitted" in result[key], result
    assert result["route"].startswith("unreachable 169.254.0.0/16"), result


def test_a_timed_out_internet_job_leaves_no_pasta_behind(run_script: Run) -> None:
    job = run_script("import time\ndef main():\n    time.sleep(60)\n", timeout_s=2, settings=INTERNET)
    assert job.status == JobStatus.TIMEOUT
    assert_no_pasta_left()


def _dns_query(name: str) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return b"\x4b\x49\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + labels + b"\x00\x00\x01\x00\x01"


def host_nameserver_answers(name: str) -> bool:
    """Whether the worker's own resolver (its first nameserver) answers a query for `name`."""
    servers = [
        line.split()[1]
        for line in Path("/etc/resolv.conf").read_text().splitlines()
        if line.startswith("nameserver") and len(line.split()) > 1
    ]
    if not servers:
        return False
    with socket.socket(socket.AF_INET6 if ":" in servers[0] else socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        try:
            s.sendto(_dns_query(name), (servers[0], 53))
            return s.recv(512)[:2] == b"\x4b\x49"
        except OSError:
            return False


DNS_PROBE = """
import socket

def main(query: str):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(4)
    try:
        s.sendto(bytes.fromhex(query), ("169.254.0.53", 53))  # the jail's resolv.conf
        return "answered" if s.recv(512)[:2] == bytes.fromhex(query)[:2] else "wrong answer"
    except OSError as exc:
        return type(exc).__name__ + ": " + str(exc)
"""


def test_dns_goes_to_the_workers_resolver_and_nowhere_else(run_script: Run) -> None:
    name = "example.com"
    host = host_nameserver_answers(name)
    query = _dns_query(name).hex()
    internet = run_script(DNS_PROBE, {"query": query}, settings=INTERNET)
    assert internet.status == JobStatus.SUCCESS, (internet.error, job_logs(job=internet))
    # The job's resolver answers exactly when the worker's does (this machine may have no DNS).
    assert (internet.result == "answered") == host, internet.result
    none = run_script(DNS_PROBE, {"query": query}, settings=NONE)
    assert none.result.startswith("OSError: [Errno 101]"), none.result  # ENETUNREACH


# --- none -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_none_reaches_nothing_at_all(
    run_script: Run, language: str, host_service: int, outside: Outside
) -> None:
    outside_target = f"{outside.address}:{outside.port}"
    targets = [outside_target, "1.1.1.1:443", *blocked_targets(host_service, host_ipv4_addresses())]
    before = outside.accepted.read_text()
    out = probe(run_script, language, targets, NONE)
    connected = {t: o for t, o in out.items() if o == "connected"}
    assert connected == {}, f"a job without network connected: {connected}"
    assert outside.accepted.read_text() == before
    if language == "python3":
        for target, outcome in out.items():
            expected = "ECONNREFUSED" if target.startswith("127.") else "ENETUNREACH"
            assert outcome == expected, (target, outcome)  # loopback only: no route anywhere


# --- without pasta ----------------------------------------------------------------------------


@pytest.fixture
def failing_pasta(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    broken = tmp_path / "pasta"
    broken.write_text(
        "#!/bin/sh\necho 'pasta: Couldn't open network namespace: Permission denied' >&2\nexit 1\n"
    )
    broken.chmod(0o755)
    monkeypatch.setenv("KILN_PASTA_PATH", str(broken))
    return broken


def test_without_a_working_pasta_internet_jobs_are_refused_not_run_on_the_hosts_network(
    run_script: Run, failing_pasta: Path, host_service: int
) -> None:
    source = (
        "import socket\ndef main(port: int):\n    print('the job ran')\n"
        "    socket.create_connection(('127.0.0.1', port), timeout=3).close()\n"
        "    return 'reached the host'\n"
    )
    job = run_script(source, {"port": host_service}, settings=INTERNET)
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "SandboxError"
    assert "network 'internet' needs pasta (Debian package passt)" in job.error["message"]
    assert "Permission denied" in job.error["message"]  # pasta's own reason
    assert "the job ran" not in job_logs(job=job)
    # The worker's self-check says the same (a warning at start: `none` jobs still run).
    check = network_check()
    assert check is not None and "needs pasta (Debian package passt)" in check
    assert run_script("def main():\n    return 1\n", settings=NONE).result == 1


def test_a_missing_pasta_is_named_in_the_error(run_script: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KILN_PASTA_PATH", "/nonexistent/pasta")
    job = run_script("def main():\n    return 1\n", settings=INTERNET)
    assert (job.status, job.error["name"]) == (JobStatus.FAILURE, "SandboxError")
    assert "needs pasta (Debian package passt)" in job.error["message"]


def test_the_real_pasta_passes_the_self_check(sandbox_available: None) -> None:
    assert network_check() is None


# --- SQL jobs: their database, and nothing else ---------------------------------------------


@pytest.mark.parametrize("network", [INTERNET, NONE], ids=["internet", "none"])
def test_a_postgresql_job_reaches_its_database_on_the_host_whatever_its_network(
    run_script: Run, pg_schema: str, network: dict[str, Any]
) -> None:
    job = run_script(
        "SELECT count(*) AS n FROM orders;",
        {"database": pg_resource(pg_schema)},  # 127.0.0.1:5432, on this host
        language="postgresql",
        settings=network,
    )
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == [{"n": 4}]


def test_a_database_resource_cannot_point_at_kilns_own_redis(run_script: Run) -> None:
    resource = {"url": f"postgres://kiln@127.0.0.1:{redis_port()}/kiln"}
    job = run_script("SELECT 1;", {"database": resource}, language="postgresql", settings=INTERNET)
    assert (job.status, job.error["name"]) == (JobStatus.FAILURE, "SandboxError"), job.error
    assert "Kiln's own Redis" in job.error["message"]


CONNECT_PROBE = """
import errno, json, socket, sys
out = {}
for target in json.loads(sys.argv[1]):
    host, port = target.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=4).close()
        out[target] = "connected"
    except socket.timeout:
        out[target] = "timeout"
    except OSError as exc:
        out[target] = errno.errorcode.get(exc.errno, str(exc))
print(json.dumps(out))
"""


def launch_probe(tmp_path: Path, targets: list[str], *, network: str, database: str | None) -> dict[str, str]:
    """Connect to each target from a jail the sandbox starts for a language whose RunSpec names
    a database server (as postgresql.py's does): the network a SQL job gets, probed directly,
    since a query cannot open sockets of its own."""
    from kiln.jobs.sandbox import DATABASE_ENV, launch, prepare_job_dir
    from scripts_runtime.languages import python
    from scripts_runtime.languages.base import Mount

    job_dir = tmp_path / "jobs" / uuid.uuid4().hex
    job_dir.parent.mkdir(parents=True, exist_ok=True)
    prepare_job_dir(job_dir)
    spec = RunSpec(
        sandbox_config="python.cfg",
        argv=[python.interpreter(), "-I", "-c", CONNECT_PROBE, json.dumps(targets)],
        mounts=(Mount(python.prefix()),),
        env=((DATABASE_ENV, database),) if database else (),
    )
    launched = launch(spec=spec, job_dir=job_dir, limits=platform_defaults(), network=network)
    out, _ = launched.process.communicate(timeout=120)
    assert launched.process.returncode == 0, out
    return json.loads(out.decode().strip().splitlines()[-1])


@pytest.mark.parametrize("network", ["internet", "none"])
def test_a_database_on_the_host_is_one_forwarded_port_and_nothing_else(
    sandbox_available: None, tmp_path: Path, host_service: int, outside: Outside, network: str
) -> None:
    database = f"127.0.0.1:{host_service}"  # stands for PostgreSQL on the worker's loopback
    elsewhere = [f"{address}:{host_service}" for address in host_ipv4_addresses()]
    others = [f"127.0.0.1:{redis_port()}", f"{outside.address}:{outside.port}", "1.1.1.1:443"]
    others += ["169.254.169.254:80", "169.254.0.53:53"]
    out = launch_probe(tmp_path, [database, *elsewhere, *others], network=network, database=database)
    assert out.pop(database) == "connected", out
    assert out.pop(f"127.0.0.1:{redis_port()}") == "ECONNREFUSED", out  # the jail's own loopback
    assert set(out.values()) == {"EHOSTUNREACH"}, out  # no route anywhere else, DNS included


def test_a_database_elsewhere_is_that_address_and_nothing_else(
    sandbox_available: None, tmp_path: Path, host_service: int, outside: Outside
) -> None:
    database = f"{outside.address}:{outside.port}"  # stands for a PostgreSQL server on the network
    others = [f"127.0.0.1:{host_service}", *(f"{a}:{host_service}" for a in host_ipv4_addresses())]
    others += ["1.1.1.1:443", "169.254.169.254:80"]
    out = launch_probe(tmp_path, [database, *others], network="none", database=database)
    assert out.pop(database) == "connected", out
    assert out.pop(f"127.0.0.1:{host_service}") == "ECONNREFUSED", out
    assert set(out.values()) == {"EHOSTUNREACH"}, out


@pytest.mark.parametrize("where", ["169.254.169.254:80", "224.0.0.1:5432", "blocked", "redis"])
def test_a_database_where_no_job_may_go_is_refused(
    sandbox_available: None, tmp_path: Path, outside: Outside, settings: Any, where: str
) -> None:
    from kiln.jobs.sandbox import SandboxUnavailable

    settings.KILN_SANDBOX_BLOCKED_NETS = [f"{outside.address}/24"]
    database = {
        "blocked": f"{outside.address}:{outside.port}",
        "redis": f"127.0.0.1:{redis_port()}",
    }.get(where, where)
    with pytest.raises(SandboxUnavailable) as refused:
        launch_probe(tmp_path, [database], network="internet", database=database)
    reason = "Kiln's own Redis" if where == "redis" else "a network no job may reach"
    assert reason in str(refused.value)


def test_blocked_nets_fence_internet_jobs_too(run_script: Run, outside: Outside, settings: Any) -> None:
    target = f"{outside.address}:{outside.port}"
    settings.KILN_SANDBOX_BLOCKED_NETS = ["192.0.2.128/25", f"{outside.address}/32", "2001:db8::/32"]
    assert probe(run_script, "python3", [target], INTERNET) == {target: "EHOSTUNREACH"}
    settings.KILN_SANDBOX_BLOCKED_NETS = ["not-a-network"]
    job = run_script(PYTHON_PROBE, {"targets": [target]}, settings=INTERNET)
    assert (job.status, job.error["name"]) == (JobStatus.FAILURE, "SandboxError")
    assert "KILN_SANDBOX_BLOCKED_NETS: 'not-a-network' is not a network" in job.error["message"]


# --- Part A: the script's limits, rendered into the jail --------------------------------------


def test_every_config_renders_every_limit(sandbox_available: None) -> None:
    limits = JobLimits(
        timeout_s=37, cpu_s=29, memory_mb=333, max_processes=41, file_size_mb=7, tmpfs_mb=9,
        open_files=123, log_bytes=4096,
    )  # fmt: skip
    spec = RunSpec(argv=["/usr/bin/true"], sandbox_config="python.cfg")
    configs = sorted(SANDBOX_CONFIG_DIR.glob("*.cfg"))
    assert {c.name for c in configs} >= {
        f"{n}.cfg" for n in ("python", "deno", "go", "bash", "sqlite", "postgresql")
    }
    for config in configs:
        for network in ("none", "internet"):
            text = render_config(
                config.read_text(), job_dir=Path("/nonexistent"), limits=limits, spec=spec, network=network
            )
            lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
            assert not re.search(r"\{[A-Z_]+\}", "\n".join(lines)), config.name  # every placeholder filled
            assert "time_limit: 37" in lines and "rlimit_cpu: 29" in lines, config.name
            assert "rlimit_fsize: 7" in lines and "rlimit_nofile: 123" in lines, config.name
            assert f"rlimit_nproc: {nproc_limit(limits)}" in lines and nproc_limit(limits) >= 41, config.name
            expected_as = {"deno.cfg": 81920, "go.cfg": 333 + 1024}.get(config.name, 333)
            assert f"rlimit_as: {expected_as}" in lines, config.name
            assert f"size={9 * 1024 * 1024}" in text, config.name
            assert f"clone_newnet: {'true' if network == 'none' else 'false'}" in lines, config.name
    default = platform_defaults()
    assert nproc_limit(default) >= 512 if default.max_processes >= 256 else True  # never below before


def limited(run_script: Run, source: str, limits: dict[str, int], **kw: Any) -> tuple[str, str, str]:
    job = run_script(source, settings={"limits": limits}, **kw)
    error: dict[str, Any] = job.error or {}
    return job.status, error.get("name", ""), error.get("message", "")


def test_tmpfs_mb_sizes_the_jobs_tmp(run_script: Run) -> None:
    source = (
        "def main():\n    with open('/tmp/fill', 'wb') as fh:\n"
        "        for _ in range(16):\n            fh.write(b'x' * 1024 * 1024)\n"
    )
    status, name, message = limited(run_script, source, {"tmpfs_mb": 8})
    assert (status, name) == (JobStatus.FAILURE, "OSError") and "No space left on device" in message
    assert run_script(source, settings={"limits": {"tmpfs_mb": 32}}).status == JobStatus.SUCCESS


def test_open_files_caps_open_files(run_script: Run) -> None:
    source = "def main():\n    handles = [open('/dev/null') for _ in range(100)]\n    return len(handles)\n"
    status, name, message = limited(run_script, source, {"open_files": 64})
    assert (status, name) == (JobStatus.FAILURE, "OSError") and "Too many open files" in message
    assert run_script(source, settings={"limits": {"open_files": 256}}).result == 100


def test_file_size_mb_caps_a_written_file(run_script: Run) -> None:
    source = "def main():\n    with open('/job/big', 'wb') as fh:\n        fh.write(b'x' * 2 * 1024 * 1024)\n"
    status, name, message = limited(run_script, source, {"file_size_mb": 1})
    assert (status, name) == (JobStatus.FAILURE, "OSError") and "File too large" in message


def test_memory_mb_caps_memory(run_script: Run) -> None:
    source = "def main():\n    hog = bytearray(600 * 1024 * 1024)\n    return len(hog)\n"
    status, name, message = limited(run_script, source, {"memory_mb": 128}, timeout_s=60)
    assert status == JobStatus.FAILURE and name in {"MemoryError", "MemoryLimitExceeded"}
    assert message.startswith("memory limit exceeded"), message
    assert "128 MB" in message


def test_timeout_s_ends_the_job_with_status_timeout(run_script: Run) -> None:
    started = time.monotonic()
    job = run_script("def main():\n    while True:\n        pass\n", settings={"limits": {"timeout_s": 2}})
    assert job.status == JobStatus.TIMEOUT and job.error["name"] == "Timeout"
    assert time.monotonic() - started < 30


def test_max_processes_caps_processes(run_script: Run) -> None:
    source = (
        "import os, time\ndef main():\n    n = 0\n    try:\n        while n < 200:\n"
        "            if os.fork() == 0:\n                time.sleep(20)\n                os._exit(0)\n"
        "            n += 1\n    except OSError:\n        return n\n    return n\n"
    )
    job = run_script(source, settings={"limits": {"max_processes": 16}}, timeout_s=30)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result < 32, job.result  # the pids cgroup (or 2x in RLIMIT_NPROC) stopped it


def test_the_bash_wrapper_still_starts_under_small_limits(run_script: Run) -> None:
    limits = {"memory_mb": 64, "open_files": 32, "max_processes": 8, "tmpfs_mb": 1, "file_size_mb": 1}
    job = run_script('echo "{\\"ok\\": true}"\n', language="bash", settings={"limits": limits})
    assert job.status == JobStatus.SUCCESS and job.result == {"ok": True}, (job.error, job_logs(job=job))


def test_a_go_job_starts_under_a_small_memory_limit(run_script: Run) -> None:
    source = 'package inner\n\nfunc main() (interface{}, error) {\n\treturn "ok", nil\n}\n'
    job = run_script(source, language="go", settings={"limits": {"memory_mb": 64}})
    assert job.status == JobStatus.SUCCESS and job.result == "ok", (job.error, job_logs(job=job))


def test_cpu_s_stops_a_cpu_bound_job_before_its_timeout(run_script: Run) -> None:
    started = time.monotonic()
    limits = {"cpu_s": 1, "timeout_s": 30}
    job = run_script("def main():\n    while True:\n        pass\n", settings={"limits": limits})
    # RLIMIT_CPU ends the job with SIGKILL (nsjail sets soft = hard); the runner tells it from a
    # memory kill by the CPU time the jail used.
    assert job.status == JobStatus.FAILURE, (job.status, job.error)
    assert job.error["name"] == "CpuLimitExceeded", job.error
    assert job.error["message"].startswith("CPU time limit exceeded: the job used 1.")
    assert time.monotonic() - started < 20
