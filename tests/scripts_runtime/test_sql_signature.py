"""SQL arguments come from Windmill's `-- $1 name (type) = default` comments."""

from __future__ import annotations

from typing import Any

import pytest

from scripts_runtime.languages import postgresql, sqlite
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.registry import canonical
from tests.conftest import example

PG_DB = {"type": "object", "format": "resource-postgresql", "description": "The database to query"}


def fields(source: str, lang: Any = postgresql) -> dict[str, Any]:
    schema = lang.parse_signature(source)
    return {k: v for k, v in schema["properties"].items() if k != "database"}


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("-- $1 n (integer)", {"type": "integer"}),
        ("-- $1 n (bigint) = 7", {"type": "integer", "default": 7}),
        ("-- $1 n (numeric) = 1.5", {"type": "number", "default": 1.5}),
        ("-- $1 n (double precision)", {"type": "number"}),
        ("-- $1 n (text) = 'paid'", {"type": "string", "default": "paid"}),
        ("-- $1 n (varchar(20)) = 'it''s'", {"type": "string", "default": "it's"}),
        ("-- $1 n (boolean) = true", {"type": "boolean", "default": True}),
        ("-- $1 n (date)", {"type": "string", "format": "date"}),
        ("-- $1 n (timestamptz)", {"type": "string", "format": "date-time"}),
        ("-- $1 n (uuid)", {"type": "string", "format": "uuid"}),
        ("-- $1 n (jsonb)", {}),
        ("-- $1 n (int[])", {"type": "array", "items": {"type": "integer"}}),
        ("-- $1 n", {"type": "string"}),
        ("-- $1 n (geometry)", {}),
    ],
)
def test_each_sql_type_maps_to_a_schema(comment: str, expected: dict[str, Any]) -> None:
    assert fields(f"{comment}\nSELECT $1;\n") == {"n": expected}


def test_the_big_orders_example_parses() -> None:
    schema = postgresql.parse_signature(example("big_orders.pg.sql"))
    assert list(schema["properties"]) == ["database", "min_total", "status", "since"]
    assert schema["properties"]["database"] == PG_DB
    assert schema["properties"]["min_total"] == {"type": "integer", "default": 100}
    assert schema["properties"]["status"] == {"type": "string", "default": "paid"}
    assert schema["properties"]["since"] == {"type": "string", "format": "date"}
    assert schema["required"] == ["database", "since"]


def test_a_null_default_makes_a_parameter_optional_without_a_default() -> None:
    schema = postgresql.parse_signature("-- $1 n (text) = NULL\nSELECT $1;\n")
    assert schema["properties"]["n"] == {"type": "string"} and schema["required"] == ["database"]


def test_parameters_are_ordered_by_number_not_by_line() -> None:
    assert list(fields("-- $2 b (int)\n-- $1 a (int)\nSELECT $1, $2;\n")) == ["a", "b"]


def test_sqlite_accepts_question_mark_parameters_in_order() -> None:
    schema = sqlite.parse_signature("-- ? name (text)\n-- ? age (integer) = 3\nSELECT ?, ?;\n")
    assert schema["properties"]["database"]["format"] == "resource-sqlite"
    assert list(schema["properties"]) == ["database", "name", "age"]
    assert schema["properties"]["age"] == {"type": "integer", "default": 3}


def test_a_query_without_parameters_needs_only_the_database() -> None:
    assert sqlite.parse_signature("SELECT 1;")["required"] == ["database"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("SELECT $1;", r"uses \$1 but no"),
        ("-- $1 a (int)\n-- $1 b (int)\nSELECT $1;", "declared twice"),
        ("-- $1 database (text)\nSELECT $1;", "connection argument"),
        ("SELECT 1;\x00", "binary"),
    ],
)
def test_bad_sql_scripts_are_refused(source: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        postgresql.parse_signature(source)


def test_the_sql_languages_and_their_aliases_are_registered() -> None:
    assert canonical("postgresql") == canonical("pg") == "postgresql"
    assert canonical("sqlite3") == "sqlite"
