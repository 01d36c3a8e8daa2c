"""Escape attempts against the real runner, nsjail and seccomp policy, in every language.

Each language has one probe script that tries every attack and RETURNS what happened (it
never fails on purpose): "OK ..." when an attempt worked, else the error it met. The tests
assert on those outcomes and, where they can, check from the host that nothing landed.
sandboxes/README.md is the threat model these tests stand for.

The probes attack for real. Run without a sandbox, as root, they would read the host's
secrets and write into it, so every test here refuses to run unless KILN_SANDBOX is nsjail,
and each attack is aimed so that it does no harm even then (no mount over a real path, no
ptrace of a real process, no pointer the kernel could act on).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from kiln.accounts.models import User, Workspace
from kiln.jobs.limits import platform_defaults
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.jobs.sandbox import NOBODY, SANDBOX_CONFIG_DIR, SECCOMP_POLICY, nsjail_binary, render_config
from kiln.jobs.selectors import job_logs
from kiln.jobs.services import job_create
from kiln.scripts.services import script_save
from scripts_runtime.languages.base import RunSpec

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


@pytest.fixture(autouse=True)
def only_inside_the_sandbox() -> None:
    if settings.KILN_SANDBOX != "nsjail":
        pytest.fail("the escape probes attack the host for real: they run only inside nsjail")


# --- The probes: one per language, the same attacks, the same shape of answer -------------

PYTHON_PROBE = """
import errno, os, socket

def attempt(action):
    try:
        return "OK " + str(action())[:60]
    except OSError as exc:
        return errno.errorcode.get(exc.errno, type(exc).__name__)

def read(path):
    with open(path, "rb") as fh:
        return fh.read(20)

def write(path):
    with open(path, "w") as fh:
        return fh.write("kiln escape probe")

def connect(target):
    host, port = target.rsplit(":", 1)
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        sock.connect((host, int(port)))
    return "connected"

def cmdline(pid):
    with open(f"/proc/{pid}/cmdline", "rb") as fh:
        return fh.read().replace(b"\\0", b" ").decode(errors="replace").strip()

def seccomp_mode():
    with open("/proc/self/status") as fh:
        return next(line.split()[1] for line in fh if line.startswith("Seccomp:"))

def main(reads: list[str], dirs: list[str], writes: list[str], targets: list[str]):
    return {
        "read": {p: attempt(lambda p=p: read(p)) for p in reads},
        "list": {d: attempt(lambda d=d: " ".join(sorted(os.listdir(d)))) for d in dirs},
        "write": {p: attempt(lambda p=p: write(p)) for p in writes},
        "connect": {t: attempt(lambda t=t: connect(t)) for t in targets},
        "env": dict(os.environ),
        "procs": {p: cmdline(p) for p in os.listdir("/proc") if p.isdigit()},
        "uid": os.getuid(),
        "seccomp": seccomp_mode(),
    }
"""

# Deno's own permission flags (read/write only the job dir, /tmp and the import cache; no
# net, no run, no sys) answer first, so most attacks never reach nsjail's walls.
TYPESCRIPT_PROBE = """
async function attempt(action: () => Promise<unknown>): Promise<string> {
  try {
    return "OK " + String(await action()).slice(0, 60);
  } catch (e) {
    return (e as Error).name;
  }
}

async function each(items: string[], action: (item: string) => Promise<unknown>) {
  const out: Record<string, string> = {};
  for (const item of items) out[item] = await attempt(() => action(item));
  return out;
}

async function connect(target: string) {
  const at = target.lastIndexOf(":");
  const hostname = target.slice(0, at).replace(/^\\[|\\]$/g, "");
  const conn = await Deno.connect({ hostname, port: Number(target.slice(at + 1)) });
  conn.close();
  return "connected";
}

async function list(dir: string) {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort().join(" ");
}

