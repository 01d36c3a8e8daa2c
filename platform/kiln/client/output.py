"""How the client commands print: JSON for scripts, rich tables for people."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

STATUS_STYLE = {
    "success": "green",
    "failure": "red",
    "crashed": "red",
    "timeout": "red",
    "canceled": "yellow",
    "running": "cyan",
    "queued": "dim",
}


def console() -> Console:
    """Rich on stdout; piped (to grep, a CI log), rows are never wrapped to 80 columns."""
    out = Console()
    return out if out.is_terminal else Console(width=10_000, no_color=True)


def print_json(value: Any) -> None:
    # Plain print, not rich: the output is for `jq` and scripts, so no colour codes, ever.
    print(json.dumps(value, indent=2, ensure_ascii=False))


def print_facts(facts: dict[str, str]) -> None:
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        print(f"{key:<{width}}  {value}")


def print_workspaces(mine: list[dict[str, Any]], *, current: str) -> None:
    table = Table(box=None)
    for column in ("", "workspace", "name", "role"):
        table.add_column(column)
    for w in mine:
        table.add_row("*" if w["id"] == current else "", w["id"], w["name"], w["role"])
    console().print(table)


def when(text: str | None) -> str:
    """An API timestamp in local time, to the second."""
    if not text:
        return ""
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def duration(ms: int | None) -> str:
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms // 60_000} min {ms % 60_000 // 1000} s"


def print_jobs(items: list[dict[str, Any]]) -> None:
    table = Table(box=None)
    for column in ("id", "path", "status", "created", "duration"):
        table.add_column(column, no_wrap=column == "id")
    for job in items:
        status = job["status"]
        table.add_row(
            job["id"],
            job["script_path"],
            f"[{STATUS_STYLE.get(status, '')}]{status}[/]" if status in STATUS_STYLE else status,
            when(job["created_at"]),
            duration(job["duration_ms"]),
        )
    console().print(table)
