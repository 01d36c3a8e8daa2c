"""Shared personas and helpers: an owner, a member and an outsider of workspace `main`."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
import redis
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.jobs.sandbox import self_check

# examples/ copies ../shared/examples, so the suite runs in any checkout (test_layout checks for drift).
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SHARED_EXAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "examples"


def example(name: str) -> str:
    return (EXAMPLES / "scripts" / name).read_text()


class Api:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, url: str) -> Any:
        return self.client.get(url, **self.headers)

    def post(self, url: str, body: Any = None, raw: str | None = None, **headers: str) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.post(url, data=data, content_type="application/json", **self.headers, **headers)

    def put(self, url: str, body: Any) -> Any:
        return self.client.put(url, data=json.dumps(body), content_type="application/json", **self.headers)


@pytest.fixture(autouse=True)
def _fresh_request_counters() -> None:
    """Failed-login, run-rate and metrics counters live in Redis, which outlives a test (and, on CI's
    machine Redis, a whole run): clear them so a test's 429 is its own, not its neighbours'."""
    from django.conf import settings

    from kiln.jobs.services import publishes_sent
    from kiln.operations import counters
    from kiln.ratelimit import redis_client

    if counters.flush():  # an earlier test's metrics go now, not into this test's Redis
        publishes_sent(timeout=5)
    client = redis_client(settings.REDIS_URL)
    try:
        patterns = ("kiln:login:*", "kiln:ratelimit:*", "kiln:metrics:*")
        keys = [key for pattern in patterns for key in client.scan_iter(pattern, 1000)]
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # a test that stopped Redis on purpose; its own checks say what it needs


@pytest.fixture(autouse=True)
def _no_warm_runners_left() -> Iterator[None]:
    """A test's warm runners (jobs/warm.py) end with it: none serves the next test's jobs."""
    yield
    from kiln.jobs.warm import pool

    pool.close_all()


@pytest.fixture(autouse=True)
def _no_cached_flow_versions() -> Iterator[None]:
    """Workers keep flow versions by id (kiln.flows.engine): a test's rolled-back database
    hands the same ids to the next test's versions, which must not find the old ones."""
    yield
    from kiln.flows.engine import flow_versions_forget
    from kiln.jobs.services import versions_forget

    flow_versions_forget()
    versions_forget()  # and script versions, as claims keep them (kiln.jobs.services)


@pytest.fixture
def workspace(db: None) -> Workspace:
    # Jobs of unit tests get no network unless a test asks for `internet` (tests/jobs/test_network.py).
    return Workspace.objects.create(id="main", name="Main", settings={"default_network": "none"})


def _persona(email: str, workspace: Workspace | None, role: str | None) -> User:
    user = User.objects.create_user(email=email, password="correct-horse")
    if workspace is not None and role is not None:
        Membership.objects.create(user=user, workspace=workspace, role=role)
    return user


def share_folder(
    workspace: Workspace, owner: User, name: str, level: str = "viewer", group: str = "all"
) -> None:
    """Folder f/<name> owned by `owner`, with `group` (default: every member) at `level`."""
    from kiln.accounts.access_services import GrantIn, folder_create, folder_grants_set

    folder = folder_create(workspace=workspace, user=owner, name=name)
    grants = [GrantIn(level="owner", user=owner.email), GrantIn(level=level, group=group)]
    folder_grants_set(folder=folder, grants=grants)


ECHO = "u/ada/echo"  # save_echo's script: returns its argument x


def save_echo(owner: User) -> None:
    """Save `ECHO` (`def main(x: int = 1): return x`) in the owner's workspace."""
    from kiln.scripts.services import script_save

    script_save(
        workspace=owner.memberships.get().workspace,
        user=owner,
        path=ECHO,
        language="python3",
        content="def main(x: int = 1):\n    return x\n",
    )


@pytest.fixture
def owner(workspace: Workspace) -> User:
    return _persona("ada@example.com", workspace, Role.ADMIN)


@pytest.fixture
def member(workspace: Workspace) -> User:
    return _persona("grace@example.com", workspace, Role.DEVELOPER)


@pytest.fixture
def outsider(db: None) -> User:
    return _persona("mallory@example.com", None, None)


@pytest.fixture
def api(client: Client, owner: User) -> Api:
    return Api(client, token_create(user=owner))


@pytest.fixture
def outsider_api(client: Client, outsider: User) -> Api:
    return Api(client, token_create(user=outsider))


@pytest.fixture
def anonymous_api(client: Client) -> Api:
    return Api(client, None)


# A real PostgreSQL for SQL scripts: the machine's (CI has one), in a throwaway schema.
POSTGRES = os.environ.get("KILN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def machine_postgres() -> psycopg.Connection[Any]:
    """An autocommit connection to the machine's PostgreSQL; skips the test without one
    (fails it on CI, which has one)."""
    try:
        return psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, but {POSTGRES} is unreachable: {exc}")
        pytest.skip(f"no PostgreSQL at {POSTGRES}")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A throwaway schema with an `orders` table on the machine's PostgreSQL."""
    conn = machine_postgres()
    name = f"kiln_sql_{uuid.uuid4().hex[:10]}"
    with conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(
            f"CREATE TABLE {name}.orders (id int, customer text, total int, status text, created_at date)"
        )
        conn.execute(
            f"INSERT INTO {name}.orders VALUES (1, 'ada', 250, 'paid', '2026-01-05'),"
            " (2, 'bob', 50, 'paid', '2026-01-06'), (3, 'cy', 300, 'open', '2026-01-07'),"
            " (4, 'di', 120, 'paid', '2025-12-01')"
        )
        yield name
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def pg_resource(schema: str) -> dict[str, str]:
    return {"url": f"{POSTGRES}?options={quote(f'-c search_path={schema}')}"}


@pytest.fixture(scope="session")
def sandbox_available() -> None:
    reason = self_check()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"nsjail cannot run on this machine, and CI must not skip sandbox tests: {reason}")
        pytest.skip(f"nsjail cannot run here: {reason}")
