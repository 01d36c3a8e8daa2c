"""What the SQL languages share: Windmill's argument comments, and the query wrapper's inputs.

    -- $1 min_total (integer) = 100
    -- $2 status (text) = 'paid'
    -- $3 since (date)

Each comment names a positional parameter, its SQL type and an optional default.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scripts_runtime.languages.base import SCHEMA_DIALECT, SignatureError

ARG_COMMENT = re.compile(
    r"^\s*--\s*(?:\$(?P<num>\d+)|\?)\s+(?P<name>[A-Za-z_]\w*)\s*(?:\((?P<type>[^()]*(?:\([^()]*\))?[^()]*)\))?\s*(?:=\s*(?P<default>.+?))?\s*$"
)
DOLLAR_PARAM = re.compile(r"\$(\d+)")

_TYPES: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (
        ("bigint", "int8", "integer", "int4", "int", "smallint", "int2", "serial", "bigserial"),
        {"type": "integer"},
    ),
    (
        ("numeric", "decimal", "real", "float4", "float8", "double precision", "double", "float"),
        {"type": "number"},
    ),
    (("boolean", "bool"), {"type": "boolean"}),
    (
        ("timestamptz", "timestamp with time zone", "timestamp without time zone", "timestamp", "datetime"),
        {"type": "string", "format": "date-time"},
    ),
    (("date",), {"type": "string", "format": "date"}),
    (("time", "timetz"), {"type": "string", "format": "time"}),
    (("uuid",), {"type": "string", "format": "uuid"}),
    (("jsonb", "json"), {}),
    (("bytea", "blob"), {"type": "string", "contentEncoding": "base64"}),
    (("text", "varchar", "character varying", "char", "character", "citext", "name"), {"type": "string"}),
]


def sql_type_schema(sql_type: str | None) -> dict[str, Any]:
    if not sql_type:
        return {"type": "string"}
    t = sql_type.strip().lower()
    if t.endswith("[]"):
        return {"type": "array", "items": sql_type_schema(t[:-2])}
    base = re.sub(r"\s*\(.*\)$", "", t)  # varchar(20) -> varchar
    for names, schema in _TYPES:
        if base in names:
            return dict(schema)
    return {}


def sql_default(raw: str | None, schema: dict[str, Any]) -> Any:
    if raw is None:
        return None
    raw = raw.strip().rstrip(";").strip()
    if raw.upper() == "NULL":
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1].replace("''", "'")
    if raw.lower() in {"true", "false"}:
        return raw.lower() == "true"
    try:
        number = float(raw)
    except ValueError:
        return raw
    return int(number) if schema.get("type") == "integer" and number.is_integer() else number


def parse_arguments(source: str, *, resource: str) -> dict[str, Any]:
    """The schema: the database resource first, then one field per declared parameter
    (numbered `$1, $2 ...` or positional `?`, whichever the dialect's script uses)."""
    if "\x00" in source:
        raise SignatureError("the script is binary, not SQL text")
    declared: dict[int, tuple[str, dict[str, Any]]] = {}
    params: list[tuple[int, str]] = []
    next_question = 1
    properties: dict[str, Any] = {
        "database": {
            "type": "object",
            "format": f"resource-{resource}",
            "description": "The database to query",
        }
    }
    required = ["database"]
    for lineno, line in enumerate(source.splitlines(), start=1):
        match = ARG_COMMENT.match(line)
        if not match:
            continue
        if match.group("num") is not None:
            index = int(match.group("num"))
        else:
            index, next_question = next_question, next_question + 1
        name = match.group("name")
        if name == "database":
            raise SignatureError(
                "'database' is the connection argument; name the parameter otherwise", lineno
            )
        if index in declared:
            raise SignatureError(f"parameter ${index} is declared twice", lineno)
        schema = sql_type_schema(match.group("type"))
        default = sql_default(match.group("default"), schema)
        if default is not None:
            schema["default"] = default
        elif match.group("default") is None:
            required.append(name)
        declared[index] = (name, schema)
    for index in sorted(declared):
        name, schema = declared[index]
        properties[name] = schema
        params.append((index, name))
    used = {int(n) for n in DOLLAR_PARAM.findall(_strip_comments(source))}
    missing = sorted(used - set(declared))
    if missing:
        raise SignatureError(
            f"the query uses ${missing[0]} but no `-- ${missing[0]} name (type)` comment declares it"
        )
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def write_params(job_dir: Path, schema: dict[str, Any]) -> None:
    """The wrapper binds values in this order (properties after `database`), using a
    parameter's default when the job's arguments leave it out."""
    params = [
        {"name": n, "default": p.get("default")} for n, p in schema["properties"].items() if n != "database"
    ]
    (job_dir / "params.json").write_text(json.dumps(params))
    (job_dir / "params.json").chmod(0o644)


def _strip_comments(source: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in source.splitlines())
