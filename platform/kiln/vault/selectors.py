"""Reading variables, resources and resource types, with the caller's access."""

from __future__ import annotations

from typing import Any

from kiln import crypto
from kiln.accounts.access import Access, Principal, require_path, visible_paths
from kiln.errors import KilnError, NotFound

from .models import Resource, ResourceType, Variable
from .resource_types import BUILTIN


class SecretUnreadable(KilnError):
    """A stored secret no configured key opens: its ciphertext was changed, or the keys were
    replaced without a rotation. Never answered with a wrong value."""

    status = 500


def variable_get(principal: Principal, path: str, needed: Access = Access.VIEW) -> Variable:
    require_path(principal, path, needed, what="variable")
    found = Variable.objects.filter(workspace_id=principal.workspace_id, path=path).first()
    if found is None:
        raise NotFound(f"variable '{path}' not found")
    return found


def variable_value(variable: Variable) -> str:
    if not variable.is_secret:
        return variable.value
    try:
        return crypto.decrypt(variable.ciphertext)
    except crypto.DecryptionError:
        raise SecretUnreadable(
            f"secret '{variable.path}' cannot be decrypted: its stored ciphertext was changed, or "
            "KILN_ENCRYPTION_KEYS lost the key it was encrypted with",
            {"path": variable.path},
        ) from None


def variables_visible(principal: Principal) -> Any:
    return (
        Variable.objects.filter(workspace_id=principal.workspace_id)
        .filter(visible_paths(principal))
        .select_related("created_by", "updated_by")
        .order_by("path")
    )


def resource_get(principal: Principal, path: str, needed: Access = Access.VIEW) -> Resource:
    require_path(principal, path, needed, what="resource")
    found = Resource.objects.filter(workspace_id=principal.workspace_id, path=path).first()
    if found is None:
        raise NotFound(f"resource '{path}' not found")
    return found


def resources_visible(principal: Principal, resource_type: str | None = None) -> Any:
    rows = Resource.objects.filter(workspace_id=principal.workspace_id).filter(visible_paths(principal))
    if resource_type:
        rows = rows.filter(resource_type=resource_type)
    return rows.select_related("created_by", "updated_by").order_by("path")


def resource_type_schema(workspace_id: str, name: str) -> dict[str, Any] | None:
    """The type's JSON Schema, or None when there is no such type."""
    if name in BUILTIN:
        return BUILTIN[name]["schema"]
    row = ResourceType.objects.filter(workspace_id=workspace_id, name=name).values_list("schema", flat=True)
    return row.first()


def resource_types(workspace_id: str) -> list[dict[str, Any]]:
    """Built-in types first, then the workspace's own, each by name."""
    out = [
        {"name": name, "schema": t["schema"], "description": t["description"], "builtin": True}
        for name, t in sorted(BUILTIN.items())
    ]
    for row in ResourceType.objects.filter(workspace_id=workspace_id).order_by("name"):
        out.append({"name": row.name, "schema": row.schema, "description": row.description, "builtin": False})
    return out
