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


def test_jobs_start_from_threads_while_another_thread_evaluates_flow_expressions() -> None:
    """A fork drops the other threads' state in the child; an expression engine freed there would
    wait for mini-racer's event-loop thread, absent in the child, and the Popen would never return."""
    import threading

    from kiln.flows.expressions import evaluate

    stop = threading.Event()

    def evaluating() -> None:
        while not stop.is_set():
            assert evaluate("[1, 2].map(x => x * 2)", {"xs": list(range(50))}) == [2, 4]

    def spawning(failures: list[BaseException]) -> None:
        try:
            for _ in range(60):
                subprocess.run(["true"], preexec_fn=die_with_parent(signal.SIGKILL), timeout=20, check=True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    assert evaluate("1 + 1", {}) == 2  # this thread has an engine too: the children drop it
    failures: list[BaseException] = []
    spinner = threading.Thread(target=evaluating, daemon=True)
    spinner.start()
    spawners = [threading.Thread(target=spawning, args=(failures,), daemon=True) for _ in range(2)]
    for thread in spawners:
        thread.start()
    for thread in spawners:
        thread.join(timeout=90)
    stop.set()
    assert not any(t.is_alive() for t in spawners), "a Popen hung in its child before exec"
    assert failures == []
