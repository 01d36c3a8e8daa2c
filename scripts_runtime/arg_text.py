"""An argument given as text (a query-string value, `kiln run -a k=v`) as the value it stands
for, typed by the parameter's JSON Schema. Shared by the server's GET runs and the command line,
so a value means the same whichever way it is given."""

from __future__ import annotations

import json
from typing import Any


def json_types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a schema property admits (through anyOf/oneOf too); empty: anything."""
    kind = prop.get("type")
    types = {kind} if isinstance(kind, str) else set(kind or [])
    for branch in (*prop.get("anyOf", []), *prop.get("oneOf", [])):
        if isinstance(branch, dict):
            types |= json_types(branch) or {"any"}
    if "enum" in prop and not types:
        types = {type_name(v) for v in prop["enum"]}
    return types


def type_name(value: Any) -> str:
    return {str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value), "any")


def from_text(text: str, prop: dict[str, Any]) -> Any:
    """Raw text for a string parameter, else JSON (`3`, `true`, `["a"]`, `{"k": 1}`); what does
    not parse stays text, and the schema check then says what is wrong with it."""
    types = json_types(prop)
    if "string" in types and not (types - {"string", "null"}):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
