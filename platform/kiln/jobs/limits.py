"""A job's resource limits: the platform's defaults, a script's own, a workspace's maximums.

A script may set any limit (its `settings.limits`); what it leaves out takes the
platform default (`KILN_JOB_*`). A workspace has a maximum for each limit, set by
its admins; saving a script that asks for more is refused (400), and a job whose
script asks for more than a since-lowered maximum runs at the maximum and says so
in its log. The effective limits are copied onto the job when it is created, so a
later change never alters a queued or running job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class JobLimits:
    timeout_s: int  # wall clock; past it the job ends `timeout` and its jail is killed
    cpu_s: int  # CPU seconds (RLIMIT_CPU)
    memory_mb: int  # memory cgroup (else address-space rlimit)
    max_processes: int  # pids cgroup and RLIMIT_NPROC
    file_size_mb: int  # largest file the job may write (RLIMIT_FSIZE)
    tmpfs_mb: int  # size of the jail's /tmp
    open_files: int  # RLIMIT_NOFILE
    log_bytes: int  # log kept per job; past it the rest is counted, then the job is killed if it floods

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobLimits:
        """The limits stored on a job; a missing key (a row from before a limit existed) is the default."""
        default = platform_defaults()
        return cls(**{f.name: int(data.get(f.name, getattr(default, f.name))) for f in fields(cls)})


LIMIT_NAMES: tuple[str, ...] = tuple(f.name for f in fields(JobLimits))

# (smallest allowed, built-in workspace maximum) per limit. The maximum is what a workspace
# allows until its admins change it; it is not a hard ceiling of the platform.
BOUNDS: dict[str, tuple[int, int]] = {
    "timeout_s": (1, 24 * 3600),
    "cpu_s": (1, 24 * 3600),
    "memory_mb": (16, 16 * 1024),
    "max_processes": (4, 4096),
    "file_size_mb": (1, 10 * 1024),
    "tmpfs_mb": (1, 4096),
    "open_files": (16, 65536),
    "log_bytes": (1024, 64 * 1024 * 1024),
}


def platform_defaults() -> JobLimits:
    timeout = settings.KILN_JOB_TIMEOUT
    return JobLimits(
        timeout_s=timeout,
        cpu_s=timeout,
        memory_mb=settings.KILN_JOB_MEMORY_MB,
        max_processes=settings.KILN_JOB_MAX_PROCESSES,
        file_size_mb=256,
        tmpfs_mb=256,
        open_files=256,
        log_bytes=settings.KILN_JOB_LOG_LIMIT,
    )


def workspace_maximums(configured: dict[str, Any] | None) -> dict[str, int]:
    """A workspace's maximum per limit: what its admins set, else the built-in maximum."""
    configured = configured or {}
    return {name: int(configured.get(name) or BOUNDS[name][1]) for name in LIMIT_NAMES}


def check_within(requested: dict[str, Any], maximums: dict[str, int]) -> list[tuple[str, str]]:
    """(limit, what is wrong) for each limit below its minimum or above the workspace's maximum."""
    problems = []
    for name, value in requested.items():
        if value is None:
            continue
        low = BOUNDS[name][0]
        if value < low:
            problems.append((name, f"limits.{name} must be at least {low} (got {value})"))
        elif value > maximums[name]:
            problems.append(
                (name, f"limits.{name} is {value}, above this workspace's maximum of {maximums[name]}")
            )
    return problems


def effective(requested: dict[str, Any] | None, maximums: dict[str, int]) -> tuple[JobLimits, list[str]]:
    """The limits a job runs with, and a note for each one lowered to the workspace's maximum.

    A limit the script leaves out is the platform default, itself capped by the maximum.
    `cpu_s` left out follows the (effective) wall-clock timeout.
    """
    requested = {k: v for k, v in (requested or {}).items() if v is not None}
    default = platform_defaults().as_dict()
    values: dict[str, int] = {}
    notes: list[str] = []
    for name in LIMIT_NAMES:
        want = int(requested.get(name, default[name]))
        if name == "cpu_s" and "cpu_s" not in requested:
            want = values["timeout_s"]
        cap = maximums[name]
        if want > cap:
            if name in requested:
                notes.append(f"{name} lowered from {want} to the workspace maximum {cap}")
            want = cap
        values[name] = want
    return JobLimits(**values), notes


def job_limits(job: Any) -> JobLimits:
    """A job's limits as stored on its row; its timeout is the row's `timeout_s`."""
    return replace(JobLimits.from_dict(job.limits), timeout_s=job.timeout_s)