export async function main(reads: string[], dirs: string[], writes: string[], targets: string[]) {
  const procs: Record<string, string> = {};
  const procsError = await attempt(async () => {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\\d+$/.test(entry.name)) continue;
      procs[entry.name] = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
    }
  });
  return {
    read: await each(reads, async (p) => (await Deno.readTextFile(p)).slice(0, 20)),
    list: await each(dirs, list),
    write: await each(writes, (p) => Deno.writeTextFile(p, "kiln escape probe")),
    connect: await each(targets, connect),
    env: Deno.env.toObject(),
    procs,
    procs_error: procsError,
    uid: null, // Deno.uid() needs --allow-sys, which Kiln does not grant
    seccomp: await attempt(() => Deno.readTextFile("/proc/self/status")),
  };
}
"""

GO_PROBE = """package inner

import (
	"errors"
	"net"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func outcome(detail string, err error) string {
	if err != nil {
		return err.Error()
	}
	if len(detail) > 60 {
		detail = detail[:60]
	}
	return "OK " + detail
}

func errnoName(err error) string {
	if err == nil || err == syscall.Errno(0) {
		return "OK"
	}
	if errors.Is(err, syscall.EPERM) {
		return "EPERM"
	}
	return err.Error()
}

func rawErr(_, _ uintptr, errno syscall.Errno) error {
	if errno == 0 {
		return nil
	}
	return errno
}

// Aimed to do no harm outside a jail: ptrace of itself, a mount over /job (no such
// directory on a host), the session keyring's id, a keystroke into /dev/null.
func denied() map[string]string {
	key := byte('x')
	ioctl := func(request uintptr) error {
		return rawErr(syscall.Syscall(syscall.SYS_IOCTL, 0, request, uintptr(unsafe.Pointer(&key))))
	}
	sessionKeyring := ^uintptr(2) // KEY_SPEC_SESSION_KEYRING, -3
	return map[string]string{
		"ptrace_attach": errnoName(syscall.PtraceAttach(os.Getpid())),
		"unshare":       errnoName(syscall.Unshare(syscall.CLONE_NEWUSER)),
		"mount":         errnoName(syscall.Mount("none", "/job", "tmpfs", 0, "")),
		"keyctl":        errnoName(rawErr(syscall.Syscall(syscall.SYS_KEYCTL, 0, sessionKeyring, 0))),
		"tiocsti":       errnoName(ioctl(syscall.TIOCSTI)),
	}
}

func main(reads []string, dirs []string, writes []string, targets []string) (interface{}, error) {
	read := map[string]string{}
	for _, p := range reads {
		data, err := os.ReadFile(p)
		read[p] = outcome(string(data), err)
	}
	list := map[string]string{}
	for _, d := range dirs {
		names := []string{}
		entries, err := os.ReadDir(d)
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		list[d] = outcome(strings.Join(names, " "), err)
	}
	write := map[string]string{}
	for _, p := range writes {
		write[p] = outcome("written", os.WriteFile(p, []byte("kiln escape probe"), 0o644))
	}
	connect := map[string]string{}
	for _, t := range targets {
		conn, err := net.DialTimeout("tcp", t, 3*time.Second)
		if err == nil {
			conn.Close()
		}
		connect[t] = outcome("connected", err)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	procs := map[string]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if strings.Trim(e.Name(), "0123456789") == "" {
			cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			procs[e.Name()] = strings.TrimSpace(strings.ReplaceAll(string(cmd), "\\x00", " "))
		}
	}
	seccomp := "unknown"
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\\n") {
			if strings.HasPrefix(line, "Seccomp:") {
				seccomp = strings.TrimSpace(strings.TrimPrefix(line, "Seccomp:"))
			}
		}
	}
	return map[string]interface{}{
		"read": read, "list": list, "write": write, "connect": connect, "env": env,
		"procs": procs, "uid": os.Getuid(), "seccomp": seccomp, "denied": denied(),
	}, nil
}
"""

# Lists arrive in bash as one word each, one item a line. The result is the last line.
BASH_PROBE = r"""reads="$1"
dirs="$2"
writes="$3"
targets="$4"

esc() { printf '%s' "$1" | tr '\000-\037' ' ' | sed 's/\\/\\\\/g; s/"/\\"/g'; }
add() { local -n into=$1; into+="${into:+, }\"$(esc "$2")\": \"$(esc "$3")\""; }
outcome() { if [ "$1" = 0 ]; then printf 'OK %s' "${2:0:60}"; else printf '%s' "${2:-failed}"; fi; }

