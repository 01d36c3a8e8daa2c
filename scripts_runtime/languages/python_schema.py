"""Python annotations → JSON Schema, read from the AST (never importing the script).

Covers builtins, typing generics, Optional/Union, Literal, Enum subclasses,
TypedDict / dataclass / Pydantic models defined in the script, Annotated[...]
constraints, dates, bytes, and Windmill-style resource types (`db: postgresql`).
Anything not understood is any JSON (`{}`), never an error.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string", "contentEncoding": "base64"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "list": {"type": "array"},
    "List": {"type": "array"},
    "tuple": {"type": "array"},
    "Tuple": {"type": "array"},
    "set": {"type": "array"},
    "Set": {"type": "array"},
    "Sequence": {"type": "array"},
    "dict": {"type": "object"},
    "Dict": {"type": "object"},
    "Mapping": {"type": "object"},
}
_ANY = {"Any", "object", "Json", "JSON"}
_ARRAYS = {"list", "List", "Sequence", "set", "Set", "frozenset", "FrozenSet", "Iterable", "tuple", "Tuple"}
_MAPS = {"dict", "Dict", "Mapping", "MutableMapping"}
# Field(...) / Annotated constraint keywords → JSON Schema keywords.
_CONSTRAINTS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
    "description": "description",
    "title": "title",
    "multiple_of": "multipleOf",
    "min_items": "minItems",
    "max_items": "maxItems",
}
NO_DEFAULT = object()


@dataclass
class ClassInfo:
    kind: str  # "enum" | "object"
    node: ast.ClassDef
    bases: set[str] = field(default_factory=set)


def literal(node: ast.expr | None) -> Any:
    """A default's value if it is a literal; calls and names are left to Python."""
    if node is None:
        return NO_DEFAULT
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NO_DEFAULT


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parent = dotted(node.value)
        return f"{parent}.{node.attr}" if parent else None
    return None


def _last(name: str | None) -> str | None:
    return name.rsplit(".", 1)[-1] if name else None


