"""The `kiln` command. `kiln up` runs the whole platform on one machine."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any

import click

from kiln import config

ENV_HELP = "\b\nSettings (environment variables):\n" + "\n".join(
    f"  {name:<24} {text}" for name, text in config.ENV_DOC
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    import django

    django.setup()


class Commands(click.Group):
    """The server's commands, and the client's (kiln/client/), imported only when run: the
    client's bring rich and YAML, which `kiln ready` (a health check run every few seconds)
    and `kiln worker` do not need."""

    LAZY = {
        "login": "kiln.client.commands:login",
        "whoami": "kiln.client.commands:whoami",
        "workspace": "kiln.client.commands:workspace",
        "run": "kiln.client.commands:run",
        "jobs": "kiln.client.commands:jobs",
        "dev": "kiln.client.commands:dev",
        "sync": "kiln.client.sync:sync",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            import importlib

            module, attr = self.LAZY[name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
        return super().get_command(ctx, name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]}, epilog=ENV_HELP)
def main() -> None:
    """Kiln: turn scripts into internal tools."""


@main.command(epilog=ENV_HELP)
@click.option(
    "--port",
    type=int,
    envvar="KILN_PORT",
    default=8000,
    show_default=True,
    help="Port of the web server (KILN_PORT).",
)
@click.option(
    "--host",
    envvar="KILN_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address the web server binds to (KILN_HOST).",
)
def up(port: int, host: str) -> None:
    """Start everything: database migrations, Redis (embedded Valkey unless REDIS_URL
    is set), the web server, a worker and the scheduler. Ctrl-C stops it all."""
    from kiln.supervisor import run_platform

    sys.exit(run_platform(host=host, port=port))


@main.command()
@click.option("--port", type=int, envvar="KILN_PORT", default=8000, show_default=True)
@click.option("--host", envvar="KILN_HOST", default="127.0.0.1", show_default=True)
@click.option(
    "--migrate/--no-migrate",
    default=False,
    help="Apply migrations (and create the first admin on a new database) before serving.",
)
def web(port: int, host: str, migrate: bool) -> None:
    """The ASGI web server: API, websockets and the built front end."""
    import uvicorn

    if migrate:
        from kiln.supervisor import prepare

        login, _ = prepare()
        click.echo(f"kiln: {login}")
    redact_tokens_in_logs()
    from kiln import config
    from kiln.operations import shutdown

    class Server(uvicorn.Server):
        """uvicorn's server, which also tells the requests in flight that it stops (sync
        runs answer 202 at once: kiln/operations/shutdown.py)."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            shutdown.begin()
            super().handle_exit(sig, frame)

    Server(
        uvicorn.Config(
            "kiln.asgi:application",
            host=host,
            port=port,
            lifespan="off",
            access_log=False,
            log_level="info",
            # JSON logs: uvicorn's own lines go through Kiln's handler too (kiln/logs.py).
            log_config=None if config.env("KILN_LOG_FORMAT") == "json" else uvicorn.config.LOGGING_CONFIG,
            # Requests in flight get this long to finish once told to stop; kiln up waits
            # STOP_GRACE_S (15), docker 10 s unless stop_grace_period says more.
            timeout_graceful_shutdown=WEB_GRACE_S,
        )
    ).run()


WEB_GRACE_S = 8