read="" list="" write="" connect="" env="" procs="" denied=""
while IFS= read -r p; do
  out=$(head -c 20 -- "$p" 2>&1); rc=$?; add read "$p" "$(outcome $rc "$out")"
done <<< "$reads"
while IFS= read -r d; do
  out=$(ls -A -- "$d" 2>&1); rc=$?; add list "$d" "$(outcome $rc "$(sort <<< "$out" | tr '\n' ' ')")"
done <<< "$dirs"
while IFS= read -r p; do
  out=$( { printf 'kiln escape probe' > "$p"; } 2>&1 ); rc=$?; add write "$p" "$(outcome $rc "$out")"
done <<< "$writes"
while IFS= read -r t; do
  host=${t%:*}; host=${host#[}; host=${host%]}
  out=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "${t##*:}" 2>&1); rc=$?
  add connect "$t" "$(outcome $rc "$out")"
done <<< "$targets"
for name in $(compgen -e); do add env "$name" "${!name}"; done  # what a child process gets
for d in /proc/[0-9]*; do add procs "${d#/proc/}" "$(tr '\0' ' ' < "$d/cmdline" 2>/dev/null)"; done
# Aimed to do no harm outside a jail: /job does not exist on a host.
out=$(unshare -r true 2>&1); rc=$?; add denied unshare "$(outcome $rc "$out")"
out=$(mount -t tmpfs none /job 2>&1); rc=$?; add denied mount "$(outcome $rc "$out")"
while read -r key value; do [ "$key" = Seccomp: ] && seccomp=$value; done < /proc/self/status

result="{\"read\": {$read}, \"list\": {$list}, \"write\": {$write}, \"connect\": {$connect}"
result+=", \"env\": {$env}, \"procs\": {$procs}, \"uid\": $(id -u), \"seccomp\": \"$seccomp\""
echo "$result, \"denied\": {$denied}}"
"""

PROBES = {"python3": PYTHON_PROBE, "typescript": TYPESCRIPT_PROBE, "go": GO_PROBE, "bash": BASH_PROBE}
LANGUAGES = [pytest.param(language, id=language) for language in PROBES]
MAKES_RAW_SYSCALLS = [pytest.param(language, id=language) for language in ("python3", "go", "bash")]
X86_64 = pytest.mark.skipif(os.uname().machine != "x86_64", reason="syscall numbers are x86_64's")

# What a jail's environment may hold: every config's fixed list (keep_env: false), what a
# language adds through its RunSpec, and what bash itself exports to the commands it runs.
ALLOWED_ENV = {
    *("HOME", "PATH", "LANG", "PYTHONIOENCODING", "KILN_JOB_DIR"),
    *("KILN_PYTHON_DEPS", "DENO_DIR", "DENO_NO_UPDATE_CHECK", "NO_COLOR"),
    *("PWD", "OLDPWD", "SHLVL", "_"),
    # The SDK's (docs/vault.md): the job's own token and where its socket is, nothing of the worker's.
    *("KILN_SDK_SOCKET", "KILN_TOKEN", "KILN_WORKSPACE", "KILN_JOB_ID", "KILN_SCRIPT_PATH", "KILN_SDK_DIR"),
}
# Put into the worker's environment for the run: none of it may reach the job.
CANARIES = {
    "DATABASE_URL": "postgres://kiln:canary-db-password@db.internal:5432/kiln",
    "KILN_SECRET_KEY": "canary-secret-key-that-must-stay-on-the-worker",
    "KILN_ENCRYPTION_KEYS": "canary-encryption-key",
    "AWS_SECRET_ACCESS_KEY": "canary-aws-secret",
}


def redis_target() -> str:
    """This test run's real Redis (the embedded Valkey or REDIS_URL), as host:port."""
    url = urlsplit(os.environ["REDIS_URL"])
    return f"{url.hostname}:{url.port or 6379}"


def host_can_connect(target: str) -> bool:
    host, port = target.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        return False
    return True


def secret_files() -> list[str]:
    """Host files a job must never read; the worker reads each of them."""
    files = [
        "/etc/shadow",
        str(settings.BASE_DIR / "platform" / "kiln" / "settings.py"),
        str(settings.DATA_DIR / "secret_key"),
    ]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        files.append(str(database["NAME"]))
    for path in files:
        assert Path(path).is_file() and os.access(path, os.R_OK), f"the worker cannot read {path}"
    return files


