"""A script's remote imports (npm:, jsr:, https:), fetched once per set into a shared DENO_DIR.

Outside the jail, before any user code runs: `deno cache` downloads and never
executes. Each set of imports gets its own content-addressed DENO_DIR under
the cache dir; jobs with the same imports reuse it read-only, so a second run
fetches nothing.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import deno
from tree_sitter import Node

from scripts_runtime.languages.base import PrepareError
from scripts_runtime.languages.typescript_schema import literal, unquote

REMOTE_PREFIXES = ("npm:", "jsr:", "https://", "http://")
MARKER = ".kiln-complete"  # written last, inside the folder, before the atomic rename
FETCH_TIMEOUT_S = 300
# What `deno cache` may need from the worker's environment to reach a registry; the rest
# (DATABASE_URL, KILN_SECRET_KEY ...) stays out even though no user code runs here.
_PASS_ENV = (
    "PATH",
    "HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NPM_CONFIG_REGISTRY",
    "DENO_AUTH_TOKENS",
    "DENO_CERT",
    "DENO_TLS_CA_STORE",
    "NODE_EXTRA_CA_CERTS",
    "JSR_URL",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


def deno_binary() -> str:
    """The real file of the Deno that PyPI's `deno` package ships (a venv entry may be a link)."""
    return os.path.realpath(deno.find_deno_bin())


@functools.cache
def deno_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=True)
    return out.stdout.split("\n", 1)[0].strip()


def remote_imports(root: Node) -> list[str]:
    """Sorted, unique remote specifiers of static imports, re-exports and literal `import("...")`."""
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        pending.extend(node.named_children)
        source: Node | None = None
        if node.type in {"import_statement", "export_statement"} or node.type == "import_require_clause":
            source = node.child_by_field_name("source")
        elif node.type == "call_expression":
            function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if function is not None and function.type == "import" and arguments and arguments.named_children:
                source = arguments.named_children[0]
        if source is None:
            continue
        value = unquote(source) if source.type == "string" else literal(source)
        if isinstance(value, str) and value.startswith(REMOTE_PREFIXES):
            found.add(value)
    return sorted(found)


def cached_deno_dir(specifiers: list[str], cache_root: Path, log: Callable[[str], None]) -> Path:
    """The DENO_DIR holding these imports, fetched now unless an earlier job already did."""
    binary = deno_binary()
    key = hashlib.sha256("\n".join([deno_version(binary), *specifiers]).encode()).hexdigest()
    final = cache_root / key
    if (final / MARKER).is_file():
        return final
    cache_root.mkdir(parents=True, exist_ok=True)
    with _locked(cache_root / f"{key}.lock"):  # a second worker waits, then finds it done
        if (final / MARKER).is_file():
            return final
        shutil.rmtree(final, ignore_errors=True)  # only an operator's half copy could be here
        log(f"fetching {len(specifiers)} import(s) with {deno_version(binary)}: {', '.join(specifiers)}")
        build = Path(tempfile.mkdtemp(prefix=f"{key}.", suffix=".tmp", dir=cache_root))
        try:
            _fetch(binary, specifiers, build, log)
            (build / MARKER).write_text(json.dumps({"deno": deno_version(binary), "imports": specifiers}))
            _readable_by_all(build)  # the jailed job runs as nobody and only reads it
            os.rename(build, final)  # atomic: others see nothing or the complete folder
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
    return final


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fetch(binary: str, specifiers: list[str], deno_dir: Path, log: Callable[[str], None]) -> None:
    env = {k: os.environ[k] for k in _PASS_ENV if k in os.environ}
    env.update(DENO_DIR=str(deno_dir), DENO_NO_UPDATE_CHECK="1", NO_COLOR="1", RUST_BACKTRACE="0")
    with tempfile.TemporaryDirectory(prefix="kiln-deno-deps-") as scratch:
        # One import per line, so deno's "at file:///.../deps.ts:LINE" names the one that failed.
        deps = Path(scratch) / "deps.ts"
        deps.write_text("".join(f"import {json.dumps(s)};\n" for s in specifiers))
        argv = [binary, "cache", "--no-config", "--no-lock", "--node-modules-dir=none", str(deps)]
        try:
            done = subprocess.run(
                argv, cwd=scratch, env=env, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S
            )
        except subprocess.TimeoutExpired:
            raise PrepareError(
                "DependencyError",
                f"{', '.join(specifiers)} could not be resolved: no answer within {FETCH_TIMEOUT_S}s",
            ) from None
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        culprit = _culprit(output, specifiers)
        raise PrepareError("DependencyError", f"{culprit} could not be resolved: {_deno_error(output)}")
    for line in output.splitlines():
        if line.startswith("Download "):
            log(line)


def _culprit(output: str, specifiers: list[str]) -> str:
    at_line = re.search(r"deps\.ts:(\d+):\d+", output)
    if at_line and 1 <= int(at_line.group(1)) <= len(specifiers):
        return specifiers[int(at_line.group(1)) - 1]
    named = [s for s in specifiers if s in output or _package(s) in output]
    return ", ".join(named or specifiers)


def _package(specifier: str) -> str:
    """npm:@scope/name@1.2/sub → @scope/name: how deno names a package in its errors."""
    bare = specifier.split(":", 1)[1].lstrip("/")
    parts = bare.split("/")
    name = "/".join(parts[:2]) if bare.startswith("@") else parts[0]
    at = name.rfind("@")
    return name[:at] if at > 0 else name


def _deno_error(output: str) -> str:
    errors = [
        line.removeprefix("error: ").strip() for line in output.splitlines() if line.startswith("error")
    ]
    return errors[0] if errors else (output.splitlines() or ["deno cache failed"])[-1]


def _readable_by_all(root: Path) -> None:
    root.chmod(0o755)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)
