"""Python 3: read `main`'s signature with `ast` (never importing the script)."""

from __future__ import annotations

import ast
import contextlib
import hashlib
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts_runtime.languages import python_deps
from scripts_runtime.languages.base import (
    SCHEMA_DIALECT,
    WRAPPERS_DIR,
    Mount,
    PrepareContext,
    Prepared,
    RunSpec,
    SignatureError,
    wrapper,
)
from scripts_runtime.languages.python_docstrings import docstring_params
from scripts_runtime.languages.python_schema import NO_DEFAULT, SchemaBuilder

name = "python3"
aliases: tuple[str, ...] = ("python",)
extension = "py"
tag = "python3"


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

    builder = SchemaBuilder(module)
    described = docstring_params(ast.get_docstring(main) or "")
    positional = args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = list(zip(positional, defaults, strict=True)) + list(
        zip(args.kwonlyargs, args.kw_defaults, strict=True)
    )

    properties: dict[str, Any] = {}
    required: list[str] = []
    for arg, default_node in params:
        prop = builder.schema(arg.annotation)
        default = builder.default(default_node)
        if default is not NO_DEFAULT and default is not None:
            prop["default"] = _json_default(default)
        if default_node is None and not builder.is_optional(arg.annotation):
            required.append(arg.arg)
        if arg.arg in described and "description" not in prop:
            prop["description"] = described[arg.arg]
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


