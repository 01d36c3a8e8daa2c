"""`kiln sync pull` / `kiln sync push`: a workspace as files in a git repository, deployed from CI.

Pull writes each object as files (sync_files.py has the format); push reads them back, has
everything checked before it changes anything, shows what would change, and applies only that.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.syntax import Syntax

from kiln.client.api import Api, ApiError, load
from kiln.client.sync_files import KINDS, Obj, owned_files, read_local, render
from kiln.client.sync_server import Key, Server

workspace_option = click.option(
    "--workspace", "-w", default=None, help="The workspace (default: KILN_WORKSPACE or your profile's)."
)


def server_for(workspace: str | None) -> Server:
    profile = load()
    if workspace:
        profile.workspace = workspace
    return Server(Api(profile))


def _order(key: Key) -> tuple[int, str]:
    return KINDS.index(key[0]), key[1]


@click.group()
def sync() -> None:
    """A workspace as files in a directory (git), and back."""


@sync.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@workspace_option
def pull(directory: Path, workspace: str | None) -> None:
    """Write the workspace's scripts, flows, schedules, variables (never a secret's value),
    resources and resource types as files under DIRECTORY. Files sync does not own (a README,
    .github ...) are left alone; its own files of objects the server no longer has are removed."""
    server = server_for(workspace)
    wanted: dict[str, str] = {}
    for _, obj in sorted(server.read().items(), key=lambda item: _order(item[0])):
        wanted.update(render(obj))
    directory.mkdir(parents=True, exist_ok=True)
    written = removed = 0
    for rel, text in wanted.items():
        target = directory / rel
        if target.is_file() and target.read_text() == text:
            continue  # untouched files keep their mtime: `git status` shows only real changes
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        written += 1
    for rel in owned_files(directory):
        if rel not in wanted:
            (directory / rel).unlink()
            _remove_empty_parents(directory, (directory / rel).parent)
            removed += 1
    click.echo(
        f"pulled {server.api.profile.workspace}: {len(wanted)} files, {written} written, {removed} removed"
    )


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


@sync.command()
@click.argument("directory", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@workspace_option
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (CI).")
@click.option("--delete", is_flag=True, help="Also delete what the server has and the files do not.")
@click.option("--json", "as_json", is_flag=True, help="Print the change set as JSON.")
def push(
    directory: Path, workspace: str | None, dry_run: bool, yes: bool, delete: bool, as_json: bool
) -> None:
    """Deploy the files under DIRECTORY to the workspace: check everything first (nothing is applied
    if anything is wrong), show the changes, then apply only the changed objects. A secret keeps its
    value on the server; a new one takes it from KILN_SECRET_<PATH> (e.g. f/app/token ->
    KILN_SECRET_F_APP_TOKEN). Nothing is deleted without --delete."""
    # soft_wrap: a CI log keeps each error and diff line whole, whatever width it thinks it has.
    out = Console(stderr=as_json, highlight=False, soft_wrap=True)
    server = server_for(workspace)
    local = read_local(directory)
    remote = server.read()
    errors = local.errors + server.check(local.objects, remote)
    if errors:
        for line in errors:
            out.print(line, markup=False, style="red")
        raise click.ClickException(f"{len(errors)} problem(s) found: nothing was applied")

    changes = diff(local.objects, remote)
    for change in changes:
        _show(out, change)
    removed = [c for c in changes if c["action"] == "remove"]
    todo = [c for c in changes if c["action"] != "remove" or delete]
    if not changes:
        out.print(f"{server.api.profile.workspace}: up to date")
    elif removed and not delete:
        out.print(f"{len(removed)} object(s) only on the server: left in place (--delete removes them)")

    if todo and dry_run:
        out.print(f"dry run: {len(todo)} change(s) not applied")
    applied: list[dict[str, Any]] = []
    if todo and not dry_run:
        if not yes:
            if not sys.stdin.isatty():
                raise click.ClickException(
                    "not applying without confirmation: pass --yes (no terminal to ask)"
                )
            click.confirm(f"Apply {len(todo)} change(s) to {server.api.profile.workspace}?", abort=True)
        applied = _apply(server, todo, local.objects, remote, out)
    if as_json:
        report = {
            "workspace": server.api.profile.workspace,
            "dry_run": dry_run,
            "changes": [{k: c[k] for k in ("kind", "key", "action")} for c in changes],
            "applied": [{k: c[k] for k in ("kind", "key", "action", "result")} for c in applied],
        }
        click.echo(json.dumps(report, indent=2))


def diff(local: dict[Key, Obj], remote: dict[Key, Obj]) -> list[dict[str, Any]]:
    """Added, modified and removed objects, in apply order, each with the diff of its files."""
    changes = []
    for key in sorted(set(local) | set(remote), key=_order):
        mine, theirs = local.get(key), remote.get(key)
        if mine is not None and theirs is not None and mine.data == theirs.data:
            continue
        action = "add" if theirs is None else "remove" if mine is None else "modify"
        old = render(theirs) if theirs is not None else {}
        new = render(mine) if mine is not None else {}
        lines: list[str] = []
        for rel in sorted(set(old) | set(new)):
            lines += difflib.unified_diff(
                old.get(rel, "").splitlines(keepends=True),
                new.get(rel, "").splitlines(keepends=True),
                fromfile=f"server/{rel}" if rel in old else "/dev/null",
                tofile=f"files/{rel}" if rel in new else "/dev/null",
            )
        changes.append({"kind": key[0], "key": key[1], "action": action, "diff": "".join(lines)})
    return changes


SIGN = {"add": ("+", "green"), "modify": ("~", "yellow"), "remove": ("-", "red")}


def _show(out: Console, change: dict[str, Any]) -> None:
    sign, color = SIGN[change["action"]]
    out.print(f"[{color}]{sign} {change['kind']} {change['key']}[/] ({change['action']})")
    if change["diff"]:
        out.print(Syntax(change["diff"].rstrip("\n"), "diff", theme="ansi_dark", background_color="default"))


def _apply(
    server: Server, todo: list[dict[str, Any]], local: dict[Key, Obj], remote: dict[Key, Obj], out: Console
) -> list[dict[str, Any]]:
    """Every change as one batch of API writes, in dependency order (deletions last, in reverse):
    the server applies all of them in one transaction, or none if it refuses any."""
    adds = [c for c in todo if c["action"] != "remove"]
    removes = sorted(
        (c for c in todo if c["action"] == "remove"),
        key=lambda c: _order((c["kind"], c["key"])),
        reverse=True,
    )
    operations: list[dict[str, Any]] = []
    owner: list[int] = []  # operation -> its change in `ordered`
    ordered = adds + removes
    for i, change in enumerate(ordered):
        key = (change["kind"], change["key"])
        if change["action"] == "remove":
            ops = server.delete_operations(remote[key])
        else:
            ops = server.operations(local[key], remote.get(key))
        operations += ops
        owner += [i] * len(ops)
    try:
        server.batch(operations)
    except ApiError as exc:
        index = exc.detail.get("index") if isinstance(exc.detail, dict) else None
        if isinstance(index, int) and 0 <= index < len(owner):
            change = ordered[owner[index]]
            error = exc.detail.get("error") if isinstance(exc.detail, dict) else None
            said = error.get("message") if isinstance(error, dict) else exc.message
            raise ApiError(
                exc.status, f"{change['kind']} {change['key']}: {said}; nothing was applied", exc.detail
            ) from None
        raise
    done: list[dict[str, Any]] = []
    for change in ordered:
        result = {"add": "added", "modify": "updated", "remove": "deleted"}[change["action"]]
        out.print(f"{change['kind']} {change['key']}: {result}")
        done.append({**change, "result": result})
    return done
