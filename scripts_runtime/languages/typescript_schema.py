"""TypeScript types → JSON Schema, read from a tree-sitter tree (never running the script).

Covers string/number/boolean, arrays (`T[]`, `Array<T>`), literal unions (enums),
`T | undefined` / `T | null`, inline object types, interfaces and type aliases
declared in the same file, `Date`, `Record<string, T>` and Windmill's resource
convention (`type Postgresql = object`, `RT.Postgresql`). Anything not understood
(`any`, imported or generic types) is any JSON (`{}`), never an error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tree_sitter import Node

from scripts_runtime.languages.typescript_syntax import (
    NO_DEFAULT,
    jsdoc_summary,
    literal,
    text,
    top_level,
    unquote,
)

_PREDEFINED: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "object": {"type": "object"},
}
_NOTHING = {"null", "undefined", "void"}  # members of a union that only make a value optional
_ARRAYS = {"Array", "ReadonlyArray", "Set"}
_TYPE_OF = {str: "string", bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}


class SchemaBuilder:
    """Schemas for type nodes, resolving the interfaces and type aliases the file declares."""

    def __init__(self, root: Node) -> None:
        self.declared: dict[str, Node] = {}
        for node in top_level(root):
            if node.type in {"interface_declaration", "type_alias_declaration"}:
                name = node.child_by_field_name("name")
                if name is not None and node.child_by_field_name("type_parameters") is None:
                    self.declared[text(name)] = node  # generic aliases need arguments: left as any
        self._stack: list[str] = []  # names being expanded: a recursive type stops at itself

    def schema(self, node: Node | None) -> dict[str, Any]:
        if node is None:
            return {}
        kind = node.type
        if kind in {"type_annotation", "parenthesized_type", "readonly_type"}:
            return self.schema(node.named_children[-1] if node.named_children else None)
        if kind == "predefined_type":
            return dict(_PREDEFINED.get(text(node), {}))
        if kind == "array_type":
            return _array(self.schema(node.named_children[0]))
        if kind == "tuple_type":
            return {"type": "array"}
        if kind == "type_identifier":
            return self._named(text(node))
        if kind == "nested_type_identifier":
            return self._qualified(node)
        if kind == "generic_type":
            return self._generic(node)
        if kind == "union_type":
            return self._union(self._members(node))
        if kind == "intersection_type":
            return self._intersection(node)
        if kind in {"literal_type", "template_literal_type"}:
            return _literal_type(node)
        if kind in {"object_type", "interface_body"}:
            return self._object(node)
        return {}  # function types, typeof, keyof, conditional and mapped types ...

    def is_optional(self, node: Node | None) -> bool:
        """True if the type admits undefined or null (`T | undefined`), so the value may be left out."""
        return any(_is_nothing(m) for m in self._members(node)) if node is not None else False

    def _members(self, node: Node | None) -> list[Node]:
        """A union's members, flattened through parentheses and the file's own aliases."""
        out: list[Node] = []
        pending = [node] if node is not None else []
        seen: set[str] = set()
        while pending:
            current = pending.pop()
            if current.type in {"type_annotation", "parenthesized_type"} and current.named_children:
                pending.append(current.named_children[-1])
            elif current.type == "union_type":
                pending.extend(reversed(current.named_children))
            elif current.type == "type_identifier" and (alias := self._alias_value(text(current), seen)):
                pending.append(alias)
            else:
                out.append(current)
        return out

    def _alias_value(self, name: str, seen: set[str]) -> Node | None:
        declared = self.declared.get(name)
        if declared is None or declared.type != "type_alias_declaration" or name in seen:
            return None
        seen.add(name)
        return declared.child_by_field_name("value")

    def _named(self, name: str) -> dict[str, Any]:
        if name == "Date":
            return {"type": "string", "format": "date-time"}
        declared = self.declared.get(name)
        if declared is None or name in self._stack:
            return {}  # imported, global or recursive: any JSON
        self._stack.append(name)
        try:
            if declared.type == "interface_declaration":
                return self._interface(declared)
            value = declared.child_by_field_name("value")
            if value is not None and value.type == "predefined_type" and text(value) == "object":
                # Windmill's convention: `type Postgresql = object` names a resource type.
                return {"type": "object", "format": f"resource-{_snake(name)}"}
            return self.schema(value)
        finally:
            self._stack.pop()

    def _qualified(self, node: Node) -> dict[str, Any]:
        module, name = node.child_by_field_name("module"), node.child_by_field_name("name")
        if module is not None and name is not None and text(module) == "RT":  # Windmill's RT.Postgresql
            return {"type": "object", "format": f"resource-{_snake(text(name))}"}
        return {}

    def _generic(self, node: Node) -> dict[str, Any]:
        name_node, args_node = node.child_by_field_name("name"), node.child_by_field_name("type_arguments")
        name = text(name_node) if name_node is not None else ""
        args = args_node.named_children if args_node is not None else []
        if name in _ARRAYS and len(args) == 1:
            return _array(self.schema(args[0]))
        if name == "Record" and len(args) == 2:
            values = self.schema(args[1])
            return {"type": "object", "additionalProperties": values} if values else {"type": "object"}
        if name == "Partial" and len(args) == 1:
            inner = self.schema(args[0])
            return (
                {**inner, "required": []} if inner.get("type") == "object" and "required" in inner else inner
            )
        return {}

    def _union(self, members: list[Node]) -> dict[str, Any]:
        kept = [m for m in members if not _is_nothing(m)]
        if len(kept) == 1:
            return self.schema(kept[0])
        schemas = [self.schema(m) for m in kept]
        if not schemas or any(s == {} for s in schemas):
            return {}
        if all("enum" in s and set(s) <= {"type", "enum"} for s in schemas):
            return _enum([v for s in schemas for v in s["enum"]])
        return {"anyOf": schemas}

    def _intersection(self, node: Node) -> dict[str, Any]:
        parts = [self.schema(part) for part in node.named_children]
        if not parts or any(p.get("type") != "object" or "properties" not in p for p in parts):
            return {}
        return _merge_objects(parts)

    def _interface(self, declaration: Node) -> dict[str, Any]:
        parts = []
        for clause in declaration.named_children:
            if clause.type == "extends_type_clause":
                parts += [self.schema(base) for base in clause.children_by_field_name("type")]
        parts = [p for p in parts if p.get("type") == "object" and "properties" in p]
        return _merge_objects([*parts, self._object(declaration.child_by_field_name("body"))])

    def _object(self, body: Node | None) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        described = ""
        for member in body.named_children if body is not None else []:
            if member.type == "comment":
                described = jsdoc_summary(text(member))
                continue
            if member.type == "property_signature" and (name_node := member.child_by_field_name("name")):
                name, type_node = unquote(name_node), member.child_by_field_name("type")
                prop = self.schema(type_node)
                if described:
                    prop["description"] = described
                properties[name] = prop
                if not _has_question_mark(member) and not self.is_optional(type_node):
                    required.append(name)
            described = ""
        return {"type": "object", "properties": properties, "required": required}


def _has_question_mark(node: Node) -> bool:
    return any(child.type == "?" for child in node.children)


def _is_nothing(node: Node) -> bool:
    if node.type == "literal_type" and node.named_children:
        return node.named_children[0].type in {"null", "undefined"}
    return node.type == "predefined_type" and text(node) in _NOTHING


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items} if items else {"type": "array"}


def _literal_type(node: Node) -> dict[str, Any]:
    if node.type == "template_literal_type":
        if any(c.type == "template_type" for c in node.named_children):
            return {"type": "string"}  # `x${string}`: some string, not one value
        return _enum(["".join(text(c) for c in node.named_children)])
    value = literal(node.named_children[0]) if node.named_children else NO_DEFAULT
    return {} if value is NO_DEFAULT or value is None else _enum([value])


def _enum(values: list[Any]) -> dict[str, Any]:
    unique = list({json.dumps(v): v for v in values}.values())
    types = {_TYPE_OF.get(type(v)) for v in unique}
    if types == {"boolean"} and len(unique) == 2:
        return {"type": "boolean"}  # true | false
    if len(types) == 1 and None not in types:
        return {"type": types.pop(), "enum": unique}
    return {"enum": unique}


def _merge_objects(parts: list[dict[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for part in parts:
        properties.update(part["properties"])
        required += [r for r in part.get("required", []) if r not in required]
    return {"type": "object", "properties": properties, "required": required}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def value_schema(value: Any) -> dict[str, Any]:
    """The type an untyped parameter takes from its literal default (`n = 3` → number)."""
    kind = _TYPE_OF.get(type(value))
    return {"type": kind} if kind else {}