def _json_default(value: Any) -> Any:
    """Literal defaults as JSON: tuples and sets become lists, bytes become text."""
    if isinstance(value, (tuple, set, frozenset)):
        return [_json_default(v) for v in value]
    if isinstance(value, list):
        return [_json_default(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_default(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _find_main(module: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef:
    main = None
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main":
            main = node  # the last definition wins, as it would at import time
    if main is None:
        raise SignatureError("no top-level `def main(...)` found")
    return main


def interpreter() -> str:
    """The base Python (not the platform's virtualenv): jobs see the standard library only."""
    configured = os.environ.get("KILN_PYTHON")
    if configured:
        return configured
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def prefix() -> str:
    """The base Python's installation: mounted read-only into every jail that runs it."""
    return os.path.dirname(os.path.dirname(interpreter()))


# Python compiles the file it is started with from source, every time; only what it imports
# comes from __pycache__. So a wrapper is imported by this one line, from the bytecode that
# compile_wrappers() wrote, and its main() run: the compile of python_warm.py was about 7 ms of
# every spare sandbox's CPU, and any compile sets up the AST's types, ~3 ms more. sys.argv and
# sys.path are what they would be for `python wrapper.py` (-I: its directory is not on the path).
LAUNCH = (
    "import sys;d,_,n=sys.argv[1].rpartition('/');del sys.argv[0];sys.path.insert(0,d);"
    "m=__import__(n[:-3]);del sys.path[0];sys.exit(m.main())"
)


def wrapper_argv(name: str) -> list[str]:
    """Run one of Kiln's wrappers on the base Python. -I: isolated (no user site, no
    PYTHON* env); -S: no `site` (a script's packages come from its own locked dependency
    dir, which the wrapper puts on sys.path; the base install's site-packages and their .pth
    hooks cost 5-30 ms per job and are no part of a script's environment); -u: unbuffered,
    so logs arrive as printed; -B: no .pyc files written (the jobs' own); -c LAUNCH: the
    wrapper from its bytecode. The wrapper's path stays the last argument."""
    compile_wrappers()
    return [interpreter(), "-I", "-S", "-u", "-B", "-c", LAUNCH, wrapper(name)]


_wrappers_compiled = False


def _jobs_interpreter_is_ours() -> bool:
    """Whether jobs run on this process's own base Python: then its bytecode is theirs."""
    own = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    return os.path.realpath(interpreter()) == own


def compile_wrappers() -> None:
    """The wrappers' bytecode in their __pycache__, once per process, when the jobs'
    interpreter is this one (its bytecode is the jobs'). Only a missing or stale file is
    written (a wrapper edited since is compiled again). Where the directory cannot be written
    (a read-only install), or for another interpreter (KILN_PYTHON), each job compiles the
    wrapper from source, as Python would: slower, never wrong."""
    global _wrappers_compiled
    if _wrappers_compiled:
        return
    _wrappers_compiled = True
    if not _jobs_interpreter_is_ours():
        return
    import compileall

    with contextlib.suppress(OSError):
        compileall.compile_dir(str(WRAPPERS_DIR), maxlevels=0, quiet=2)


# main.py beside its bytecode, for the job: main.pyc, a hash-checked .pyc of this interpreter
# (the header holds the source's hash, which the wrapper checks against main.py). A job that
# compiles main.py itself first sets up the AST's ~100 types (about 3 ms of a trivial cold
# job's CPU) and then parses; the worker compiles each version once per process instead.
BYTECODE_NAME = "main.pyc"
# What a worker process keeps of it, by the source's digest (never the source itself): the
# bytecode of the scripts it ran last, up to this many bytes, and their imports.
CACHE_BYTES = 16 * 1024 * 1024


class _Kept:
    """The last results of a function of a script's source, by its digest, up to `limit` bytes
    of them (the newest one always); shared by a pool process's threads."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size = limit, 0
        self.items: OrderedDict[tuple[bytes, str], bytes | str | None] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[bytes, str], make: Callable[[], bytes | str | None]) -> bytes | str | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            if key not in self.items:
                self.items[key] = value
                self.size += len(value or "")
            while self.size > self.limit and len(self.items) > 1:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped or "")
        return value


_bytecode_kept = _Kept(CACHE_BYTES)
_imports_kept = _Kept(1024 * 1024)


def _digest(content: str) -> bytes:
    return hashlib.sha256(content.encode()).digest()


def bytecode(content: str, filename: str) -> bytes | None:
    """main.py's code as `filename` (the path the job sees) in .pyc form; None when the jobs'
    interpreter is not this one or the script does not compile (the job reports that)."""

    def make() -> bytes | None:
        if not _jobs_interpreter_is_ours():  # here: a version's later jobs resolve no path
            return None
        import marshal
        from importlib.util import MAGIC_NUMBER, source_hash

        source = content.encode()
        try:  # as the job would: no __future__ of this module's, no -O
            code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
        except (SyntaxError, ValueError):
            return None
        checked_hash_pyc = (0b11).to_bytes(4, "little")  # PEP 552: hash-based, checked
        return MAGIC_NUMBER + checked_hash_pyc + source_hash(source) + marshal.dumps(code)

    found = _bytecode_kept.get((_digest(content), filename), make)
    return found if isinstance(found, bytes) else None


def top_level_imports(content: str) -> str | None:
    """The modules main.py imports at its top level (in `try` and `if` blocks too), comma-
    separated, for a warm runner to import before its first job; None if it does not parse."""
    found = _imports_kept.get((_digest(content), ""), lambda: _top_level_imports(content))
    return found if isinstance(found, str) else None


def _top_level_imports(content: str) -> str | None:
    try:
        tree = ast.parse(content)
    except (SyntaxError, ValueError):
        return None
    names: list[str] = []
    body: list[ast.stmt] = list(tree.body)
    while body:
        node = body.pop(0)
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Try | ast.If):
            body += node.body + node.orelse
            if isinstance(node, ast.Try):
                body += [n for handler in node.handlers for n in handler.body]
        elif isinstance(node, ast.AsyncFunctionDef) and node.name == "main":
            names.append("asyncio")
    return ",".join(n for n in dict.fromkeys(names) if n != "__future__")


def write_script(directory: Path, content: str, *, seen_as: str) -> None:
    """main.py, and its bytecode when there is one, into a job's (or a runner's) directory;
    `seen_as` is the directory's path as the job sees it (/job in a jail)."""
    script = directory / "main.py"
    script.write_bytes(content.encode())
    script.chmod(0o644)
    compiled = bytecode(content, f"{seen_as}/main.py")
    if compiled is not None:
        (directory / BYTECODE_NAME).write_bytes(compiled)
        (directory / BYTECODE_NAME).chmod(0o644)


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    """Resolve (once per version) and install (once per lock) the script's dependencies."""
    python = interpreter()
    base = prefix()
    lock = ctx.lock
    resolved_now = None
    if lock is None:
        reqs = python_deps.requirements(source)
        if not reqs:
            return Prepared(mounts=(Mount(base),), lock="")
        ctx.log(f"resolving dependencies: {', '.join(reqs)}")
        lock = resolved_now = python_deps.resolve(reqs, interpreter=python, cache_dir=ctx.cache_dir)
    if not lock.strip():
        return Prepared(mounts=(Mount(base),))
    site, installed = python_deps.install(lock, interpreter=python, cache_dir=ctx.cache_dir)
    if installed:
        count = sum(1 for line in lock.splitlines() if line.strip() and not line.startswith("#"))
        ctx.log(f"installed {count} package(s) into the shared cache")
    return Prepared(
        mounts=(Mount(base), Mount(str(site))),
        env=(("KILN_PYTHON_DEPS", str(site)),),
        lock=resolved_now,
    )


def run_spec(prepared: Prepared) -> RunSpec:
    return RunSpec(
        sandbox_config="python.cfg",
        argv=wrapper_argv("python_wrapper.py"),
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR))),
        env=prepared.env,
    )