def write_targets(tag: str) -> list[str]:
    return [
        f"/job/escape-{tag}.txt",  # the job's own dir: allowed
        f"/tmp/escape-{tag}.txt",  # the jail's private tmpfs: allowed, and never the host's /tmp
        f"/escape-{tag}.txt",
        f"/usr/escape-{tag}.txt",
        f"/etc/escape-{tag}.txt",
        str(settings.BASE_DIR / "scripts_runtime" / "wrappers" / f"escape-{tag}.py"),
        str(settings.BASE_DIR / "platform" / "kiln" / f"escape-{tag}.py"),
        str(settings.DATA_DIR / f"escape-{tag}.txt"),
        str(Path(settings.KILN_JOBS_DIR) / f"escape-{tag}.txt"),
    ]


def connect_targets() -> list[str]:
    return [
        "127.0.0.1:5432",  # PostgreSQL's port
        "127.0.0.1:6379",  # Redis's port
        redis_target(),  # this test run's own Redis, wherever it listens
        "169.254.169.254:80",  # the cloud metadata service (instance credentials)
        "1.1.1.1:53",  # anywhere on the internet
        "[::1]:5432",  # loopback over IPv6
        "[::1]:80",
    ]


def run_probe(run_script: Run, language: str, network: str | None = None) -> dict[str, Any]:
    """The language's probe's outcomes, plus what it aimed at and what reached the host.
    `network` is the script's (default: the test workspace's, none)."""
    tag = uuid.uuid4().hex[:12]
    lists = {
        "reads": secret_files(),
        "dirs": [str(settings.KILN_JOBS_DIR), str(settings.DATA_DIR), str(settings.BASE_DIR)],
        "writes": write_targets(tag),
        "targets": connect_targets(),
    }
    if language == "bash":  # positional parameters are strings: one item a line
        args: dict[str, Any] = {k: "\n".join(v) for k, v in lists.items()}
    else:
        args = lists
    try:
        script_settings = {"network": network} if network else None
        job = run_script(PROBES[language], args, language=language, timeout_s=60, settings=script_settings)
    finally:  # every probe tries the writes: whatever reached the host is noted and removed
        landed = [p for p in lists["writes"] if not p.startswith("/job/") and Path(p).exists()]
        for path in landed:
            Path(path).unlink()
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert isinstance(job.result, dict), job.result
    return {**job.result, "tag": tag, "aimed_at": lists, "landed": landed}


def succeeded(outcome: str) -> bool:
    return outcome.startswith("OK")


# --- The seccomp policy itself -----------------------------------------------------------


def test_the_seccomp_policy_compiles_and_every_language_config_loads_it(sandbox_available: None) -> None:
    assert SECCOMP_POLICY.is_file()
    argv = [nsjail_binary(), "-Mo", "--really_quiet", "-R", "/usr", "-R", "/lib", "-R", "/lib64"]
    if os.geteuid() == 0:
        argv += ["--disable_clone_newuser", "-u", str(NOBODY), "-g", str(NOBODY)]
    argv += ["--seccomp_policy", str(SECCOMP_POLICY), "--", "/usr/bin/true"]
    probe = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert probe.returncode == 0, f"nsjail refused the policy: {probe.stderr[-500:]}"
    configs = sorted(SANDBOX_CONFIG_DIR.glob("*.cfg"))
    assert len(configs) >= 6
    spec = RunSpec(argv=["/usr/bin/true"], sandbox_config="python.cfg")
    for config in configs:
        template, job_dir, limits = config.read_text(), Path("/nonexistent"), platform_defaults()
        rendered = render_config(template, job_dir=job_dir, limits=limits, spec=spec, network="none")
        assert f'seccomp_policy_file: "{SECCOMP_POLICY}"' in rendered.splitlines(), config.name


