"""Bash: arguments are positional parameters named by top-level assignments (Windmill's convention).

    name="$1"                 # required string "name"
    greeting="${2:-hello}"    # optional string "greeting", default "hello"

The signature is read with tree-sitter, never by running bash. A job runs
`bash /job/main.sh arg1 arg2 ...` under a small Python wrapper that builds the
argv in positional order and turns the script's last line of stdout into the result.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from typing import Any

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from scripts_runtime.languages import python
from scripts_runtime.languages.base import (
    SCHEMA_DIALECT,
    WRAPPERS_DIR,
    Mount,
    PrepareContext,
    Prepared,
    PrepareError,
    RunSpec,
    SignatureError,
)
from scripts_runtime.languages.syntax_tree import error_at, first_error, first_line, node_text

name = "bash"
aliases: tuple[str, ...] = ("sh",)
extension = "sh"
tag = "bash"

ORDER_FILE = "order.json"  # in the job dir: the argument names by position, for the wrapper

_LANGUAGE = Language(tree_sitter_bash.language())
_BASH = "/bin/bash"
_BASH_ERROR = re.compile(r"line (\d+): (.*)")
# A construct left open is found at the end of the file: report it where it opened instead.
_CLOSERS = {"}", ")", "]]", '"', "`", "fi", "done", "esac"}
_DEFAULT_OPERATORS = {":-", "-"}  # ${N:-word}: word when $N is empty (or, with -, unset)
_REQUIRED_OPERATORS = {":?", "?", None}  # ${N:?message} fails when $N is missing
_EXPANSION_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789{(@*#?$!-")


@dataclass(frozen=True)
class Positional:
    """One positional parameter a top-level assignment names: `greeting="${2:-hello}"`."""

    position: int
    name: str
    required: bool
    default: str | None = None  # a literal default; None when absent or computed (${2:-$HOME})


def parse_signature(source: str) -> dict[str, Any]:
    """JSON Schema (2020-12): one string property per positional parameter, in positional order."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in read_positionals(source):
        prop: dict[str, Any] = {"type": "string"}
        if param.default is not None:
            prop["default"] = param.default
        properties[param.name] = prop
        if param.required:
            required.append(param.name)
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,  # an argument no $N reads would be silently lost
    }


def read_positionals(source: str) -> list[Positional]:
    """Top-level `var=$N` assignments, one per position (the first wins), sorted by position."""
    root = Parser(_LANGUAGE).parse(source.encode()).root_node
    if root.has_error:
        verdict = bash_check(source)
        if verdict is not None:
            raise _syntax_error(root, verdict)
    by_position: dict[int, Positional] = {}
    taken: set[str] = set()
    for assignment in _top_level_assignments(root):
        param = _positional(assignment)
        if param is not None and param.position not in by_position and param.name not in taken:
            by_position[param.position] = param
            taken.add(param.name)
    return [by_position[position] for position in sorted(by_position)]


