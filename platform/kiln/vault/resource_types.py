"""The built-in resource types: JSON Schemas for the connections scripts use most.

Names follow Windmill's (`postgresql`, `s3` ...), so a script parameter typed `db: postgresql`
(format `resource-postgresql`) picks these. A workspace adds its own (ResourceType rows); a
built-in name cannot be taken.
"""

from __future__ import annotations

from typing import Any

from scripts_runtime.languages.base import SCHEMA_DIALECT

SECRET = {"type": "string", "format": "password"}  # shown masked; store a `$var:` to a secret


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": True,
    }


BUILTIN: dict[str, dict[str, Any]] = {
    "postgresql": {
        "description": "A PostgreSQL database: host, port, user, password, dbname (or a libpq url)",
        "schema": _object(
            {
                "host": {"type": "string", "description": "Name or address of the server"},
                "port": {"type": "integer", "default": 5432, "minimum": 1, "maximum": 65535},
                "user": {"type": "string"},
                "password": {**SECRET, "description": "Store it as a secret: $var:<path>"},
                "dbname": {"type": "string", "title": "Database"},
                "sslmode": {
                    "type": "string",
                    "enum": ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
                    "default": "prefer",
                },
                "options": {"type": "string", "description": "e.g. -c search_path=reports"},
                "url": {
                    "type": "string",
                    "description": "Instead of (or under) the fields: postgres://user@host:5432/dbname",
                },
            },
            [],
        ),
    },
    "sqlite": {
        "description": "A SQLite database file under the platform's files directory",
        "schema": _object(
            {
                "path": {
                    "type": "string",
                    "description": "Relative to KILN_DATA_DIR/files, e.g. reports/sales.db",
                }
            },
            ["path"],
        ),
    },
    "http": {
        "description": "An HTTP API: a base URL and the headers every request sends",
        "schema": _object(
            {
                "base_url": {"type": "string", "format": "uri", "description": "https://api.example.com/v1"},
                "headers": {
                    "type": "object",
                    "additionalProperties": {"type": "string"},
                    "description": "e.g. Authorization: $var:<path of a secret>",
                },
            },
            ["base_url"],
        ),
    },
    "smtp": {
        "description": "An SMTP server to send mail through",
        "schema": _object(
            {
                "host": {"type": "string"},
                "port": {"type": "integer", "default": 587, "minimum": 1, "maximum": 65535},
                "user": {"type": "string"},
                "password": SECRET,
                "from": {"type": "string", "format": "email", "title": "From address"},
                "tls": {"type": "string", "enum": ["starttls", "ssl", "none"], "default": "starttls"},
            },
            ["host"],
        ),
    },
    "s3": {
        "description": "An S3-compatible bucket (AWS, MinIO, R2 ...)",
        "schema": _object(
            {
                "bucket": {"type": "string"},
                "region": {"type": "string", "default": "us-east-1"},
                "endpoint_url": {"type": "string", "format": "uri", "description": "Empty for AWS"},
                "access_key_id": {"type": "string"},
                "secret_access_key": SECRET,
                "path_style": {"type": "boolean", "default": False},
            },
            ["bucket"],
        ),
    },
}