# --- Files -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_cannot_read_the_platforms_secrets_code_or_database(run_script: Run, language: str) -> None:
    out = run_probe(run_script, language)
    assert set(out["read"]) == set(out["aimed_at"]["reads"])
    readable = {path: outcome for path, outcome in out["read"].items() if succeeded(outcome)}
    assert readable == {}, f"the job read host files: {readable}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_cannot_list_the_jobs_dir_the_data_dir_or_the_code(run_script: Run, language: str) -> None:
    out = run_probe(run_script, language)
    # The jail is built from mounts whose parents may show, empty: the cache dir (holding
    # only this script's read-only dependencies) and the wrappers' path. Nothing else may.
    mount_parents = {"cache", "scripts_runtime"}
    for directory, outcome in out["list"].items():
        on_host = set(os.listdir(directory)) - mount_parents
        seen = set(outcome.split()[1:]) if succeeded(outcome) else set()
        assert not seen & on_host, f"the job listed {directory}: {sorted(seen & on_host)}"
    # The jobs dir is empty on the host by now (the runner removed the job's own dir).
    jobs_dir = out["list"][str(settings.KILN_JOBS_DIR)]
    assert not succeeded(jobs_dir) or jobs_dir.split()[1:] == [], jobs_dir


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_writes_only_its_own_directory_and_a_private_tmp(run_script: Run, language: str) -> None:
    out = run_probe(run_script, language)
    tag, written = out["tag"], out["write"]
    assert succeeded(written[f"/job/escape-{tag}.txt"]), written
    assert succeeded(written[f"/tmp/escape-{tag}.txt"]), written
    outside = {p: o for p, o in written.items() if not p.startswith(("/job/", "/tmp/")) and succeeded(o)}
    assert outside == {}, f"the job wrote outside /job and /tmp: {outside}"
    # From the host: nothing landed anywhere, the host's /tmp (and a data dir under it) included.
    assert out["landed"] == [], f"the job's writes reached the host: {out['landed']}"


# --- The worker's environment ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_sees_none_of_the_workers_environment(
    run_script: Run, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    assert os.environ.get("REDIS_URL")  # the worker holds secrets and its broker's address...
    env: dict[str, str] = run_probe(run_script, language)["env"]
    assert set(env) <= ALLOWED_ENV, f"unexpected variables in the jail: {sorted(set(env) - ALLOWED_ENV)}"
    assert not {"DATABASE_URL", "REDIS_URL", "KILN_SECRET_KEY", "KILN_DATA_DIR"} & set(env)
    secrets = [*CANARIES.values(), os.environ["REDIS_URL"], settings.SECRET_KEY]
    assert [s for s in secrets for value in env.values() if s in value] == []  # ...the job none
    assert env["KILN_JOB_DIR"] == "/job"


# --- Processes ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_sees_only_its_own_processes(run_script: Run, language: str) -> None:
    out = run_probe(run_script, language)
    procs: dict[str, str] = out["procs"]
    if language == "typescript":  # Deno's read fence refuses /proc before the PID namespace matters
        assert procs == {} and out["procs_error"] == "NotCapable"
        return
    assert "1" in procs, procs  # the job is its PID namespace's init...
    host_side = [cmd for cmd in procs.values() if any(w in cmd for w in ("pytest", "nsjail", "celery"))]
    assert host_side == [], f"the job sees the host's processes: {host_side}"
    assert len(procs) <= 5, procs  # ...and none of the host's many others
    if language in ("python3", "go"):  # one process, no helpers
        assert list(procs) == ["1"], procs
    assert out["uid"] == NOBODY


# --- Network -----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_reaches_no_network_not_even_the_platforms_own_services(run_script: Run, language: str) -> None:
    assert host_can_connect(redis_target())  # the worker reaches its Redis...
    out = run_probe(run_script, language, network="none")  # `internet`: tests/jobs/test_network.py
    assert set(out["connect"]) == set(connect_targets())
    connected = {target: outcome for target, outcome in out["connect"].items() if succeeded(outcome)}
    assert connected == {}, f"the job opened connections: {connected}"  # ...the job nothing
    if language == "python3":  # the kernel's own answers: a loopback of its own, no route out
        assert out["connect"][redis_target()] == "ECONNREFUSED"
        assert out["connect"]["1.1.1.1:53"] == "ENETUNREACH"
        assert out["connect"]["169.254.169.254:80"] == "ENETUNREACH"


