"""A Python script's dependencies: declared (PEP 723) or read from its imports, resolved
with uv into a lock, installed once per lock into a content-addressed cache.

Runs in the worker, outside the jail, before any user code. Only wheels are used
(`--only-binary :all:`): building an sdist would run a package's setup code on
the worker itself, outside the sandbox.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from scripts_runtime.languages.base import PrepareError

PEP723 = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")

# Import names whose PyPI distribution is called something else.
IMPORT_TO_PACKAGE = {
    "yaml": "pyyaml",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "cv2": "opencv-python-headless",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "pyjwt",
    "google.cloud": "google-cloud",
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "Crypto": "pycryptodome",
    "magic": "python-magic",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "slugify": "python-slugify",
    "attr": "attrs",
    "serial": "pyserial",
    "usb": "pyusb",
    "zmq": "pyzmq",
    "wmill": "wmill",
}
# Modules a job gets from Kiln itself (the SDK on the jail's sys.path), never from PyPI:
# `import kiln` must not install an unrelated package of that name.
PROVIDED_MODULES = frozenset({"kiln"})
TIMEOUT_S = 300


def requirements(source: str) -> list[str]:
    """PEP 723 `dependencies` when the script declares them (even an empty list), else imports."""
    for match in PEP723.finditer(source):
        if match.group("type") != "script":
            continue
        body = "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in match.group("content").splitlines(keepends=True)
        )
        try:
            meta = tomllib.loads(body)
        except tomllib.TOMLDecodeError as exc:
            raise PrepareError(
                "DependencyError", f"the `# /// script` block is not valid TOML: {exc}"
            ) from None
        return [str(d) for d in meta.get("dependencies", [])]
    return imported_packages(source)


def imported_packages(source: str) -> list[str]:
    """PyPI names for the script's module-level imports, standard library excluded."""
    try:
        module = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in _module_level(module.body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    packages: list[str] = []
    for name in names:
        top = name.split(".")[0]
        if top in sys.stdlib_module_names or top == "__future__" or top in PROVIDED_MODULES:
            continue
        package = IMPORT_TO_PACKAGE.get(name) or IMPORT_TO_PACKAGE.get(top) or top.replace("_", "-")
        if package not in packages:
            packages.append(package)
    return packages


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run at import: the body, and inside top-level if/try/with blocks
    (`try: import ujson as json except ImportError: ...`), never inside functions."""
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, (ast.If, ast.With)):
            out += _module_level(node.body) + _module_level(getattr(node, "orelse", []))
        elif isinstance(node, ast.Try):
            out += _module_level(node.body) + _module_level(node.orelse) + _module_level(node.finalbody)
            for handler in node.handlers:
                out += _module_level(handler.body)
    return out


def uv_binary() -> str:
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise PrepareError("DependencyError", "uv is not installed on this worker") from None
        return found


def _uv(args: list[str], *, cache_dir: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(cache_dir / "uv"),
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    try:
        return subprocess.run(
            [uv_binary(), *args], input=stdin, capture_output=True, text=True, env=env, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise PrepareError("DependencyError", f"resolving dependencies took over {TIMEOUT_S}s") from None


def resolve(reqs: list[str], *, interpreter: str, cache_dir: Path) -> str:
    """A fully pinned lock (requirements.txt format) for these requirements."""
    done = _uv(
        [
            "pip",
            "compile",
            "-",
            "--python",
            interpreter,
            "--only-binary",
            ":all:",
            "--no-header",
            "--no-annotate",
            "--quiet",
        ],
        cache_dir=cache_dir,
        stdin="\n".join(reqs) + "\n",
    )
    if done.returncode != 0:
        raise PrepareError("DependencyError", _explain(done.stderr, reqs))
    return done.stdout.strip() + "\n"


def install(lock: str, *, interpreter: str, cache_dir: Path) -> tuple[Path, bool]:
    """The site dir for this lock, installed now if it was not yet; (path, installed_now)."""
    digest = hashlib.sha256(f"{os.path.realpath(interpreter)}\n{lock}".encode()).hexdigest()[:32]
    site = cache_dir / "python" / digest
    if (site / ".kiln-complete").exists():
        return site, False
    site.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=site.parent))
    try:
        lock_file = tmp / "requirements.lock"
        lock_file.write_text(lock)
        done = _uv(
            [
                "pip",
                "install",
                "--target",
                str(tmp / "site"),
                "--python",
                interpreter,
                "--only-binary",
                ":all:",
                "--no-deps",
                "--quiet",
                "-r",
                str(lock_file),
            ],
            cache_dir=cache_dir,
        )
        if done.returncode != 0:
            raise PrepareError("DependencyError", _explain(done.stderr, [lock]))
        (tmp / "site" / ".kiln-complete").write_text(lock)
        _make_readable(tmp / "site")
        try:
            os.rename(tmp / "site", site)  # atomic: a job never sees half an install
        except OSError:
            if not (site / ".kiln-complete").exists():  # lost a race with another worker: fine
                raise
            return site, False
        return site, True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _make_readable(root: Path) -> None:
    # The job runs as nobody: it must read (never write) the installed packages.
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | 0o444 | (0o111 if path.is_dir() else 0))


def _explain(stderr: str, reqs: list[str]) -> str:
    """uv's error, led by the package it is about when that can be told."""
    text = "\n".join(line for line in stderr.strip().splitlines() if line.strip())[-2000:]
    for req in reqs:
        name = re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0]
        if name and name.lower() in text.lower():
            return f"dependency '{name}' could not be installed: {text}"
    return f"dependencies could not be installed: {text}"
