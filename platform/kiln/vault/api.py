"""Variables, resources and resource types over HTTP.

Lists never carry a secret's value; reading one is its own call (`/variables/value/p/...`,
`/resources/value_interpolated/p/...`), and each such read of a secret is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kiln.accounts.access import Access, Principal, builder_caller, caller, path_access
from kiln.api_params import WorkspacePath
from kiln.audit.services import audit_record
from kiln.errors import Forbidden, NotFound

from . import selectors, services
from .models import Resource, ResourceType, Variable
from .references import ResolveError, Resolver
from .resource_types import BUILTIN

variables_router = Router(tags=["variables"])
resources_router = Router(tags=["resources"])

PATH_HELP = "u/<you>/<name> or f/<folder>/<name>"


def _audit(request: HttpRequest, workspace: str, action: str, kind: str, path: str, **detail: Any) -> None:
    job = getattr(request, "kiln_job", None)
    if job is not None:
        detail["job"] = str(job.id)  # read by a running job, through its job token
    audit_record(
        request,
        actor=request.auth,  # type: ignore[attr-defined]
        workspace_id=workspace,
        action=action,
        object_type=kind,
        object_id=path,
        detail=detail,
    )


def _writer(request: HttpRequest, workspace: str) -> Principal:
    return builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]


# --- variables ------------------------------------------------------------------------


class VariableIn(Schema):
    path: str = Field(..., description=PATH_HELP)
    value: str = Field(..., description="Encrypted at rest when is_secret")
    is_secret: bool = False
    description: str = Field("", max_length=2000)


class VariableUpdateIn(Schema):
    value: str | None = Field(None, description="Omitted: the value stays as it is")
    is_secret: bool | None = Field(None, description="A plain variable may become secret, never back")
    description: str | None = Field(None, max_length=2000)


class VariableOut(Schema):
    path: str
    is_secret: bool
    value: str | None = Field(description="A plain variable's value; null for a secret (read it with /value)")
    description: str
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    access: str = Field(description="What you may do with it: view, write or owner")


class VariableValueOut(Schema):
    path: str
    is_secret: bool
    value: str


def variable_out(v: Variable, principal: Principal) -> dict[str, Any]:
    return {
        "path": v.path,
        "is_secret": v.is_secret,
        "value": None if v.is_secret else v.value,
        "description": v.description,
        "created_by": v.created_by.email,
        "updated_by": v.updated_by.email,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "access": path_access(principal, v.path).name.lower(),
    }


@variables_router.get(
    "", response=list[VariableOut], summary="The variables you may see (never a secret's value)"
)
def variable_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return [variable_out(v, principal) for v in selectors.variables_visible(principal)]


@variables_router.post("", response={201: VariableOut}, summary="Create a variable or a secret")
def variable_create(request: HttpRequest, workspace: WorkspacePath, payload: VariableIn) -> Status:
    principal = _writer(request, workspace)
    variable = services.variable_create(
        principal=principal,
        path=payload.path,
        value=payload.value,
        is_secret=payload.is_secret,
        description=payload.description,
    )
    _audit(request, workspace, "variable.create", "variable", variable.path, is_secret=variable.is_secret)
    return Status(201, variable_out(variable, principal))


@variables_router.get("/p/{path:path}", response=VariableOut, summary="A variable (a secret's value is null)")
def variable_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return variable_out(selectors.variable_get(principal, path), principal)


@variables_router.get(
    "/value/p/{path:path}",
    response=VariableValueOut,
    summary="A variable's value: for a secret, decrypted (audited as variable.read_secret)",
)
def variable_value(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    variable = selectors.variable_get(principal, path)
    value = selectors.variable_value(variable)
    if variable.is_secret:
        _audit(request, workspace, "variable.read_secret", "variable", path)
    return {"path": variable.path, "is_secret": variable.is_secret, "value": value}


@variables_router.put("/p/{path:path}", response=VariableOut, summary="Change a variable (its writers)")
def variable_update(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: VariableUpdateIn
) -> dict[str, Any]:
    principal = _writer(request, workspace)
    variable = services.variable_update(
        principal=principal,
        variable=selectors.variable_get(principal, path, Access.WRITE),
        value=payload.value,
        is_secret=payload.is_secret,
        description=payload.description,
    )
    _audit(request, workspace, "variable.update", "variable", path, value_changed=payload.value is not None)
    return variable_out(variable, principal)


@variables_router.delete("/p/{path:path}", response={204: None}, summary="Delete a variable (its writers)")
def variable_delete(request: HttpRequest, workspace: WorkspacePath, path: str) -> HttpResponse:
    principal = _writer(request, workspace)
    services.variable_delete(variable=selectors.variable_get(principal, path, Access.WRITE))
    _audit(request, workspace, "variable.delete", "variable", path)
    return HttpResponse(status=204)


# --- resource types ---------------------------------------------------------------------


class ResourceTypeIn(Schema):
    name: str = Field(..., description="a-z, digits and _, a letter first; not a built-in name")
    schema_: dict[str, Any] = Field(..., alias="schema", description='A JSON Schema with "type": "object"')
    description: str = Field("", max_length=2000)


class ResourceTypeUpdateIn(Schema):
    schema_: dict[str, Any] = Field(..., alias="schema")
    description: str = Field("", max_length=2000)


class ResourceTypeOut(Schema):
    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    description: str
    builtin: bool


@resources_router.get(
    "/types",
    response=list[ResourceTypeOut],
    by_alias=True,
    summary="Resource types: built-in, then the workspace's",
)
def resource_type_list(request: HttpRequest, workspace: WorkspacePath) -> list[dict[str, Any]]:
    caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return selectors.resource_types(workspace)


@resources_router.post(
    "/types",
    response={201: ResourceTypeOut},
    by_alias=True,
    summary="Create a resource type (admins, developers)",
)
def resource_type_create(request: HttpRequest, workspace: WorkspacePath, payload: ResourceTypeIn) -> Status:
    principal = _writer(request, workspace)
    row = services.resource_type_create(
        principal=principal, name=payload.name, schema=payload.schema_, description=payload.description
    )
    _audit(request, workspace, "resource_type.create", "resource_type", row.name)
    return Status(
        201, {"name": row.name, "schema": row.schema, "description": row.description, "builtin": False}
    )


def _own_type(workspace: str, name: str) -> ResourceType:
    row = ResourceType.objects.filter(workspace_id=workspace, name=name).first()
    if row is None:
        if name in BUILTIN:
            raise Forbidden(f"'{name}' is a built-in resource type and cannot be changed", {"name": name})
        raise NotFound(f"resource type '{name}' not found")
    return row


@resources_router.put(
    "/types/{name}", response=ResourceTypeOut, by_alias=True, summary="Change a resource type's schema"
)
def resource_type_update(
    request: HttpRequest, workspace: WorkspacePath, name: str, payload: ResourceTypeUpdateIn
) -> dict[str, Any]:
    _writer(request, workspace)
    row = services.resource_type_update(
        row=_own_type(workspace, name), schema=payload.schema_, description=payload.description
    )
    _audit(request, workspace, "resource_type.update", "resource_type", name)
    return {"name": row.name, "schema": row.schema, "description": row.description, "builtin": False}


@resources_router.delete("/types/{name}", response={204: None}, summary="Delete an unused resource type")
def resource_type_delete(request: HttpRequest, workspace: WorkspacePath, name: str) -> HttpResponse:
    _writer(request, workspace)
    services.resource_type_delete(row=_own_type(workspace, name))
    _audit(request, workspace, "resource_type.delete", "resource_type", name)
    return HttpResponse(status=204)


# --- resources --------------------------------------------------------------------------


class ResourceIn(Schema):
    path: str = Field(..., description=PATH_HELP)
    resource_type: str
    value: dict[str, Any] = Field(..., description="An object of its type; `$var:<path>` where a secret goes")
    description: str = Field("", max_length=2000)


class ResourceUpdateIn(Schema):
    resource_type: str | None = None
    value: dict[str, Any] | None = Field(None, description="Omitted: the value stays as it is")
    description: str | None = Field(None, max_length=2000)


class ResourceListOut(Schema):
    path: str
    resource_type: str
    description: str
    created_by: str
    updated_at: datetime
    access: str


class ResourceOut(ResourceListOut):
    value: dict[str, Any] = Field(description="As stored: `$var:` references are not resolved")
    created_at: datetime
    updated_by: str


class ResourceValueOut(Schema):
    path: str
    resource_type: str
    value: Any = Field(description="Every `$var:` / `$res:` inside resolved")


def resource_list_out(r: Resource, principal: Principal, access: Access | None = None) -> dict[str, Any]:
    if access is None:
        access = path_access(principal, r.path)
    return {
        "path": r.path,
        "resource_type": r.resource_type,
        "description": r.description,
        "created_by": r.created_by.email,
        "updated_at": r.updated_at,
        "access": access.name.lower(),
    }


def resource_out(r: Resource, principal: Principal, access: Access | None = None) -> dict[str, Any]:
    return {
        **resource_list_out(r, principal, access),
        "value": r.value,
        "created_at": r.created_at,
        "updated_by": r.updated_by.email,
    }


@resources_router.get(
    "",
    response=list[ResourceOut] | list[ResourceListOut],
    summary="The resources you may use (paths and types; values as stored with ?full=true); "
    "?resource_type= for a picker",
)
def resource_list(
    request: HttpRequest,
    workspace: WorkspacePath,
    resource_type: str | None = Query(None, max_length=64),  # type: ignore[type-arg]
    full: bool = Query(
        False, description="Each resource as /p/{path} reads it, value as stored (not for operators)"
    ),
) -> list[dict[str, Any]]:
    # Operators too: an app's form picks among the resources they may use. But the values only as
    # resource_get gives them: not to operators, and each under require_path (view).
    who = builder_caller if full else caller
    principal = who(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    rows = selectors.resources_visible(principal, resource_type)
    if not full:
        return [resource_list_out(r, principal) for r in rows]
    viewable = ((r, path_access(principal, r.path)) for r in rows)
    return [resource_out(r, principal, access) for r, access in viewable if access >= Access.VIEW]


@resources_router.post("", response={201: ResourceOut}, summary="Create a resource")
def resource_create(request: HttpRequest, workspace: WorkspacePath, payload: ResourceIn) -> Status:
    principal = _writer(request, workspace)
    resource = services.resource_create(
        principal=principal,
        path=payload.path,
        resource_type=payload.resource_type,
        value=payload.value,
        description=payload.description,
    )
    _audit(
        request, workspace, "resource.create", "resource", resource.path, resource_type=resource.resource_type
    )
    return Status(201, resource_out(resource, principal))


@resources_router.get("/p/{path:path}", response=ResourceOut, summary="A resource as stored")
def resource_get(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = builder_caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    return resource_out(selectors.resource_get(principal, path), principal)


@resources_router.get(
    "/value_interpolated/p/{path:path}",
    response=ResourceValueOut,
    summary="A resource with its references resolved (audited as resource.read_value)",
)
def resource_value(request: HttpRequest, workspace: WorkspacePath, path: str) -> dict[str, Any]:
    principal = caller(user=request.auth, workspace_id=workspace)  # type: ignore[attr-defined]
    resource = selectors.resource_get(principal, path)
    resolver = Resolver(principal)
    try:
        value = resolver.resolve(resource.value, depth=1)
    except ResolveError as exc:
        raise NotFound(str(exc), {"path": path}) from None
    _audit(request, workspace, "resource.read_value", "resource", path, secrets=len(resolver.secrets))
    return {"path": resource.path, "resource_type": resource.resource_type, "value": value}


@resources_router.put("/p/{path:path}", response=ResourceOut, summary="Change a resource (its writers)")
def resource_update(
    request: HttpRequest, workspace: WorkspacePath, path: str, payload: ResourceUpdateIn
) -> dict[str, Any]:
    principal = _writer(request, workspace)
    resource = services.resource_update(
        principal=principal,
        resource=selectors.resource_get(principal, path, Access.WRITE),
        value=payload.value,
        resource_type=payload.resource_type,
        description=payload.description,
    )
    _audit(request, workspace, "resource.update", "resource", path)
    return resource_out(resource, principal)


@resources_router.delete("/p/{path:path}", response={204: None}, summary="Delete a resource (its writers)")
def resource_delete(request: HttpRequest, workspace: WorkspacePath, path: str) -> HttpResponse:
    principal = _writer(request, workspace)
    services.resource_delete(resource=selectors.resource_get(principal, path, Access.WRITE))
    _audit(request, workspace, "resource.delete", "resource", path)
    return HttpResponse(status=204)
