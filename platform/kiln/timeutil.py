"""Datetimes from clients, made safe for every database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from kiln.errors import BadRequest


@overload
def as_utc(value: datetime) -> datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC; a naive time is taken as UTC. ISO 8601 allows offsets up to
    ±23:59 but PostgreSQL only ±15:59, so a client's offset never reaches the database."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is in the year 10000 in UTC
        raise BadRequest(f"date out of range: {value.isoformat()}", {"field": None}) from None
