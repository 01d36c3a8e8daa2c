"""How a script's jobs run: limits, network, retry, tag, priority, concurrency.

Stored on the Script (per path, not per version) and copied onto each job when it is
created. Validated here, so the API and any future importer (git sync) agree.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from kiln.errors import BadRequest
from kiln.jobs.limits import check_within, workspace_maximums

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
# `$args[name]` in a concurrency key is replaced by that argument's value (JSON for non-strings).
ARG_REF_RE = re.compile(r"\$args\[([A-Za-z_][A-Za-z0-9_]*)\]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LimitsSettings(Strict):
    """Each limit may be left out: the platform default (KILN_JOB_*) applies."""

    timeout_s: int | None = Field(None, description="Wall-clock limit, seconds; then status `timeout`")
    cpu_s: int | None = Field(None, description="CPU seconds (default: the timeout)")
    memory_mb: int | None = Field(None, description="Memory, MB; past it: 'memory limit exceeded'")
    max_processes: int | None = Field(None, description="Processes and threads at once")
    file_size_mb: int | None = Field(None, description="Largest file the job may write, MB")
    tmpfs_mb: int | None = Field(None, description="Size of the job's /tmp, MB")
    open_files: int | None = Field(None, description="Open files at once")
    log_bytes: int | None = Field(None, description="Log bytes kept; past it the rest is dropped")


class RetryConstant(Strict):
    attempts: int = Field(ge=0, le=100, description="Retries after the first run")
    seconds: float = Field(0, ge=0, le=86400, description="Delay before each retry")


class RetryExponential(Strict):
    """Delay of the n-th exponential retry: multiplier × seconds^n, capped at max_seconds,
    then moved by up to ±random_factor percent (jitter)."""

    attempts: int = Field(ge=0, le=100, description="Retries after the constant ones")
    multiplier: float = Field(1, ge=0, le=1000)
    seconds: float = Field(2, ge=0, le=3600, description="Base of the exponent")
    random_factor: int = Field(0, ge=0, le=100, description="Jitter, percent")
    max_seconds: float = Field(3600, ge=0, le=86400, description="Cap on one delay")


class RetrySettings(Strict):
    """Windmill's `retry` object: constant retries first, then exponential ones."""

    constant: RetryConstant | None = None
    exponential: RetryExponential | None = None


class ConcurrencySettings(Strict):
    limit: int = Field(ge=1, le=10000, description="Jobs of this script (or key) running at once")
    key: str | None = Field(
        None,
        max_length=200,
        description="Share the limit by key, e.g. `customer-$args[customer_id]`; "
        "default: one limit per script path. Keys are per workspace.",
    )


class ScriptSettings(Strict):
    limits: LimitsSettings = Field(default_factory=lambda: LimitsSettings.model_validate({}))
    network: Literal["none", "internet"] | None = Field(
        None, description="None: the workspace's default network"
    )
    retry: RetrySettings | None = None
    tag: str | None = Field(None, description="Worker tag (queue); default: the language's tag")
    priority: int = Field(0, ge=0, le=100, description="Higher runs first within a tag")
    warm: bool = Field(
        False,
        description="Keep warm runners: each worker process pre-starts a sandbox for the latest "
        "version that takes its jobs without starting an interpreter (Python)",
    )
    concurrency: ConcurrencySettings | None = None
    run_as: str | None = Field(
        None,
        pattern=r"^g/[a-z0-9_][a-z0-9_-]{0,63}$",
        description="`g/<group>`: jobs get that group's access; default: the author of the version that runs",
    )


class WorkspaceSettings(Strict):
    default_network: Literal["none", "internet"] = "internet"
    max_limits: LimitsSettings = Field(default_factory=lambda: LimitsSettings.model_validate({}))


def _parse(model: type[Strict], data: Any, what: str) -> Any:
    try:
        return model.model_validate(data or {})
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise BadRequest(
            f"invalid {what}: {field}: {first['msg']}",
            {"field": f"{what}.{field}" if field else what, "errors": exc.errors(include_url=False)[:10]},
        ) from None


def workspace_settings(data: dict[str, Any] | None) -> WorkspaceSettings:
    return WorkspaceSettings.model_validate(data or {})


def validate_workspace_settings(data: Any) -> dict[str, Any]:
    parsed: WorkspaceSettings = _parse(WorkspaceSettings, data, "settings")
    low = [name for name, v in parsed.max_limits if v is not None and v < 1]
    if low:
        problems = [f"max_limits.{name} must be at least 1" for name in low]
        raise BadRequest(problems[0], {"field": f"settings.max_limits.{low[0]}", "problems": problems})
    return parsed.model_dump(exclude_none=True)


def validate_script_settings(data: Any, *, workspace_settings_data: dict[str, Any] | None) -> dict[str, Any]:
    """The settings as stored, or a 400 naming the first bad field (limits above the workspace's
    maximum included)."""
    parsed: ScriptSettings = _parse(ScriptSettings, data, "settings")
    if parsed.tag is not None and not TAG_RE.match(parsed.tag):
        raise BadRequest(
            f"invalid settings: tag '{parsed.tag}' (lowercase letters, digits, _ and -)",
            {"field": "settings.tag"},
        )
    ws = workspace_settings(workspace_settings_data)
    maximums = workspace_maximums(ws.max_limits.model_dump())
    problems = check_within(parsed.limits.model_dump(), maximums)
    if problems:
        name, first = problems[0]
        detail = {"field": f"settings.limits.{name}", "problems": [text for _, text in problems]}
        raise BadRequest(f"invalid settings: {first}", detail)
    return parsed.model_dump(exclude_none=True, exclude_defaults=False)


def concurrency_key(*, workspace_id: str, path: str, template: str | None, args: dict[str, Any]) -> str:
    """The key a job's concurrency limit counts: per workspace, by script path unless a template says."""
    if not template:
        return f"{workspace_id}:{path}"

    def value(match: re.Match[str]) -> str:
        arg = args.get(match.group(1))
        return arg if isinstance(arg, str) else json.dumps(arg, sort_keys=True)

    return f"{workspace_id}:{ARG_REF_RE.sub(value, template)}"[:255]
