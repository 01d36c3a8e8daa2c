"""TypeScript source read with tree-sitter: syntax errors, literal values, JSDoc.

Nothing here runs the script: defaults are read only when they are JSON literals,
and anything else (a call, a name, a spread) is left to JavaScript.
"""

from __future__ import annotations

import json
import re
from typing import Any

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

from scripts_runtime.languages.base import SignatureError

TS = Language(tree_sitter_typescript.language_typescript())
NO_DEFAULT = object()


def parse(source: str) -> tuple[Tree, bytes]:
    data = source.encode()
    return Parser(TS).parse(data), data


def text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def position(node: Node, data: bytes) -> tuple[int, int]:
    """1-based line and column (in characters, as an editor counts them) of a node's start."""
    row, byte_col = node.start_point
    line_start = node.start_byte - byte_col
    return row + 1, len(data[line_start : node.start_byte].decode("utf-8", "replace")) + 1


def check_syntax(tree: Tree, data: bytes) -> None:
    """Raise a SignatureError at the first ERROR or MISSING node, as a compiler would."""
    if not tree.root_node.has_error:
        return
    bad = _first_error(tree.root_node)
    if bad is None:  # has_error without a visible node: still not a script Deno would run
        raise SignatureError("syntax error", 1, 1)
    line, column = position(bad, data)
    if bad.is_missing:
        missing = "a name or value" if bad.is_named else f"`{bad.type}`"
        raise SignatureError(f"syntax error: missing {missing}", line, column)
    error = bad.parent if bad.parent is not None and bad.parent.type == "ERROR" else bad
    if error.end_byte >= len(data.rstrip()) and _unclosed(error):
        raise SignatureError(
            "syntax error: unexpected end of file (an unclosed bracket or brace?)", line, column
        )
    snippet = " ".join(data[bad.start_byte : error.end_byte].decode("utf-8", "replace").split())
    raise SignatureError(f"syntax error near `{snippet[:40]}`", line, column)


def _first_error(node: Node) -> Node | None:
    if node.is_missing:
        return node
    if node.type == "ERROR":
        # A nested error is more precise than the span tree-sitter had to skip; failing that,
        # the first piece of the span that is not a complete statement is where it went wrong.
        inner = next((found for c in node.children if (found := _first_error(c)) is not None), None)
        return inner or next((c for c in node.children if not _complete(c)), node)
    if not node.has_error:
        return None
    return next((found for c in node.children if (found := _first_error(c)) is not None), None)


def _unclosed(node: Node) -> bool:
    """More brackets opened than closed in an error span: the file ended inside them."""
    depth, pending = 0, [node]
    while pending:
        current = pending.pop()
        pending.extend(current.children)
        depth += (current.type in {"{", "(", "["}) - (current.type in {"}", ")", "]"})
    return depth > 0


def _complete(node: Node) -> bool:
    statement = node.type.endswith(("_declaration", "_statement")) or node.type == "comment"
    return node.is_named and statement and not node.has_error


def top_level(root: Node) -> list[Node]:
    """The program's statements, with `export <declaration>` unwrapped to its declaration."""
    out = []
    for child in root.named_children:
        declaration = child.child_by_field_name("declaration") if child.type == "export_statement" else None
        out.append(declaration or child)
    return out


def unquote(node: Node) -> str:
    """A string or property name node's value (`"a-b"` → a-b, `name` → name)."""
    if node.type == "string":
        return "".join(
            text(c) for c in node.named_children if c.type in {"string_fragment", "escape_sequence"}
        )
    return text(node)


def literal(node: Node | None) -> Any:
    """A default's value if it is a JSON literal; calls, names and spreads are left to JavaScript."""
    if node is None:
        return NO_DEFAULT
    kind = node.type
    if kind in {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression"}:
        return literal(node.named_children[0]) if node.named_children else NO_DEFAULT
    if kind == "string":
        return _string_value(node)
    if kind == "template_string":
        parts = node.named_children
        if any(p.type == "template_substitution" for p in parts):
            return NO_DEFAULT
        return "".join(_escape(p) if p.type == "escape_sequence" else text(p) for p in parts)
    if kind == "number":
        return _number(text(node))
    if kind in {"true", "false"}:
        return kind == "true"
    if kind == "null":
        return None
    if kind == "unary_expression":
        return _signed(node)
    if kind == "array":
        items = [literal(item) for item in node.named_children if item.type != "comment"]
        return NO_DEFAULT if any(i is NO_DEFAULT for i in items) else items
    if kind == "object":
        return _object_literal(node)
    return NO_DEFAULT


def _string_value(node: Node) -> str:
    return "".join(
        _escape(c) if c.type == "escape_sequence" else text(c)
        for c in node.named_children
        if c.type in {"string_fragment", "escape_sequence"}
    )


def _escape(node: Node) -> str:
    try:
        return str(json.loads(f'"{text(node)}"'))
    except ValueError:
        return text(node)[1:]  # \' and friends: the character itself


def _number(raw: str) -> Any:
    raw = raw.replace("_", "")
    if raw.endswith("n"):
        return NO_DEFAULT  # a BigInt has no JSON form
    try:
        return int(raw, 0) if raw[:2].lower() in {"0x", "0o", "0b"} or raw.isdigit() else float(raw)
    except ValueError:
        return NO_DEFAULT


def _signed(node: Node) -> Any:
    operator, argument = node.child_by_field_name("operator"), node.child_by_field_name("argument")
    value = literal(argument)
    if operator is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return NO_DEFAULT
    return -value if text(operator) == "-" else value if text(operator) == "+" else NO_DEFAULT


def _object_literal(node: Node) -> Any:
    out: dict[str, Any] = {}
    for pair in node.named_children:
        if pair.type == "comment":
            continue
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type != "pair" or key is None or key.type not in {"property_identifier", "string", "number"}:
            return NO_DEFAULT  # spreads, shorthand and computed keys are code, not data
        parsed = literal(value)
        if parsed is NO_DEFAULT:
            return NO_DEFAULT
        out[unquote(key)] = parsed
    return out


def jsdoc_summary(comment: str) -> str:
    """The prose of a `/** ... */` comment (before any @tag), or "" for a plain comment."""
    if not comment.startswith("/**"):
        return ""
    prose = []
    for line in _jsdoc_lines(comment):
        if line.startswith("@"):
            break
        prose.append(line)
    return " ".join(p for p in prose if p).strip()


def jsdoc_params(comment: str) -> dict[str, str]:
    """`@param [{type}] name [- ]description` lines (descriptions may wrap) of a JSDoc comment."""
    if not comment.startswith("/**"):
        return {}
    found: dict[str, str] = {}
    current: str | None = None
    for line in _jsdoc_lines(comment):
        match = _PARAM.match(line)
        if match:
            current = match.group("name")
            found[current] = match.group("text").strip()
        elif line.startswith("@"):
            current = None
        elif current is not None and line:
            found[current] = f"{found[current]} {line}".strip()
    return {name: described for name, described in found.items() if described}


_PARAM = re.compile(
    r"@param\s+(?:\{[^}]*\}\s*)?\[?(?P<name>[A-Za-z_$][\w$]*)(?:=[^\]]*)?\]?\s*(?:-\s+)?(?P<text>.*)"
)


def _jsdoc_lines(comment: str) -> list[str]:
    body = comment[3:-2] if comment.endswith("*/") else comment[3:]
    return [re.sub(r"^\s*\*?\s?", "", line).strip() for line in body.splitlines()]
