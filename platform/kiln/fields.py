"""Model fields shared by Kiln's apps."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class OrderedJSONField(models.JSONField):  # type: ignore[type-arg]
    """A JSONField whose objects come back with their keys in the order they were written.

    PostgreSQL's `jsonb` (Django's JSONField there) sorts an object's keys, shortest first: a
    script's form would list `id` before `customer_name` whatever the code declares, and a
    result `{"name": …, "id": …}` would come back as `{"id": …, "name": …}`. This field is a
    `json` column there, which keeps the text as written; psycopg parses it (Python's json,
    which keeps the order). The value is sent as `json`, never cast through `jsonb` on its way
    in. Elsewhere (SQLite) it is Django's JSONField.

    For what a person writes and reads back: schemas, a flow's spec, arguments, results,
    resource values. A `json` column can't be compared (no `=`, no DISTINCT) nor indexed, and
    Django's key lookups on it are jsonb's: filter on a JSONField instead.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        from psycopg.types.json import Json

        if not prepared:
            value = self.get_prep_value(value)
        return Json(value, dumps=partial(json.dumps, cls=self.encoder))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if connection.vendor == "postgresql":
            return value  # psycopg's json loader has parsed it (Django has it load jsonb as text)
        return super().from_db_value(value, expression, connection)
