"""Small helpers over tree-sitter trees, shared by the languages parsed with it."""

from __future__ import annotations

from tree_sitter import Node

from scripts_runtime.languages.base import SignatureError


def first_error(node: Node) -> Node | None:
    """The earliest innermost ERROR or MISSING node: the closest tree-sitter gets to the mistake."""
    for child in node.children:
        if child.has_error or child.is_error or child.is_missing:
            return first_error(child) or child
    return node if (node.is_error or node.is_missing) else None


def error_at(node: Node, message: str) -> SignatureError:
    row, column = node.start_point
    return SignatureError(message, row + 1, column + 1)


def node_text(node: Node) -> str:
    return (node.text or b"").decode()


def first_line(node: Node) -> str:
    return (node_text(node).strip().splitlines() or [""])[0][:40]