def bash_check(source: str) -> SignatureError | None:
    """bash's own verdict (`bash -n`: read, never execute): None if it accepts the script.

    Asked only when tree-sitter reports an error: its grammar misses a few valid forms
    (`exec 3<>file`), and a valid script must never be refused. Without bash, the
    script is refused on tree-sitter's word alone.
    """
    try:
        check = subprocess.run(
            [_BASH, "--norc", "--noprofile", "-n"],
            input=source.encode(),
            env={},  # no BASH_ENV: nothing is sourced
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return SignatureError("syntax error")
    if check.returncode == 0:
        return None
    # "bash: line 3: syntax error near unexpected token `then'"
    match = _BASH_ERROR.search(check.stderr.decode(errors="replace"))
    if match is None:
        return SignatureError("syntax error")
    return SignatureError(match.group(2).strip(), int(match.group(1)))


def _top_level_assignments(root: Node) -> list[Node]:
    """Assignments that run on every call: not inside functions, branches or loops."""
    found: list[Node] = []
    # Where bash accepted what tree-sitter could not parse, an ERROR node may wrap top-level code.
    nodes = [n for top in root.named_children for n in (top.named_children if top.is_error else [top])]
    for node in nodes:
        if node.type == "variable_assignment":
            found.append(node)
        elif node.type == "variable_assignments" or (
            node.type == "declaration_command" and node.children[0].type != "local"
        ):
            found.extend(child for child in node.named_children if child.type == "variable_assignment")
    return found


def _positional(assignment: Node) -> Positional | None:
    var, value = assignment.child_by_field_name("name"), assignment.child_by_field_name("value")
    if var is None or value is None:
        return None
    if value.type == "string":  # "$1" or "${2:-x}": the quotes must hold the expansion alone
        if len(value.named_children) != 1:
            return None
        value = value.named_children[0]
    if value.type not in {"simple_expansion", "expansion"}:
        return None  # '$1' (single quotes) is the literal text $1 in bash, not an argument
    parts = value.children
    # ${N}, ${N:-word} or $N: the digits come right after the opening token.
    if len(parts) < 2 or parts[1].type != "variable_name" or not node_text(parts[1]).isdigit():
        return None
    position = int(node_text(parts[1]))
    if position == 0:
        return None  # $0 is the script's own name
    operator_node = value.child_by_field_name("operator")
    operator = node_text(operator_node) if operator_node is not None else None
    if value.type == "expansion" and operator is None and len(parts) != 3:
        return None  # ${1[0]}, ${1/a/b} ...: not the plain value
    if operator in _REQUIRED_OPERATORS:
        return Positional(position, node_text(var), required=True)
    if operator in _DEFAULT_OPERATORS and operator_node is not None:
        start, end = operator_node.end_byte - value.start_byte, parts[-1].start_byte - value.start_byte
        word = (value.text or b"")[start:end].decode()  # byte offsets: the word may be "héllo"
        quoted = value.parent is not None and value.parent.type == "string"
        return Positional(position, node_text(var), required=False, default=literal_word(word, quoted))
    return None


def literal_word(text: str, quoted: bool) -> str | None:
    """The value bash gives a default word, or None when it expands something ($x, `cmd`, ~).

    `quoted`: the ${N:-word} sits inside double quotes, where single quotes are literal
    characters and a backslash escapes only $ ` " \\ and newline.
    """
    if not quoted and text.startswith("~"):
        return None
    out: list[str] = []
    in_double = quoted
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            escaped = text[i + 1]
            if in_double and escaped not in '$`"\\\n':
                out.append(char)  # a backslash that escapes nothing is kept
            elif escaped != "\n":  # backslash-newline is a line continuation
                out.append(escaped)
            i += 2
            continue
        if char in "$`" and (char == "`" or text[i + 1 : i + 2] in _EXPANSION_START):
            return None
        if char == "'" and not in_double:
            end = text.find("'", i + 1)
            if end < 0:
                return None
            out.append(text[i + 1 : end])
            i = end + 1
            continue
        if char == '"' and not quoted:
            in_double = not in_double
        elif char == '"' and quoted:
            pass  # "${1:-"a b"}": the inner quotes are removed too
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _syntax_error(root: Node, bash_says: SignatureError) -> SignatureError:
    """tree-sitter's account of a missing closer (it names where the construct opened,
    bash only where the file ended); bash's own message for anything else."""
    bad = first_error(root)
    if bad is not None and bad.is_missing:
        opener = bad.parent if bad.type in _CLOSERS and bad.parent is not None else bad
        return error_at(opener, f"syntax error: missing `{bad.type}`")
    if bash_says.line is not None:
        return bash_says
    if bad is not None:
        return error_at(bad, f"syntax error near `{first_line(bad)}`")
    return SignatureError("syntax error", 1, 1)


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    try:
        params = read_positionals(source)
    except SignatureError as exc:  # saved before a parser change: report, do not crash
        raise PrepareError("SignatureError", f"line {exc.line}: {exc.message}") from None
    order: list[str | None] = [None] * (params[-1].position if params else 0)
    for param in params:
        order[param.position - 1] = param.name
    path = ctx.job_dir / ORDER_FILE
    path.write_text(json.dumps(order))
    path.chmod(0o644)  # written by the worker, read by the jail's unprivileged user
    # The wrapper is Python (JSON in and out is painful in sh), on the base interpreter.
    return Prepared(mounts=(Mount(python.prefix()),))


def run_spec(prepared: Prepared) -> RunSpec:
    # -I: isolated (no user site, no PYTHON* env); -u: unbuffered, so logs arrive as printed;
    # -B: no .pyc files next to the read-only wrapper.
    return RunSpec(
        sandbox_config="bash.cfg",
        argv=python.wrapper_argv("bash_wrapper.py"),
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR))),
        env=prepared.env,
    )