@main.command()
@click.option(
    "--queues",
    "-Q",
    default=None,
    help="Comma-separated worker tags (queues) to take jobs from (default: KILN_WORKER_TAGS, "
    "else every language's tag and 'default').",
)
@click.option(
    "--concurrency",
    "-c",
    type=int,
    envvar="KILN_WORKER_CONCURRENCY",
    default=None,
    help="Jobs run at once (default: number of CPUs).",
)
def worker(queues: str | None, concurrency: int | None) -> None:
    """A Celery worker that runs jobs in the sandbox."""
    setup_django()
    from django.conf import settings

    queues = queues or ",".join(settings.KILN_WORKER_TAGS)
    from kiln.jobs.sandbox import self_check

    problem = self_check()
    if problem is not None:
        # Never run user code bare by accident: refuse to take jobs at all.
        raise click.ClickException(
            f"the sandbox cannot run jobs on this machine: {problem}. Fix it, or set "
            "KILN_SANDBOX=none and KILN_ALLOW_UNSANDBOXED=1 to run jobs without a sandbox."
        )
    from kiln.jobs.sandbox import network_check

    network_problem = network_check()
    if network_problem is not None:
        # `none` jobs still run; `internet` ones are refused with this reason, never run unfiltered.
        click.echo(f"warning: jobs with network 'internet' will be refused here: {network_problem}", err=True)
    import warnings

    from celery.platforms import SecurityWarning

    from kiln.celery import app

    # The worker runs as root on purpose: nsjail needs it to drop each job to `nobody`.
    warnings.filterwarnings("ignore", category=SecurityWarning)
    argv = [
        "worker",
        "-Q",
        queues,
        "--loglevel",
        "INFO",
        "-n",
        "kiln@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    os.environ["KILN_WORKER_QUEUES"] = queues  # for the heartbeat: the tags this worker serves
    app.worker_main(argv)


@main.command()
@click.option(
    "--interval",
    type=float,
    envvar="KILN_SCHEDULER_INTERVAL",
    default=5.0,
    show_default=True,
    help="Seconds between passes (KILN_SCHEDULER_INTERVAL).",
)
def scheduler(interval: float) -> None:
    """Schedule ticks and the queue sweeper. Several copies may run at once."""
    setup_django()
    from kiln.jobs.scheduler import run_forever

    run_forever(interval=interval)


class RedactTokens(logging.Filter):
    """uvicorn logs each websocket URL; a `?token=` in it is a credential, so it is masked."""

    PATTERN = re.compile(r"(token=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                self.PATTERN.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args
            )
        record.msg = self.PATTERN.sub(r"\1[redacted]", str(record.msg))
        return True


def redact_tokens_in_logs() -> None:
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn"):
        logging.getLogger(name).addFilter(RedactTokens())


@main.command()
def migrate() -> None:
    """Apply database migrations."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False)


@main.command()
@click.option("--worker", "this_worker", is_flag=True, help="Only: does a worker on this host beat?")
def ready(this_worker: bool) -> None:
    """Exit 0 when Kiln is ready (as /readyz: database, Redis, a live worker per tag), else 1.

    With --worker: whether a worker on this host has beaten recently (a container's health
    check for `kiln worker`, which serves no HTTP)."""
    setup_django()
    import socket

    from kiln.jobs.models import Worker
    from kiln.jobs.workers import live_cutoff
    from kiln.operations.health import readiness

    if this_worker:
        host = socket.gethostname()
        if not Worker.objects.filter(hostname=host, heartbeat_at__gte=live_cutoff()).exists():
            raise click.ClickException(f"no worker on {host} has beaten recently")
        click.echo(f"a worker on {host} is live")
        return
    ok, checks = readiness()
    click.echo(json.dumps({name: check.out() for name, check in checks.items()}, indent=2))
    if not ok:
        raise SystemExit(1)


@main.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every secret with the newest key (the first of KILN_ENCRYPTION_KEYS).

    To retire a key: put a new one in front (KILN_ENCRYPTION_KEYS=new,old), restart, run
    this, then drop the old key. Safe to run again; a secret no key opens stops it loudly."""
    setup_django()
    from kiln import crypto
    from kiln.vault.services import secrets_rotate

    try:
        count = secrets_rotate()
    except crypto.DecryptionError as exc:
        raise click.ClickException(
            f"{exc}: nothing after it was rotated; fix the keys and run again"
        ) from None
    click.echo(f"re-encrypted {count} secret(s) with the newest key")


@main.group()
def token() -> None:
    """API tokens: create personal ones, revoke any."""


@token.command("create")
@click.option("--user", "email", required=True, help="Email of the token's owner.")
@click.option("--label", default="cli", show_default=True)
@click.option(
    "--expires-in-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Stop working after this many days (default: never).",
)
def token_create(email: str, label: str, expires_in_days: int | None) -> None:
    """Print a new personal API token (stored hashed; shown only now)."""
    setup_django()
    from datetime import timedelta

    from django.utils import timezone

    from kiln.accounts.models import User
    from kiln.accounts.services import token_create as create
    from kiln.errors import KilnError

    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise click.ClickException(f"no user with email '{email}'")
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    try:
        click.echo(create(user=user, label=label, expires_at=expires_at))
    except KilnError as exc:
        raise click.ClickException(exc.message) from None


@token.command("revoke")
@click.argument("which")
def token_revoke(which: str) -> None:
    """Revoke a token (personal or webhook) by id, by prefix (as `kiln_…` lists show it) or
    by the whole secret."""
    setup_django()
    from kiln.accounts.models import ApiToken
    from kiln.accounts.services import PREFIX_LEN, token_digest
    from kiln.accounts.services import token_revoke as revoke

    if which.isdigit():
        found = ApiToken.objects.filter(pk=int(which))
    elif len(which) > PREFIX_LEN:
        found = ApiToken.objects.filter(digest=token_digest(which))
    else:
        found = ApiToken.objects.filter(prefix=which)
    tokens = list(found.select_related("user")[:2])
    if not tokens:
        raise click.ClickException(f"no token '{which}'")
    if len(tokens) > 1:
        raise click.ClickException(f"several tokens have the prefix '{which}': revoke one by id")
    done = revoke(token=tokens[0])
    click.echo(f"token {done.pk} ({done.prefix}…, {done.user.email}) revoked at {done.revoked_at}")


@main.group()
def user() -> None:
    """Users."""


@user.command("set-password")
@click.argument("email")
@click.password_option()
def user_set_password(email: str, password: str) -> None:
    """Set a user's password (e.g. a lost first admin password)."""
    setup_django()
    from kiln.accounts.models import User

    found = User.objects.filter(email=email.strip().lower()).first()
    if found is None:
        raise click.ClickException(f"no user with email '{email}'")
    found.set_password(password)
    found.save(update_fields=["password"])
    click.echo(f"password of {found.email} changed")


@main.command()
def openapi() -> None:
    """Print the OpenAPI document of the HTTP API."""
    setup_django()
    from kiln.api import api

    click.echo(json.dumps(api.get_openapi_schema(), indent=2, sort_keys=False))


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command (kiln manage shell, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kiln manage", *ctx.args])


if __name__ == "__main__":
    main()
