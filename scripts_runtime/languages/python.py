"""Python 3: read `main`'s signature with `ast` (never importing the script)."""

from __future__ import annotations

import ast
import os
import sys
from typing import Any

from scripts_runtime.languages.base import (
    WRAPPERS_DIR,
    Mount,
    PrepareContext,
    Prepared,
    RunSpec,
    SignatureError,
    wrapper,
)

name = "python3"
aliases: tuple[str, ...] = ("python",)
extension = "py"
tag = "python3"

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "list": {"type": "array"},
    "List": {"type": "array"},
    "dict": {"type": "object"},
    "Dict": {"type": "object"},
}
_NO_DEFAULT = object()


def parse_signature(source: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of the arguments of the script's top-level `main`."""
    try:
        module = ast.parse(source)
    except SyntaxError as exc:
        raise SignatureError(f"syntax error: {exc.msg}", exc.lineno, exc.offset) from None
    main = _find_main(module)
    args = main.args
    if args.vararg is not None:
        raise SignatureError("main must not take *args: every argument needs a name", main.lineno)
    if args.posonlyargs:
        raise SignatureError("main must not have positional-only arguments", main.lineno)

    positional = args.args
    defaults: list[Any] = [_NO_DEFAULT] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = list(zip(positional, defaults, strict=True)) + list(
        zip(args.kwonlyargs, args.kw_defaults, strict=True)
    )

    properties: dict[str, Any] = {}
    required: list[str] = []
    for arg, default in params:
        prop = annotation_schema(arg.annotation)
        if default is _NO_DEFAULT or default is None:
            required.append(arg.arg)
        else:
            value = _literal(default)
            if value is not _NO_DEFAULT and value is not None:
                prop["default"] = value
        properties[arg.arg] = prop

    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        # main(**kwargs) accepts anything extra; otherwise an unknown name is a
        # TypeError at run time, so refuse it before the job is queued.
        "additionalProperties": args.kwarg is not None,
    }


def annotation_schema(node: ast.expr | None) -> dict[str, Any]:
    """Schema of one annotation; anything not understood is any JSON (`{}`), never an error."""
    if node is None:
        return {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:  # a string annotation: "int"
            return annotation_schema(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return {}
    name = _dotted(node)
    if name is not None:
        return dict(_SCALARS.get(name.rsplit(".", 1)[-1], {}))
    if isinstance(node, ast.Subscript):
        base = _dotted(node.value)
        base = base.rsplit(".", 1)[-1] if base else None
        if base in {"list", "List"}:
            items = annotation_schema(node.slice)
            return {"type": "array", "items": items} if items else {"type": "array"}
        if base in {"dict", "Dict"}:
            return {"type": "object"}
    return {}


def _find_main(module: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef:
    main = None
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main":
            main = node  # the last definition wins, as it would at import time
    if main is None:
        raise SignatureError("no top-level `def main(...)` found")
    return main


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        parent = _dotted(node.value)
        return f"{parent}.{node.attr}" if parent else None
    return None


def _literal(node: ast.expr) -> Any:
    """A default's value if it is a literal; call defaults (`datetime.now()`) are left to Python."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NO_DEFAULT


def interpreter() -> str:
    """The base Python (not the platform's virtualenv): jobs see the standard library only."""
    configured = os.environ.get("KILN_PYTHON")
    if configured:
        return configured
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    prefix = os.path.dirname(os.path.dirname(interpreter()))
    return Prepared(mounts=(Mount(prefix),))


def run_spec(prepared: Prepared) -> RunSpec:
    # -I: isolated (no user site, no PYTHON* env); -u: unbuffered so logs arrive as printed;
    # -B: the job dir is the only writable place and needs no .pyc files.
    return RunSpec(
        sandbox_config="python.cfg",
        argv=[interpreter(), "-I", "-u", "-B", wrapper("python_wrapper.py")],
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR))),
        env=prepared.env,
    )
