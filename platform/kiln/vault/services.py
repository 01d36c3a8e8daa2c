"""Writing variables, resources and resource types; key rotation; script state."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
from django.db import IntegrityError, transaction

from kiln import crypto
from kiln.accounts.access import Principal
from kiln.accounts.access_services import path_write_check
from kiln.errors import BadRequest, Conflict

from .models import Resource, ResourceType, ScriptState, Variable
from .references import is_reference
from .resource_types import BUILTIN
from .selectors import resource_type_schema

MAX_VARIABLE_BYTES = 64 * 1024
MAX_RESOURCE_BYTES = 256 * 1024
MAX_STATE_BYTES = 1024 * 1024
TYPE_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _check_value(value: str) -> None:
    if len(value.encode()) > MAX_VARIABLE_BYTES:
        raise BadRequest(
            f"value: {len(value.encode())} bytes, more than {MAX_VARIABLE_BYTES}",
            {"field": "value", "max_bytes": MAX_VARIABLE_BYTES},
        )


def _store(variable: Variable, value: str) -> None:
    if variable.is_secret:
        variable.value, variable.ciphertext = "", crypto.encrypt(value)
    else:
        variable.value, variable.ciphertext = value, ""


@transaction.atomic
def variable_create(
    *, principal: Principal, path: str, value: str, is_secret: bool, description: str
) -> Variable:
    path_write_check(principal, path)  # in the transaction: a refused save makes no folder
    _check_value(value)
    user = principal.member.user
    variable = Variable(
        workspace_id=principal.workspace_id,
        path=path,
        is_secret=is_secret,
        description=description,
        created_by=user,
        updated_by=user,
    )
    _store(variable, value)
    try:
        with transaction.atomic():
            variable.save()
    except IntegrityError:
        raise Conflict(f"variable '{path}' already exists", {"path": path}) from None
    return variable


@transaction.atomic
def variable_update(
    *,
    principal: Principal,
    variable: Variable,
    value: str | None,
    is_secret: bool | None,
    description: str | None,
) -> Variable:
    """Only what is given changes. A secret stays secret: turning it plain would show its
    value in every list, so that takes a new variable."""
    locked = Variable.objects.select_for_update().get(pk=variable.pk)
    if is_secret is False and locked.is_secret:
        raise BadRequest(
            f"'{locked.path}' is a secret and stays one: delete it and create a plain variable",
            {"field": "is_secret"},
        )
    if is_secret is True and not locked.is_secret and value is None:
        value = locked.value  # plain to secret: the same value, now encrypted
    if is_secret is not None:
        locked.is_secret = is_secret
    if value is not None:
        _check_value(value)
        _store(locked, value)
    if description is not None:
        locked.description = description
    locked.updated_by = principal.member.user
    locked.save()
    return locked


def variable_delete(*, variable: Variable) -> None:
    Variable.objects.filter(pk=variable.pk).delete()


def validate_resource_value(workspace_id: str, resource_type: str, value: Any) -> None:
    """400 unless `value` is an object the type's schema accepts; a `$var:` / `$res:` string
    stands for whatever it will be, so the schema does not judge it."""
    schema = resource_type_schema(workspace_id, resource_type)
    if schema is None:
        raise BadRequest(f"resource_type: no resource type '{resource_type}'", {"field": "resource_type"})
    if not isinstance(value, dict):
        raise BadRequest("value: a resource is a JSON object", {"field": "value"})
    if len(json.dumps(value).encode()) > MAX_RESOURCE_BYTES:
        raise BadRequest(f"value: more than {MAX_RESOURCE_BYTES} bytes", {"field": "value"})
    validator = jsonschema.Draft202012Validator(schema, format_checker=None)
    for error in validator.iter_errors(value):
        if is_reference(error.instance):
            continue
        where = "/".join(str(p) for p in error.absolute_path) or "(the object)"
        raise BadRequest(
            f"value: {where}: {error.message}",
            {"field": "value", "path": list(error.absolute_path), "resource_type": resource_type},
        )


@transaction.atomic
def resource_create(
    *, principal: Principal, path: str, resource_type: str, value: dict[str, Any], description: str
) -> Resource:
    path_write_check(principal, path)
    validate_resource_value(principal.workspace_id, resource_type, value)
    user = principal.member.user
    resource = Resource(
        workspace_id=principal.workspace_id,
        path=path,
        resource_type=resource_type,
        value=value,
        description=description,
        created_by=user,
        updated_by=user,
    )
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError:
        raise Conflict(f"resource '{path}' already exists", {"path": path}) from None
    return resource


@transaction.atomic
def resource_update(
    *,
    principal: Principal,
    resource: Resource,
    value: dict[str, Any] | None,
    resource_type: str | None,
    description: str | None,
) -> Resource:
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    new_type = resource_type if resource_type is not None else locked.resource_type
    new_value = value if value is not None else locked.value
    validate_resource_value(principal.workspace_id, new_type, new_value)
    locked.resource_type, locked.value = new_type, new_value
    if description is not None:
        locked.description = description
    locked.updated_by = principal.member.user
    locked.save()
    return locked


def resource_delete(*, resource: Resource) -> None:
    Resource.objects.filter(pk=resource.pk).delete()


def _check_type(name: str, schema: dict[str, Any]) -> None:
    if not TYPE_NAME_RE.match(name):
        raise BadRequest(
            f"name: '{name}' is not a resource type name (a-z, digits, _; a letter first)", {"field": "name"}
        )
    if name in BUILTIN:
        raise Conflict(f"'{name}' is a built-in resource type", {"field": "name"})
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise BadRequest(f"schema: not a valid JSON Schema: {exc.message}", {"field": "schema"}) from None
    if schema.get("type") != "object":
        raise BadRequest(
            'schema: a resource type describes an object ("type": "object")', {"field": "schema"}
        )


@transaction.atomic
def resource_type_create(
    *, principal: Principal, name: str, schema: dict[str, Any], description: str
) -> ResourceType:
    _check_type(name, schema)
    row = ResourceType(
        workspace_id=principal.workspace_id,
        name=name,
        schema=schema,
        description=description,
        created_by=principal.member.user,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise Conflict(f"resource type '{name}' already exists", {"name": name}) from None
    return row


@transaction.atomic
def resource_type_update(*, row: ResourceType, schema: dict[str, Any], description: str) -> ResourceType:
    _check_type(row.name, schema)
    row.schema, row.description = schema, description
    row.save()
    return row


@transaction.atomic
def resource_type_delete(*, row: ResourceType) -> None:
    used = Resource.objects.filter(workspace_id=row.workspace_id, resource_type=row.name).count()
    if used:
        raise Conflict(
            f"resource type '{row.name}' is used by {used} resource(s): delete or retype them first",
            {"name": row.name, "resources": used},
        )
    row.delete()


def secrets_rotate(batch: int = 500) -> int:
    """Re-encrypt every secret Kiln keeps (the vault's secrets, scripts' webhook signing
    secrets) with the newest key (KILN_ENCRYPTION_KEYS' first), so older keys can be dropped.
    Rows are rewritten in locked batches; a run that stops half way is simply run again
    (rotating a rotated secret is harmless)."""
    from kiln.scripts.models import Script

    done = 0
    for model, column in ((Variable, "ciphertext"), (Script, "webhook_secret")):
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()  # type: ignore[attr-defined]
                    .exclude(**{column: ""})
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", column)[:batch]
                )
                for pk, token in rows:
                    model.objects.filter(pk=pk).update(**{column: crypto.rotate(token)})  # type: ignore[attr-defined]
            if not rows:
                break
            done += len(rows)
            last = rows[-1][0]
    return done


def state_get(*, workspace_id: str, key: str) -> Any:
    return (
        ScriptState.objects.filter(workspace_id=workspace_id, key=key).values_list("value", flat=True).first()
    )


def state_set(*, workspace_id: str, key: str, value: Any) -> None:
    if len(json.dumps(value).encode()) > MAX_STATE_BYTES:
        raise BadRequest(f"value: a state is at most {MAX_STATE_BYTES} bytes of JSON", {"field": "value"})
    ScriptState.objects.update_or_create(workspace_id=workspace_id, key=key, defaults={"value": value})