# --- Seccomp: every jail is filtered, and each denial answers as the policy says ----------


@pytest.mark.parametrize("language", MAKES_RAW_SYSCALLS)
def test_every_jail_runs_under_the_seccomp_filter(run_script: Run, language: str) -> None:
    assert run_probe(run_script, language)["seccomp"] == "2"  # SECCOMP_MODE_FILTER, /proc/self/status


def test_go_gets_eperm_from_each_denied_syscall(run_script: Run) -> None:
    assert run_probe(run_script, "go")["denied"] == {
        "ptrace_attach": "EPERM",
        "unshare": "EPERM",  # without the filter: EINVAL (Go's runtime is multi-threaded)
        "mount": "EPERM",
        "keyctl": "EPERM",  # without the filter: the session keyring's id
        "tiocsti": "EPERM",  # without the filter: ENOTTY (stdin is /dev/null)
    }


def test_bash_cannot_unshare_or_mount(run_script: Run) -> None:
    denied = run_probe(run_script, "bash")["denied"]
    # Without the filter, unshare(2) succeeds and `unshare -r` fails later, writing uid_map.
    assert denied["unshare"] == "unshare: unshare failed: Operation not permitted"
    assert not succeeded(denied["mount"]), denied  # util-linux refuses a non-root user first


# name: (x86_64 number, arguments, errno the filter answers). Wherever the kernel reads the
# arguments before it checks privileges, they make the call do something else without the
# filter (succeed, or fail with EFAULT, EBADF, EINVAL or ENOSYS here), so an EPERM is the
# filter's. pivot_root, reboot, swapon, swapoff, acct, syslog and fsopen check privileges
# first: for them only the filter being on (above) tells. Run unfiltered as root, none
# would do harm: pointers are BAD (EFAULT), flags invalid, file descriptors -1.
PID, BAD = "pid", 1  # PID: the job's own, filled in by the probe; BAD: an unmapped address
DENIED_SYSCALLS: dict[str, tuple[int, list[int | str], str]] = {
    "ptrace": (101, [0, 0, 0, 0], "EPERM"),  # PTRACE_TRACEME: would succeed
    "process_vm_readv": (310, [PID, 0, 0, 0, 0, 0], "EPERM"),  # its own memory: would succeed
    "process_vm_writev": (311, [PID, 0, 0, 0, 0, 0], "EPERM"),
    "kcmp": (312, [PID, PID, 0, 0, 0], "EPERM"),
    "pidfd_getfd": (438, [-1, 0, 0], "EPERM"),
    "process_madvise": (440, [-1, 0, 0, 0, 0], "EPERM"),
    "unshare": (272, [0x10000000], "EPERM"),  # CLONE_NEWUSER: would succeed
    "setns": (308, [-1, 0], "EPERM"),
    "clone with CLONE_NEWUSER": (56, [0x10000000 | 0x200, 0, 0, 0, 0], "EPERM"),  # | CLONE_FS: EINVAL
    "clone3": (435, [0, 0], "ENOSYS"),  # libc falls back to clone, whose flags the filter sees
    "mount": (165, [BAD, BAD, BAD, 0, 0], "EPERM"),
    "umount2": (166, [BAD, 0], "EPERM"),
    "pivot_root": (155, [BAD, BAD], "EPERM"),
    "chroot": (161, [BAD], "EPERM"),
    "open_tree": (428, [-1, BAD, 0], "EPERM"),
    "fsopen": (430, [BAD, 0], "EPERM"),
    "mount_setattr": (442, [-1, BAD, 0, BAD, 0], "EPERM"),
    "open_by_handle_at": (304, [-1, BAD, 0], "EPERM"),
    "name_to_handle_at": (303, [-1, BAD, BAD, BAD, 0], "EPERM"),
    "bpf": (321, [0, 0, 0], "EPERM"),
    "perf_event_open": (298, [BAD, 0, -1, -1, 0], "EPERM"),
    "userfaultfd": (323, [1], "EPERM"),  # UFFD_USER_MODE_ONLY: would succeed
    "keyctl": (250, [0, -3, 0], "EPERM"),  # the session keyring's id: would succeed
    "add_key": (248, [BAD, BAD, 0, 0, 0], "EPERM"),
    "request_key": (249, [BAD, BAD, 0, 0], "EPERM"),
    "syslog": (103, [10, 0, 0], "EPERM"),  # SYSLOG_ACTION_SIZE_BUFFER
    "io_uring_setup": (425, [0, BAD], "ENOSYS"),  # as if the kernel had none: plain I/O instead
    "init_module": (175, [BAD, 0, BAD], "EPERM"),
    "finit_module": (313, [-1, BAD, 0], "EPERM"),
    "delete_module": (176, [BAD, 0], "EPERM"),
    "kexec_load": (246, [0, 0, 0, 0x7FFF0000], "EPERM"),  # an unknown architecture: EINVAL
    "kexec_file_load": (320, [-1, -1, 0, 0, 0x80000000], "EPERM"),  # unknown flags: EINVAL
    "iopl": (172, [0], "EPERM"),
    "ioperm": (173, [0, 0, 0], "EPERM"),
    "reboot": (169, [0, 0, 0, 0], "EPERM"),  # no magic numbers: EINVAL even for root
    "swapon": (167, [BAD, 0], "EPERM"),
    "swapoff": (168, [BAD], "EPERM"),
    "acct": (163, [BAD], "EPERM"),
    "x32 unshare": (0x40000000 + 272, [0x10000000], "EPERM"),  # x32 off: ENOSYS, on: success
    "x32 ptrace": (0x40000000 + 521, [0, 0, 0, 0], "EPERM"),
}