class SchemaBuilder:
    """Schemas for annotations of one module; knows the classes it defines."""

    def __init__(self, module: ast.Module) -> None:
        self.classes: dict[str, ClassInfo] = {}
        self.aliases: dict[str, ast.expr] = {}
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                bases = {_last(dotted(b)) or "" for b in node.bases}
                is_enum = bool(bases & {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
                self.classes[node.name] = ClassInfo("enum" if is_enum else "object", node, bases)
            elif (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.aliases[node.targets[0].id] = node.value  # Mode = Literal["a", "b"]
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
                and _last(dotted(node.annotation)) == "TypeAlias"
            ):
                self.aliases[node.target.id] = node.value
        self._stack: list[str] = []  # classes being expanded: stops self-references

    # -- entry point -------------------------------------------------------------
    def schema(self, node: ast.expr | None) -> dict[str, Any]:
        if node is None:
            return {}
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):  # "int": a string annotation
                try:
                    return self.schema(ast.parse(node.value, mode="eval").body)
                except SyntaxError:
                    return {}
            return {} if node.value is not None else {"type": "null"}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | Y
            return self._union(_flatten_bitor(node))
        if isinstance(node, ast.Subscript):
            return self._generic(node)
        name = dotted(node)
        if name is None:
            return {}
        return self._named(name)

    def default(self, node: ast.expr | None) -> Any:
        """A default's JSON value: a literal, or a member of an Enum defined in the script."""
        value = literal(node)
        if value is NO_DEFAULT and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            info = self.classes.get(node.value.id)
            if info is not None and info.kind == "enum":
                for stmt in info.node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and isinstance(stmt.targets[0], ast.Name)
                        and stmt.targets[0].id == node.attr
                    ):
                        return literal(stmt.value)
        return value

    def is_optional(self, node: ast.expr | None) -> bool:
        """Optional[T], T | None, Union[..., None]: the argument may be left out."""
        if node is None:
            return False
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                return self.is_optional(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                return False
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return any(_is_none(n) for n in _flatten_bitor(node))
        if isinstance(node, ast.Subscript):
            base = _last(dotted(node.value))
            if base == "Optional":
                return True
            if base == "Union":
                return any(_is_none(n) for n in _elements(node.slice))
            if base == "Annotated":
                items = _elements(node.slice)
                return bool(items) and self.is_optional(items[0])
        return False

    # -- pieces ------------------------------------------------------------------
    def _named(self, name: str) -> dict[str, Any]:
        short = _last(name) or name
        if short in _ANY:
            return {}
        if name in self.aliases and name not in self._stack:
            self._stack.append(name)
            try:
                return self.schema(self.aliases[name])
            finally:
                self._stack.pop()
        if short in _SCALARS:
            return dict(_SCALARS[short])
        if name.islower() and "." not in name and name.isidentifier():
            # Windmill's convention: a lowercase type that is not Python's names a resource
            # type, whether undeclared or declared in the script (`class postgresql(TypedDict)`).
            return {"type": "object", "format": f"resource-{name}"}
        if short in self.classes and "." not in name:
            return self._class(self.classes[short])
        return {}

    def _generic(self, node: ast.Subscript) -> dict[str, Any]:
        base = _last(dotted(node.value))
        args = _elements(node.slice)
        if base in _ARRAYS:
            items = (
                self.schema(args[0]) if args and not (base in {"tuple", "Tuple"} and len(args) != 2) else {}
            )
            if base in {"tuple", "Tuple"} and len(args) == 2 and not _is_ellipsis(args[1]):
                items = {}
            out: dict[str, Any] = {"type": "array"}
            if items:
                out["items"] = items
            return out
        if base in _MAPS:
            values = self.schema(args[1]) if len(args) == 2 else {}
            return {"type": "object", "additionalProperties": values} if values else {"type": "object"}
        if base in {"Optional", "NotRequired", "Required", "Final", "ReadOnly"} and args:
            return self.schema(args[0])
        if base == "Union":
            return self._union(args)
        if base == "Literal":
            return _enum([literal(a) for a in args])
        if base == "Annotated" and args:
            out = self.schema(args[0])
            for extra in args[1:]:
                out.update(_constraints(extra))
            return out
        return {}

    def _union(self, members: list[ast.expr]) -> dict[str, Any]:
        kept = [m for m in members if not _is_none(m)]
        if len(kept) == 1:
            return self.schema(kept[0])
        schemas = [self.schema(m) for m in kept]
        if any(s == {} for s in schemas):
            return {}
        return {"anyOf": schemas}

    def _class(self, info: ClassInfo) -> dict[str, Any]:
        if info.kind == "enum":
            values = []
            for stmt in info.node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                    value = literal(stmt.value)
                    if value is not NO_DEFAULT:
                        values.append(value)
            out = _enum(values)
            out["originalType"] = "enum"
            return out
        if info.node.name in self._stack:
            return {"type": "object"}  # a self-referencing model: stop here
        self._stack.append(info.node.name)
        try:
            return self._object(info)
        finally:
            self._stack.pop()

    def _object(self, info: ClassInfo) -> dict[str, Any]:
        """TypedDict, @dataclass or Pydantic model: annotated fields, with defaults."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        total = True
        for kw in info.node.keywords:
            if kw.arg == "total" and literal(kw.value) is False:
                total = False
        for stmt in info.node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            if _last(dotted(stmt.annotation)) == "ClassVar":
                continue
            name = stmt.target.id
            prop = self.schema(stmt.annotation)
            default = NO_DEFAULT
            if stmt.value is not None:
                default, extra = _field_default(stmt.value)
                prop.update(extra)
            if default is not NO_DEFAULT and default is not None:
                prop["default"] = default
            wrapper = (
                _last(dotted(stmt.annotation.value)) if isinstance(stmt.annotation, ast.Subscript) else None
            )
            optional = (
                stmt.value is not None
                or not total
                or wrapper == "NotRequired"
                or self.is_optional(stmt.annotation)
            )
            if not optional:
                required.append(name)
            properties[name] = prop
        out: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            out["required"] = required
        return out


def _flatten_bitor(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _flatten_bitor(node.left) + _flatten_bitor(node.right)
    return [node]


def _elements(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _is_none(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or dotted(node) in {"None", "NoneType"}


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _enum(values: list[Any]) -> dict[str, Any]:
    values = [v for v in values if v is not NO_DEFAULT]
    out: dict[str, Any] = {"enum": values}
    if values and all(isinstance(v, str) for v in values):
        out["type"] = "string"
    elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        out["type"] = "integer"
    return out


def _constraints(node: ast.expr) -> dict[str, Any]:
    """Field(ge=1, description="...") or annotated_types-style Ge(1) → schema keywords."""
    if not isinstance(node, ast.Call):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {"description": node.value}  # Annotated[int, "how many"]
        return {}
    out: dict[str, Any] = {}
    func = (_last(dotted(node.func)) or "").lower()
    if func in _CONSTRAINTS and node.args:  # Ge(1), MaxLen(5)
        value = literal(node.args[0])
        if value is not NO_DEFAULT:
            out[_CONSTRAINTS[func]] = value
    for kw in node.keywords:
        if kw.arg in _CONSTRAINTS:
            value = literal(kw.value)
            if value is not NO_DEFAULT:
                out[_CONSTRAINTS[kw.arg]] = value
    return out


def _field_default(value: ast.expr) -> tuple[Any, dict[str, Any]]:
    """A class field's default: a literal, or pydantic/dataclass `Field(default=..., ge=...)`."""
    if isinstance(value, ast.Call) and _last(dotted(value.func)) in {"Field", "field"}:
        default: Any = NO_DEFAULT
        if value.args:
            default = literal(value.args[0])
        for kw in value.keywords:
            if kw.arg == "default":
                default = literal(kw.value)
        return default, _constraints(value)
    return literal(value), {}
