"""User edits of an inferred schema survive when the code changes and is re-inferred.

An edit is what differs between a saved schema and what the code alone infers:
a description, title, placeholder, bounds, pattern, format, or the field order.
Edits are re-applied to the new inference; fields the code no longer has disappear.
"""

from __future__ import annotations

import copy
from typing import Any

EDITABLE = (
    "title",
    "description",
    "placeholder",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "default",
    "enumLabels",
    "customErrorMessage",
)
Edits = dict[str, Any]


def schema_edits(saved: dict[str, Any], inferred: dict[str, Any]) -> Edits:
    """What the user changed: {"fields": {name: {key: value | None}}, "order": [...]}."""
    fields: dict[str, Any] = {}
    saved_props = saved.get("properties") or {}
    inferred_props = inferred.get("properties") or {}
    for name, prop in saved_props.items():
        if not isinstance(prop, dict):
            continue
        base = inferred_props.get(name, {})
        changed = {key: prop.get(key) for key in EDITABLE if prop.get(key) != base.get(key)}
        nested = schema_edits(prop, base) if "properties" in prop else {}
        if nested.get("fields") or nested.get("order"):
            changed["__nested__"] = nested
        if changed:
            fields[name] = changed
    edits: Edits = {"fields": fields}
    saved_order = saved.get("order") or list(saved_props)
    if [n for n in saved_order if n in inferred_props] != [n for n in inferred_props if n in saved_order]:
        edits["order"] = list(saved_order)
    for key in ("title", "description"):
        if saved.get(key) is not None and saved.get(key) != inferred.get(key):
            edits[key] = saved[key]
    return edits


def apply_edits(inferred: dict[str, Any], edits: Edits) -> dict[str, Any]:
    out = copy.deepcopy(inferred)
    props: dict[str, Any] = out.get("properties") or {}
    for name, changed in (edits.get("fields") or {}).items():
        if name not in props:
            continue  # removed from the code: its edits go with it
        for key, value in changed.items():
            if key == "__nested__":
                props[name] = apply_edits(props[name], value)
            elif value is None:
                props[name].pop(key, None)  # the user removed an inferred keyword
            else:
                props[name][key] = value
    if edits.get("order"):
        order = [n for n in edits["order"] if n in props] + [n for n in props if n not in edits["order"]]
        out["properties"] = {n: props[n] for n in order}
        out["order"] = order
    for key in ("title", "description"):
        if key in edits:
            out[key] = edits[key]
    return out
