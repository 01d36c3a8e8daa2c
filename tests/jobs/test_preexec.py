"""How a job's process starts: no Python code between fork and exec.

In a worker that evaluated flow expressions, V8's threads exist. A fork with a `preexec_fn`
runs Python in a child where those threads are gone: a dlopen/dlsym there can wait for ever on
the loader lock one of them held, and an object freed there can wait for mini-racer's
event-loop thread. Either way the job's Popen never returns. So a job starts with util-linux's
setpriv (PR_SET_PDEATHSIG) and nsenter (its network namespace) as execs before nsjail's, and
Popen vforks; a preexec step is only the fallback on a host without them, and loads nothing."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiln.jobs import sandbox
from kiln.jobs.sandbox import network_check, start_network
from kiln.process import die_with_parent


@pytest.fixture
def popens(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every Popen the sandbox makes: its argv and whether it had a preexec step."""
    seen: list[dict[str, Any]] = []
    real = subprocess.Popen

    def spy(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        seen.append({"argv": list(argv), "preexec": kwargs.get("preexec_fn")})
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(sandbox.subprocess, "Popen", spy)
    yield seen


def test_the_fallback_preexec_loads_nothing_in_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    preexec = die_with_parent(signal.SIGKILL)

    def loads(*_: Any, **__: Any) -> Any:
        raise AssertionError("a library was loaded or looked up between fork and exec")

    monkeypatch.setattr(ctypes, "CDLL", loads)
    monkeypatch.setattr(ctypes.CDLL, "__getattr__", loads, raising=False)
    monkeypatch.setattr(ctypes.CDLL, "__getitem__", loads, raising=False)
    assert subprocess.run(["true"], preexec_fn=preexec, check=False).returncode == 0


def test_a_job_starts_with_no_preexec_step(popens: list[dict[str, Any]]) -> None:
    sandbox._setpriv_pdeathsig()  # looked up once per process, by a Popen of its own
    popens.clear()
    process = sandbox._start(["true"])
    assert process.wait(timeout=20) == 0
    [start] = popens
    assert start["preexec"] is None
    assert start["argv"][1:] == ["--pdeathsig=KILL", "--", "true"]


def test_a_job_with_a_network_starts_with_no_preexec_step(
    popens: list[dict[str, Any]], sandbox_available: None
) -> None:
    reason = network_check()
    if reason is not None:
        pytest.fail(f"this host must run internet jobs: {reason}")
    popens.clear()
    network = start_network()
    try:
        process = sandbox._start(["readlink", "/proc/self/ns/net"], network=network)
        out, _ = process.communicate(timeout=20)
        jobs_namespace = os.readlink(f"/proc/{network.holder_pid}/ns/net")
    finally:
        network.close()
    assert process.returncode == 0
    assert out.decode().strip() == jobs_namespace != os.readlink("/proc/self/ns/net")
    assert all(start["preexec"] is None for start in popens), popens
    job = popens[-1]["argv"]
    assert job[0].endswith("nsenter") and f"--net=/proc/{network.holder_pid}/ns/net" in job
    assert job[job.index("--") + 1].endswith("setpriv")  # PDEATHSIG set last, right before the job


def test_a_job_is_killed_when_the_worker_thread_that_started_it_ends() -> None:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process = sandbox._start(["sleep", "60"])
        started.append(process)
        # setpriv sets the signal, then execs the job: a thread that ended before that (within a
        # millisecond of the start) would leave the job to its own time limit.
        deadline = time.monotonic() + 20
        while (
            Path(f"/proc/{process.pid}/comm").read_text().strip() != "sleep" and time.monotonic() < deadline
        ):
            time.sleep(0.005)

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    [process] = started
    assert process.wait(timeout=20) == -signal.SIGKILL


def test_jobs_start_from_threads_while_another_thread_evaluates_flow_expressions() -> None:
    from kiln.flows.expressions import evaluate

    stop = threading.Event()

    def evaluating() -> None:
        while not stop.is_set():
            assert evaluate("[1, 2].map(x => x * 2)", {"xs": list(range(50))}) == [2, 4]

    def spawning(failures: list[BaseException]) -> None:
        try:
            for _ in range(60):
                process = sandbox._start(["true"])
                process.communicate(timeout=20)
                assert process.returncode == 0
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    assert evaluate("1 + 1", {}) == 2  # this thread has an engine too
    failures: list[BaseException] = []
    spinner = threading.Thread(target=evaluating, daemon=True)
    spinner.start()
    spawners = [threading.Thread(target=spawning, args=(failures,), daemon=True) for _ in range(2)]
    for thread in spawners:
        thread.start()
    for thread in spawners:
        thread.join(timeout=90)
    stop.set()
    assert not any(t.is_alive() for t in spawners), "a job's Popen hung"
    assert failures == []
