"""Client commands: `kiln login`, `whoami`, `workspace`, `run`, `jobs`, `dev`.

They talk to a Kiln server over its HTTP API with a personal token (kiln/client/api.py) and
never import Django: they run on a laptop or a CI runner where only the package is installed.
Log text goes to stderr and results to stdout, so `kiln run x > out.json` keeps just the result.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
from pathlib import Path
from typing import Any, TextIO

import click

from kiln.client import api as client_api
from kiln.client import output
from kiln.client.api import Api, ApiError, Profile
from kiln.client.follow import follow, print_logs
from scripts_runtime.arg_text import from_text

TOKEN_HELP = (
    "Create a token in the studio (your menu > API tokens), or on the server with "
    "`kiln token create --user <email>`."
)


def quoted(path: str) -> str:
    """A script or flow path inside a URL: its slashes stay, anything else odd is escaped."""
    return urllib.parse.quote(path, safe="/")


def my_workspaces(api: Api) -> list[dict[str, Any]]:
    return list(api.get("/api/workspaces"))


def choose_workspace(asked: str | None, mine: list[dict[str, Any]]) -> dict[str, Any]:
    """The asked workspace (one of mine), else `main` if I am in it, else my first."""
    by_id = {w["id"]: w for w in mine}
    if asked is not None:
        if asked not in by_id:
            raise click.ClickException(not_mine(asked, mine))
        return by_id[asked]
    if not mine:
        raise click.ClickException("this user is a member of no workspace: ask an admin to add you")
    return by_id.get(client_api.DEFAULT_WORKSPACE, mine[0])


def not_mine(asked: str, mine: list[dict[str, Any]]) -> str:
    names = ", ".join(w["id"] for w in mine) or "none"
    return f"you are not a member of workspace {asked!r}; yours: {names}"


@click.command()
@click.argument("url")
@click.option("--token", help="A personal API token (asked for, hidden, when left out).")
@click.option("--workspace", "-w", help="The workspace to use (default: main, else your first).")
def login(url: str, token: str | None, workspace: str | None) -> None:
    """Log in to the Kiln server at URL with an API token, and save it for the next commands.

    The token is checked against the server first: nothing is saved unless it works."""
    if not urllib.parse.urlsplit(url).scheme:
        url = "https://" + url
    if not token:
        click.echo(TOKEN_HELP, err=True)
        token = click.prompt("API token", hide_input=True).strip()
    api = Api(Profile(url=url.rstrip("/"), token=token or ""))
    me = api.get("/api/auth/me")
    chosen = choose_workspace(workspace, me["workspaces"])
    path = client_api.save(Profile(url=api.base, token=api.profile.token, workspace=chosen["id"]))
    click.echo(f"logged in to {api.base} as {me['email']}, workspace {chosen['id']} ({chosen['role']})")
    click.echo(f"saved to {path}", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
def whoami(as_json: bool) -> None:
    """The server, your user, and the current workspace with your role in it."""
    api = Api(client_api.load())
    me = api.get("/api/auth/me")
    role = next((w["role"] for w in me["workspaces"] if w["id"] == api.profile.workspace), None)
    facts = {
        "url": api.base,
        "email": me["email"],
        "name": me["name"],
        "superuser": me["is_admin"],
        "workspace": api.profile.workspace,
        "role": role,
    }
    if as_json:
        output.print_json(facts)
        return
    output.print_facts(
        {
            "server": api.base,
            "user": me["email"] + (" (superuser)" if me["is_admin"] else ""),
            "workspace": f"{api.profile.workspace} ({role or 'not a member'})",
        }
    )


@click.group()
def workspace() -> None:
    """The workspace the commands work in."""


@workspace.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
def workspace_list(as_json: bool) -> None:
    """Your workspaces and your role in each; * marks the current one."""
    api = Api(client_api.load())
    mine = my_workspaces(api)
    if as_json:
        output.print_json(mine)
        return
    output.print_workspaces(mine, current=api.profile.workspace)


@workspace.command("use")
@click.argument("name")
def workspace_use(name: str) -> None:
    """Make NAME (one of your workspaces) the current one, in the config file."""
    api = Api(client_api.load())
    chosen = choose_workspace(name, my_workspaces(api))
    saved = client_api.load(env=False)
    if not saved.url:
        raise click.ClickException(
            "no config file to change (KILN_URL and KILN_TOKEN log you in): set KILN_WORKSPACE instead"
        )
    saved.workspace = chosen["id"]
    client_api.save(saved)
    click.echo(f"workspace {chosen['id']} ({chosen['role']})")
    if os.environ.get("KILN_WORKSPACE"):
        click.echo("note: KILN_WORKSPACE is set, and it wins over the config file", err=True)


def arguments(pairs: tuple[str, ...], json_file: TextIO | None, schema: dict[str, Any]) -> dict[str, Any]:
    """The job's arguments: the JSON file's object, then each `-a key=value` over it."""
    args: dict[str, Any] = {}
    if json_file is not None:
        try:
            loaded = json.load(json_file)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--json") from None
        if not isinstance(loaded, dict):
            raise click.BadParameter("must hold a JSON object of arguments", param_hint="--json")
        args.update(loaded)
    properties = (schema.get("properties") or {}) if isinstance(schema, dict) else {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="-a")
        prop = properties.get(key)
        args[key] = from_text(text, prop if isinstance(prop, dict) else {})
    return args


ARGS_OPTIONS = [
    click.option(
        "--arg", "-a", "pairs", multiple=True, metavar="KEY=VALUE", help="An argument (repeatable)."
    ),
    click.option(
        "--json",
        "json_file",
        type=click.File("r"),
        help="A JSON file holding the arguments object (- for stdin); -a overrides its keys.",
    ),
]


def with_args_options(command: Any) -> Any:
    for option in reversed(ARGS_OPTIONS):
        command = option(command)
    return command


def run_target(api: Api, path: str) -> tuple[str, dict[str, Any]]:
    """Whether PATH is a script or a flow ('p' or 'f', as in the run URLs), and its schema.

    Operators may run apps but not read scripts: when reading is refused, the script is run
    without its schema (`-a` values are then read as JSON where they parse) and the run
    endpoint has the last word."""
    refused = False
    for kind, listing in (("p", "/scripts/p/"), ("f", "/flows/p/")):
        try:
            found = api.get(api.ws(listing + quoted(path)))
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
            refused = refused or exc.status == 403
            continue
        return kind, found.get("schema") or {}
    if refused:
        return "p", {}
    raise click.ClickException(
        f"no script or flow at {path!r} in workspace {api.profile.workspace!r} (or you may not see it)"
    )


@click.command()
@click.argument("path")
@with_args_options
def run(path: str, pairs: tuple[str, ...], json_file: TextIO | None) -> None:
    """Run the script at PATH (or the flow, if there is no script there) and follow it.

    Its log is printed to stderr as it comes, its result as JSON to stdout. Exit code: 0 when
    it succeeds, 1 when it fails (or times out, crashes, is canceled), 130 on Ctrl-C (the job
    goes on)."""
    api = Api(client_api.load())
    kind, schema = run_target(api, path)
    args = arguments(pairs, json_file, schema)
    job_id = api.post(api.ws(f"/jobs/run/{kind}/{quoted(path)}"), args)["id"]
    sys.exit(follow(api, job_id))


def language_of(file: Path, asked: str | None) -> str:
    """The asked language, else the one language using the file's extension (.sql is
    postgresql or sqlite: --language says which). The registry is read here, not at import:
    it loads every language module, which only `dev` needs."""
    from scripts_runtime import registry

    names = sorted(registry.LANGUAGES)
    if asked is not None:
        try:
            return registry.canonical(asked)
        except registry.UnknownLanguage:
            raise click.BadParameter(
                f"unknown language {asked!r}; known: {', '.join(names)}", param_hint="--language"
            ) from None
    ext = file.suffix.lstrip(".")
    matching = [name for name, lang in registry.LANGUAGES.items() if getattr(lang, "extension", None) == ext]
    if len(matching) == 1:
        return matching[0]
    if matching:
        raise click.UsageError(
            f"a .{ext} file may be {' or '.join(sorted(matching))}: say which with --language"
        )
    raise click.UsageError(
        f"no language for a .{ext or '(none)'} file: say which with --language ({', '.join(names)})"
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_args_options
@click.option("--language", "-l", help="The file's language (default: from its extension).")
def dev(file: Path, pairs: tuple[str, ...], json_file: TextIO | None, language: str | None) -> None:
    """Run a local FILE on the server without saving it (as the editor's test run does),
    and follow it as `kiln run` does. It runs as you, filed under u/<you>/preview."""
    api = Api(client_api.load())
    language = language_of(file, language)
    content = file.read_text()
    inferred = api.post(api.ws("/scripts/infer_schema"), {"language": language, "content": content})
    args = arguments(pairs, json_file, inferred.get("schema") or {})
    body = {"language": language, "content": content, "args": args}
    job_id = api.post(api.ws("/jobs/run/preview"), body)["id"]
    sys.exit(follow(api, job_id))


@click.group()
def jobs() -> None:
    """Jobs of the current workspace: list them, read or follow their logs, cancel them."""


@jobs.command("list")
@click.option("--path", help="Only the jobs of this script or flow path.")
@click.option("--status", help="Only jobs in this status (or several, comma-separated).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
def jobs_list(path: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """The newest jobs, newest first."""
    api = Api(client_api.load())
    items = api.get(api.ws("/jobs"), path=path, status=status, limit=limit)["items"]
    if as_json:
        output.print_json(items)
        return
    output.print_jobs(items)


@jobs.command("logs")
@click.argument("job_id")
@click.option("--follow", "-f", "following", is_flag=True, help="Follow it until the job ends.")
def jobs_logs(job_id: str, following: bool) -> None:
    """Print a job's log. With -f, follow it until the job ends; the exit code then says how
    it ended (0 success, 1 anything else), as `kiln run`'s does."""
    api = Api(client_api.load())
    if not following:
        print_logs(api, job_id, sys.stdout)
        return
    sys.exit(follow(api, job_id, sys.stdout, result_to_stdout=False))


@jobs.command("cancel")
@click.argument("job_id")
def jobs_cancel(job_id: str) -> None:
    """Cancel a job: a queued one at once, a running one within about a second."""
    api = Api(client_api.load())
    job = api.post(api.ws(f"/jobs/{job_id}/cancel"))
    if job["status"] == "canceled":
        click.echo(f"job {job['id']} canceled")
    else:  # a running job is told to stop; its worker ends it
        click.echo(f"job {job['id']}: cancel asked, it stops within about a second")


COMMANDS: list[click.Command] = [login, whoami, workspace, run, jobs, dev]
