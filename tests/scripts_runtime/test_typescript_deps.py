"""Remote imports are fetched once per set into a content-addressed DENO_DIR, safely under races."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from scripts_runtime.languages.base import PrepareError
from scripts_runtime.languages.typescript_deps import MARKER, cached_deno_dir

IMPORTS = ["npm:is-number@7.0.0"]


def test_two_workers_asking_at_once_fetch_once_and_share_the_folder(tmp_path: Path) -> None:
    logs: list[str] = []
    found: list[Path] = []

    def worker() -> None:
        found.append(cached_deno_dir(IMPORTS, tmp_path, logs.append))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and (found[0] / MARKER).is_file()
    assert sum(line.startswith("fetching") for line in logs) == 1
    assert (found[0] / "npm" / "registry.npmjs.org" / "is-number" / "7.0.0" / "index.js").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no build folder left behind
    assert found[0].stat().st_mode & 0o005 == 0o005  # the jail's nobody can read and enter it


def test_the_same_imports_in_another_order_are_the_same_folder(tmp_path: Path) -> None:
    first = cached_deno_dir(["npm:is-number@7.0.0", "npm:is-odd@3.0.1"], tmp_path, lambda _: None)
    logs: list[str] = []
    second = cached_deno_dir(["npm:is-number@7.0.0", "npm:is-odd@3.0.1"], tmp_path, logs.append)
    assert first == second and logs == []


def test_an_unknown_package_is_named_in_the_error_and_leaves_nothing_behind(tmp_path: Path) -> None:
    imports = ["npm:is-number@7.0.0", "npm:kiln-no-such-package-4f9e2a@1.0.0"]
    with pytest.raises(PrepareError) as info:
        cached_deno_dir(imports, tmp_path, lambda _: None)
    assert info.value.kind == "DependencyError"
    assert info.value.message.startswith("npm:kiln-no-such-package-4f9e2a@1.0.0 could not be resolved:")
    assert "does not exist" in info.value.message
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]


def test_a_version_that_does_not_exist_is_named_too(tmp_path: Path) -> None:
    with pytest.raises(PrepareError, match=r"^npm:is-number@99\.0\.0 could not be resolved: .*99\.0\.0"):
        cached_deno_dir(["npm:is-number@99.0.0"], tmp_path, lambda _: None)
