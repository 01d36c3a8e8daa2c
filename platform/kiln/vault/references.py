"""`$var:<path>` and `$res:<path>` in a job's arguments: checked when a job is asked for (the
caller must be able to read what they name) and resolved when it starts (with the access of
the job's owner), into the job's args.json only: the stored job keeps the references.

Every secret value a job receives, directly or inside a resource, is collected for masking
(kiln/jobs/masking.py): its logs and its error show `*****` instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiln.accounts.access import Access, Principal, path_access
from kiln.errors import KilnError, NotFound

from .models import Resource, Variable
from .selectors import SecretUnreadable, resource_type_schema, variable_value

VAR, RES = "$var:", "$res:"
MAX_DEPTH = 4  # a resource naming a resource naming ... (and no cycles)


class ResolveError(Exception):
    """A reference the job's owner may not read, or that does not exist: the job fails
    before any of its code runs."""


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith(VAR) or value.startswith(RES))


def references(value: Any) -> list[str]:
    """Every `$var:` / `$res:` string in a JSON value, in order."""
    if is_reference(value):
        return [value]
    if isinstance(value, dict):
        return [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def check_may_use(principal: Principal, args: Any, where: str = "args") -> None:
    """404 for the first reference the caller could not read themselves: a job runs with its
    author's access, so without this anyone allowed to run it could borrow that access to
    read another path's secret through an argument."""
    for ref in references(args):
        kind, path = ref[:5], ref[5:]
        what = "variable" if kind == VAR else "resource"
        if path_access(principal, path) < Access.VIEW:
            raise NotFound(f"{where}: {what} '{path}' not found", {"reference": ref})


@dataclass
class Resolver:
    """Resolves one job's references with its owner's access, remembering its secrets."""

    principal: Principal
    secrets: set[str] = field(default_factory=set)
    _cache: dict[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, dict):
            return {k: self.resolve(v, depth) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, depth) for v in value]
        if not is_reference(value):
            return value
        if value not in self._cache:
            self._cache[value] = self._lookup(value, depth)
        return self._cache[value]

    def _lookup(self, ref: str, depth: int) -> Any:
        kind, path = ref[:5], ref[5:]
        if depth >= MAX_DEPTH:
            raise ResolveError(f"{ref}: resources name each other more than {MAX_DEPTH} deep (a cycle?)")
        # Missing and not readable are one answer: the job's owner learns nothing of other paths.
        unreadable = ResolveError(
            f"{ref}: no {'variable' if kind == VAR else 'resource'} '{path}' that "
            f"{self.principal.label}, whose access the job has, may read"
        )
        if path_access(self.principal, path) < Access.VIEW:
            raise unreadable
        ws = self.principal.workspace_id
        if kind == VAR:
            variable = Variable.objects.filter(workspace_id=ws, path=path).first()
            if variable is None:
                raise unreadable
            try:
                plain = variable_value(variable)
            except SecretUnreadable as exc:
                raise ResolveError(f"{ref}: {exc.message}") from None
            if variable.is_secret:
                self.secrets.add(plain)
            return plain
        resource = Resource.objects.filter(workspace_id=ws, path=path).first()
        if resource is None:
            raise unreadable
        value = self.resolve(resource.value, depth + 1)
        self._mask_password_fields(resource.resource_type, value)
        return value

    def _mask_password_fields(self, resource_type: str, value: Any) -> None:
        """A secret typed straight into a resource (a `format: password` field) is masked too."""
        schema = resource_type_schema(self.principal.workspace_id, resource_type) or {}
        if not isinstance(value, dict):
            return
        for name, prop in (schema.get("properties") or {}).items():
            if (
                isinstance(prop, dict)
                and prop.get("format") == "password"
                and isinstance(value.get(name), str)
            ):
                self.secrets.add(value[name])


def resolve_args(principal: Principal, args: Any) -> tuple[Any, set[str]]:
    """The arguments with every reference replaced, and the secrets among them."""
    resolver = Resolver(principal)
    try:
        return resolver.resolve(args), resolver.secrets
    except KilnError as exc:  # e.g. a database error surfaced as a domain error
        raise ResolveError(exc.message) from None
