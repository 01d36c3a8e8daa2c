"""The file format of `kiln sync` (kiln/client/sync_files.py)."""

from __future__ import annotations

import subprocess
import sys

from kiln.client.sync_files import extensions

# What sync_files.py said by hand before it asked the registry: pulls keep their file names.
EXTENSIONS_BEFORE = {
    "python3": "py",
    "typescript": "ts",
    "bash": "sh",
    "go": "go",
    "postgresql": "sql",
    "sqlite": "sql",
}


def test_each_language_keeps_the_file_extension_sync_always_gave_it() -> None:
    assert dict(extensions()) == EXTENSIONS_BEFORE


def test_importing_sync_loads_no_language_until_an_extension_is_asked_for() -> None:
    code = (
        "import sys, kiln.client.sync\n"
        "print('scripts_runtime.registry' in sys.modules)\n"
        "from kiln.client.sync_files import extensions\n"
        "extensions()\n"
        "print('scripts_runtime.registry' in sys.modules)\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["False", "True"]
