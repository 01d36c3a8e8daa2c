"""Fixtures that start real platforms (see harness.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.e2e.harness import Kiln, OwnValkey


@pytest.fixture(scope="session")
def new_database() -> Iterator[Callable[[], str | None]]:
    """Under PostgreSQL, each platform gets a database of its own, dropped afterwards."""
    base = os.environ.get("DATABASE_URL")
    created: list[str] = []

    def make() -> str | None:
        if not base:
            return None
        import psycopg

        name = f"kiln_e2e_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return urlunparse(urlparse(base)._replace(path=f"/{name}"))

    yield make
    if created and base:
        import psycopg

        with psycopg.connect(base, autocommit=True) as conn:
            for name in created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def new_kiln(tmp_path: Path, new_database: Callable[[], str | None]) -> Iterator[Kiln]:
    """A platform of the test's own (not started), stopped at the end if still running."""
    platform = Kiln(tmp_path / "kiln", new_database())
    yield platform
    if platform.process is not None and platform.process.poll() is None:
        platform.stop()


@pytest.fixture(scope="session")
def kiln(tmp_path_factory: pytest.TempPathFactory, new_database: Callable[[], str | None]) -> Iterator[Kiln]:
    platform = Kiln(tmp_path_factory.mktemp("kiln-e2e"), new_database())
    platform.start()
    yield platform
    if platform.process is not None and platform.process.poll() is None:
        platform.stop()


@pytest.fixture
def own_valkey(tmp_path: Path) -> Iterator[OwnValkey]:
    """A running Valkey the test may kill and restart; give its `url` to a platform as REDIS_URL.
    Request it before `new_kiln` so that the platform stops first."""
    valkey = OwnValkey(tmp_path / "valkey")
    valkey.start()
    yield valkey
    valkey.stop()
