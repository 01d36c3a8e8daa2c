"""What runs between fork and exec must not load or look up a library: in a worker that
evaluated flow expressions, V8's threads exist, and a dlopen/dlsym in the child can wait for
ever on the loader lock one of them held at the fork (a job's Popen then never returns)."""

from __future__ import annotations

import ctypes
import signal
import subprocess
from typing import Any

import pytest

from kiln.process import die_with_parent


def test_the_sandboxs_preexec_loads_nothing_in_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    preexec = die_with_parent(signal.SIGKILL)

    def loads(*_: Any, **__: Any) -> Any:
        raise AssertionError("a library was loaded or looked up between fork and exec")

    monkeypatch.setattr(ctypes, "CDLL", loads)
    monkeypatch.setattr(ctypes.CDLL, "__getattr__", loads, raising=False)
    monkeypatch.setattr(ctypes.CDLL, "__getitem__", loads, raising=False)
    assert subprocess.run(["true"], preexec_fn=preexec, check=False).returncode == 0


def test_a_job_still_starts_after_flow_expressions_ran_in_the_same_process() -> None:
    from kiln.flows.expressions import evaluate

    assert evaluate("[1, 2].map(x => x * 2)", {}) == [2, 4]  # V8's threads now run here
    for _ in range(20):
        done = subprocess.run(["true"], preexec_fn=die_with_parent(signal.SIGKILL), timeout=30, check=False)
        assert done.returncode == 0