SYSCALL_PROBE = """
import ctypes, errno, os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def main(calls: dict):
    out = {}
    for name, (nr, *args) in calls.items():
        args = [os.getpid() if a == "pid" else a for a in args]
        ctypes.set_errno(0)
        rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
        out[name] = "OK" if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return out
"""


@X86_64
def test_each_denied_syscall_fails_with_the_policys_errno(run_script: Run) -> None:
    calls = {name: [nr, *args] for name, (nr, args, _) in DENIED_SYSCALLS.items()}
    job = run_script(SYSCALL_PROBE, {"calls": calls}, timeout_s=20)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == {name: errno for name, (_, _, errno) in DENIED_SYSCALLS.items()}


TERMINAL_PROBE = """
import ctypes, errno, fcntl, termios

REQUESTS = {"TIOCSTI": termios.TIOCSTI, "TIOCLINUX": 0x541C, "TIOCSTI, high bits set": 0x1_0000_5412}

def main():
    out = {}
    for name, request in REQUESTS.items():
        try:
            fcntl.ioctl(0, request, b"x")
            out[name] = "OK"
        except OSError as exc:
            out[name] = errno.errorcode[exc.errno]
        except OverflowError:  # fcntl.ioctl takes an unsigned int: go through libc
            ctypes.set_errno(0)
            rc = ctypes.CDLL(None, use_errno=True).ioctl(0, ctypes.c_ulong(request), b"x")
            out[name] = "OK" if rc == 0 else errno.errorcode[ctypes.get_errno()]
    try:
        termios.tcgetattr(0)  # any other ioctl still reaches the kernel
        out["TCGETS"] = "OK"
    except termios.error as exc:
        out["TCGETS"] = errno.errorcode[exc.args[0]]
    return out
"""


def test_terminal_injection_ioctls_are_refused_and_other_ioctls_are_not(run_script: Run) -> None:
    job = run_script(TERMINAL_PROBE)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    # stdin is /dev/null: without the filter the kernel says ENOTTY to all of them.
    assert job.result == {
        "TIOCSTI": "EPERM",
        "TIOCLINUX": "EPERM",
        "TIOCSTI, high bits set": "EPERM",  # the kernel and the filter read only the low 32 bits
        "TCGETS": "ENOTTY",  # the kernel's own answer: the filter let it through
    }


I386_PROBE = """
import ctypes, mmap, os, signal

# mov eax, 26 (ptrace in the i386 table; 101 is x86_64's) / xor ebx, ebx (PTRACE_TRACEME)
# / int 0x80 / ret: the 32-bit system call entry, open to any x86_64 process.
CODE = bytes.fromhex("b81a000000" "31db" "cd80" "c3")

def main():
    pid = os.fork()
    if pid == 0:  # in a child: this one is meant to die
        page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        page.write(CODE)
        rc = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()
        os._exit(0 if rc == 0 else 1)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return signal.Signals(os.WTERMSIG(status)).name
    return f"exit {os.WEXITSTATUS(status)}"
"""


