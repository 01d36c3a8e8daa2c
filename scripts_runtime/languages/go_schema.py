"""Go types (tree-sitter nodes) → JSON Schema, as encoding/json would read them.

A helper of languages/go.py (no `name`: the registry passes it by). Anything not
understood is any JSON (`{}`), never an error; only types JSON can never fill
(channels, functions, complex numbers) are refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tree_sitter import Node

_INTEGERS = {
    "int", "int8", "int16", "int32", "int64",
    "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune",
}  # fmt: skip
_BUILTINS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "bool": {"type": "boolean"},
    "float32": {"type": "number"},
    "float64": {"type": "number"},
    "any": {},
    **{int_name: {"type": "integer"} for int_name in _INTEGERS},
}
_NEVER_JSON = {"complex64", "complex128", "error"}
# Standard-library types with a JSON form of their own (MarshalJSON / TextMarshaler).
_QUALIFIED: dict[tuple[str, str], dict[str, Any]] = {
    ("time", "Time"): {"type": "string", "format": "date-time"},
    ("time", "Duration"): {"type": "integer", "description": "nanoseconds"},
    ("encoding/json", "RawMessage"): {},
    ("encoding/json", "Number"): {"type": "number"},
    ("net/url", "URL"): {"type": "object"},
    ("math/big", "Int"): {"type": "integer"},
    ("math/big", "Float"): {"type": "number"},
}
_JSON_TAG = re.compile(r'(?:^|\s)json:"((?:[^"\\]|\\.)*)"')


class Unsupported(ValueError):
    """A type no JSON value can be decoded into."""


class TypeReader:
    """Maps the type expressions of one file, resolving the types and imports it declares."""

    def __init__(self, root: Node) -> None:
        self.declared: dict[str, Node] = {}  # type name → its definition's type node
        self.imports: dict[str, str] = {}  # package name in this file → import path
        self._expanding: set[str] = set()
        for node in root.named_children:
            if node.type == "type_declaration":
                self._read_type_declaration(node)
            elif node.type == "import_declaration":
                for spec in _descendants(node, "import_spec"):
                    self._read_import(spec)

    def schema(self, node: Node) -> dict[str, Any]:
        kind = node.type
        if kind == "parenthesized_type":
            return self.schema(node.named_children[0])
        if kind == "pointer_type":
            return nullable(self.schema(node.named_children[0]))
        if kind == "type_identifier":
            return self._named(_text(node))
        if kind == "qualified_type":
            return self._qualified(node)
        if kind == "slice_type":
            return self._slice(node)
        if kind == "array_type":
            return self._array(node)
        if kind == "map_type":
            return self._map(node)
        if kind == "struct_type":
            return self.struct(node)
        if kind in {"channel_type", "function_type"}:
            raise Unsupported(f"{_text(node)} cannot be read from JSON")
        return {}  # interfaces (any JSON), generics, anything newer than this reader

    def _named(self, type_name: str) -> dict[str, Any]:
        if type_name in self.declared:
            if type_name in self._expanding:  # a recursive type: stop at one level of shape
                return {"type": "object"} if self.declared[type_name].type == "struct_type" else {}
            self._expanding.add(type_name)
            try:
                return self.schema(self.declared[type_name])
            finally:
                self._expanding.discard(type_name)
        if type_name in _NEVER_JSON:
            raise Unsupported(f"{type_name} cannot be read from JSON")
        return dict(_BUILTINS.get(type_name, {}))

    def _qualified(self, node: Node) -> dict[str, Any]:
        package = node.child_by_field_name("package")
        type_name = node.child_by_field_name("name")
        if package is None or type_name is None:
            return {}
        path = self.imports.get(_text(package), _text(package))
        return dict(_QUALIFIED.get((path, _text(type_name)), {}))

    def _slice(self, node: Node) -> dict[str, Any]:
        element = node.child_by_field_name("element")
        assert element is not None
        if element.type == "type_identifier" and _text(element) in {"byte", "uint8"}:
            # encoding/json reads and writes []byte as a base64 string, not an array.
            return {"type": "string", "contentEncoding": "base64"}
        items = self.schema(element)
        return {"type": "array", "items": items} if items else {"type": "array"}

    def _array(self, node: Node) -> dict[str, Any]:
        schema = self._slice(node)
        length = node.child_by_field_name("length")
        if schema["type"] == "array" and length is not None and length.type == "int_literal":
            schema["maxItems"] = int(_text(length).replace("_", ""), 0)  # extra items would be dropped
        return schema

    def _map(self, node: Node) -> dict[str, Any]:
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
        assert key is not None and value is not None
        schema: dict[str, Any] = {"type": "object"}
        if self.schema(key).get("type") == "integer":  # JSON keys are strings: "12" for 12
            schema["propertyNames"] = {"pattern": "^-?[0-9]+$"}
        values = self.schema(value)
        if values:
            schema["additionalProperties"] = values
        return schema

    def struct(self, node: Node) -> dict[str, Any]:
        """Exported fields as properties (named by `json` tags); omitempty and pointers are optional."""
        fields: list[tuple[str, dict[str, Any], bool, bool]] = []  # (key, schema, required, promoted)
        declarations = node.named_children[0].named_children if node.named_children else []
        for decl in declarations:
            if decl.type != "field_declaration":
                continue
            try:
                fields.extend(self._fields(decl))
            except Unsupported:
                continue  # such a field can never be given in JSON; the rest of the struct can
        # Go's rule: a field declared in the struct wins over one promoted from an embedded struct.
        declared = {key for key, _, _, promoted in fields if not promoted}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for key, schema, is_required, promoted in fields:
            if key in properties or (promoted and key in declared):
                continue
            properties[key] = schema
            if is_required:
                required.append(key)
        struct: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            struct["required"] = required
        return struct

    def _fields(self, decl: Node) -> list[tuple[str, dict[str, Any], bool, bool]]:
        type_node = decl.child_by_field_name("type")
        assert type_node is not None
        embedded = self._embedded(decl) if decl.child_by_field_name("name") is None else None
        if embedded is not None:
            # Through an embedded pointer (*Base) every promoted field may be left out.
            promoted_required = set() if _is_pointer(decl, type_node) else set(embedded.get("required", []))
            return [
                (key, s, key in promoted_required, True) for key, s in embedded.get("properties", {}).items()
            ]
        names = [_text(n) for n in decl.children_by_field_name("name")] or [_embedded_name(type_node)]
        tag_name, options = _json_tag(decl.child_by_field_name("tag"))
        if tag_name == "-" and not options:
            return []  # `json:"-"`: never read
        schema = self.schema(type_node)
        if "string" in options and schema.get("type") in {"integer", "number", "boolean"}:
            schema = {"type": "string"}  # `json:",string"`: the value travels quoted
        required = not ({"omitempty", "omitzero"} & options or _is_pointer(decl, type_node))
        # Unexported fields are skipped: encoding/json cannot set them.
        return [(tag_name or field, dict(schema), required, False) for field in names if field[:1].isupper()]

    def _embedded(self, decl: Node) -> dict[str, Any] | None:
        """The schema of an untagged embedded struct declared in this file, whose fields are promoted."""
        type_node = decl.child_by_field_name("type")
        if type_node is None or decl.child_by_field_name("tag") is not None:
            return None
        target = self.declared.get(_text(type_node)) if type_node.type == "type_identifier" else None
        if target is None or target.type != "struct_type":
            return None
        return self.schema(type_node)

    def _read_type_declaration(self, node: Node) -> None:
        for spec in node.named_children:
            type_name, type_node = spec.child_by_field_name("name"), spec.child_by_field_name("type")
            if spec.type not in {"type_spec", "type_alias"} or type_name is None or type_node is None:
                continue
            if spec.child_by_field_name("type_parameters") is not None:
                continue  # generic: its shape depends on arguments this reader does not apply
            self.declared[_text(type_name)] = type_node

    def _read_import(self, spec: Node) -> None:
        path_node, alias = spec.child_by_field_name("path"), spec.child_by_field_name("name")
        if path_node is None:
            return
        path = _text(path_node).strip('"`')
        if alias is None:
            self.imports[path.rsplit("/", 1)[-1]] = path
        elif alias.type == "package_identifier":
            self.imports[_text(alias)] = path


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema that also accepts null (a nil pointer); `{}` accepts it already."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    return schema


def _json_tag(tag: Node | None) -> tuple[str, set[str]]:
    """(name, options) of a field's `json:"name,opt,..."` tag; ("", {}) without one."""
    if tag is None:
        return "", set()
    raw = _text(tag)
    if raw.startswith('"'):
        try:
            raw = json.loads(raw)  # an interpreted string literal: "json:\"x\""
        except ValueError:
            return "", set()
    else:
        raw = raw.strip("`")
    match = _JSON_TAG.search(raw)
    if match is None:
        return "", set()
    tag_name, *options = match.group(1).split(",")
    return tag_name, set(options)


def _is_pointer(decl: Node, type_node: Node) -> bool:
    # An embedded *T has its star as a child of the declaration, not a pointer_type node.
    return type_node.type == "pointer_type" or any(child.type == "*" for child in decl.children)


def _embedded_name(type_node: Node) -> str:
    """An embedded field is named by its type: `Base`, `*Base` and `pkg.Base` are all "Base"."""
    named = type_node.child_by_field_name("name") if type_node.type == "qualified_type" else type_node
    return _text(named) if named is not None else ""


def _descendants(node: Node, kind: str) -> list[Node]:
    found = [node] if node.type == kind else []
    for child in node.named_children:
        found.extend(_descendants(child, kind))
    return found


def _text(node: Node) -> str:
    return (node.text or b"").decode()