@X86_64
def test_a_32_bit_system_call_is_killed_rather_than_judged_by_the_64_bit_table(run_script: Run) -> None:
    job = run_script(I386_PROBE, timeout_s=20)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == "SIGSYS"  # without the filter: "exit 0", i386 ptrace(TRACEME) worked


# --- Two jobs at once --------------------------------------------------------------------

NEIGHBOUR_PROBE = """
import errno, os, time

def attempt(action):
    try:
        return "OK " + str(action())[:80]
    except OSError as exc:
        return errno.errorcode.get(exc.errno, type(exc).__name__)

def main(me: str, neighbour_dir: str, jobs_dir: str, hold_s: float):
    started = time.time()
    with open("/job/secret.txt", "w") as fh:
        fh.write(me)
    time.sleep(hold_s)  # the neighbour runs now: its secret is on the host
    return {
        "started": started,
        "own_secret": open("/job/secret.txt").read(),
        "neighbour_secret": attempt(lambda: open(os.path.join(neighbour_dir, "secret.txt")).read()),
        "neighbour_dir": attempt(lambda: os.listdir(neighbour_dir)),
        "jobs_dir": attempt(lambda: os.listdir(jobs_dir)),
        "procs": sorted(p for p in os.listdir("/proc") if p.isdigit()),
        "ended": time.time(),
    }
"""


def _run_in_thread(job_id: str) -> Job | None:
    try:
        return JobRunner(job_id).run()
    finally:
        connection.close()  # each thread has its own connection: leave none open


@pytest.mark.django_db(transaction=True)  # the runner's threads must see the committed jobs
def test_two_jobs_at_once_see_neither_each_others_files_nor_processes(
    sandbox_available: None, workspace: Workspace, owner: User
) -> None:
    version = script_save(
        workspace=workspace, user=owner, path="u/ada/neighbour", language="python3", content=NEIGHBOUR_PROBE
    ).version
    jobs_dir = str(settings.KILN_JOBS_DIR)
    jobs = [
        job_create(
            workspace=workspace,
            user=owner,
            version=version,
            args={"me": f"job {me}", "neighbour_dir": "", "jobs_dir": jobs_dir, "hold_s": 3},
        )
        for me in range(2)
    ]
    dirs = [Path(jobs_dir) / f"{job.id}-1" for job in jobs]  # the runner's layout: <id>-<attempt>
    for me, neighbour in ((0, 1), (1, 0)):  # each is told where the other's files are on the host
        args = {**jobs[me].args, "neighbour_dir": str(dirs[neighbour])}
        Job.objects.filter(pk=jobs[me].pk).update(args=args, timeout_s=60)

    with ThreadPoolExecutor(2) as pool:
        running = [pool.submit(_run_in_thread, str(job.id)) for job in jobs]
        # From the host, both secrets exist at the same moment: there was something to see.
        deadline = time.monotonic() + 30
        while not all((d / "secret.txt").exists() for d in dirs) and time.monotonic() < deadline:
            time.sleep(0.05)
        both_on_host = all((d / "secret.txt").exists() for d in dirs)
        finished = [future.result(timeout=90) for future in running]
    assert both_on_host, "the two jobs did not run at the same time"

    results: list[dict[str, Any]] = []
    for job in finished:
        assert job is not None and job.status == JobStatus.SUCCESS, job and (job.error, job_logs(job=job))
        assert isinstance(job.result, dict), job.result
        results.append(job.result)
    first, second = results
    assert first["started"] < second["ended"] and second["started"] < first["ended"]  # they overlapped
    for me, result in enumerate(results):
        assert result["own_secret"] == f"job {me}"
        assert not succeeded(result["neighbour_secret"]), result
        assert not succeeded(result["neighbour_dir"]), result
        assert not succeeded(result["jobs_dir"]), result
        assert result["procs"] == ["1"], result  # its own process only, never the neighbour's
