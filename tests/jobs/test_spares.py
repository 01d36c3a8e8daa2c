"""Spare sandboxes (jobs/warm.py): one-shot jails started before their jobs arrive.

Real nsjail, real runner processes, jobs through JobRunner.run() as every job. In a jail the
first process is pid 1: a cold job's wrapper is pid 1, a job on a spare is the runner's child.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiln.accounts.models import User, Workspace
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.jobs.sandbox import host_networks, ip_binary, network_check
from kiln.jobs.selectors import job_logs
from kiln.jobs.services import job_create
from kiln.jobs.warm import WarmRunner, pool
from kiln.scripts.services import script_save

pytestmark = pytest.mark.sandbox

PROBE = """
import os, subprocess, sys, time

def main(mark: str = "", linger: bool = False, sleep: float = 0, spin: bool = False, connect: str = ""):
    found = {
        "pid": os.getpid(),
        "tmp": sorted(os.listdir("/tmp")),
        "shm": sorted(os.listdir("/dev/shm")),
        "job": sorted(os.listdir(os.environ["KILN_JOB_DIR"])),
        "procs": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "routes": open("/proc/net/route").read(),
        "job_id": os.environ["KILN_JOB_ID"],
    }
    if connect:
        import socket

        host, port = connect.rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            found["connect"] = "connected"
        except OSError as exc:
            found["connect"] = type(exc).__name__
    if mark:
        for place in ("/tmp", "/dev/shm", os.environ["KILN_JOB_DIR"]):
            with open(os.path.join(place, mark), "w") as fh:
                fh.write(mark)
    if linger:  # a process that outlives the job, in a session of its own
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(61.25)"], start_new_session=True)
        time.sleep(0.2)
    time.sleep(sleep)
    while spin:
        pass
    return found
"""


@pytest.fixture
def spares(settings: Any, sandbox_available: None) -> Any:
    settings.KILN_SPARE_SANDBOXES = 2
    settings.KILN_SPARE_MAX = 4
    settings.KILN_WARM_RUNNERS = False
    return settings


@pytest.fixture
def save(workspace: Workspace, owner: User) -> Callable[..., Any]:
    def save_script(content: str = PROBE, path: str = "u/ada/probe", **settings: Any) -> Any:
        return script_save(
            workspace=workspace, user=owner, path=path, language="python3", content=content, settings=settings
        ).version

    return save_script


@pytest.fixture
def run(workspace: Workspace, owner: User) -> Callable[..., Job]:
    def run_job(version: Any, args: dict[str, Any] | None = None) -> Job:
        job = job_create(workspace=workspace, user=owner, version=version, args=args or {})
        finished = JobRunner(str(job.id)).run()
        assert finished is not None
        return finished

    return run_job


def spare_dirs() -> set[str]:
    pool.settle()  # what the background thread was asked to start (or close) is done
    return {r["dir"] for r in pool.stats() if r["spare"]}


def lingering(marker: str) -> list[int]:
    """Host pids whose command line carries `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_the_next_jobs_run_on_spares_each_used_once(spares: Any, save: Any, run: Any) -> None:
    version = save()
    first = run(version)  # the first run resolves the lock, cold; then spares start for the next
    assert first.status == JobStatus.SUCCESS, (first.error, job_logs(job=first))
    assert first.result["pid"] == 1  # a cold job: nsjail ran the wrapper itself
    ready = spare_dirs()
    assert len(ready) == 2 and all(name.startswith("spare-") for name in ready)

    second = run(version)
    assert second.status == JobStatus.SUCCESS, (second.error, job_logs(job=second))
    assert second.result["pid"] != 1  # the spare's runner forked it
    assert second.result["job_id"] == str(second.id)
    now = spare_dirs()
    assert len(now) == 2 and len(now & ready) == 1  # the used one is gone; a new one took its place
    (used,) = ready - now
    assert not (Path(spares.KILN_JOBS_DIR) / used).exists()  # its jail and its job dir went with it


def test_nothing_a_job_on_a_spare_leaves_reaches_the_next_job(spares: Any, save: Any, run: Any) -> None:
    version = save()
    run(version)
    clean = run(version).result
    assert clean["job"] == ["main.py", "sdk.sock"]
    left = run(version, {"mark": "ada1", "linger": True})
    assert left.status == JobStatus.SUCCESS, (left.error, job_logs(job=left))
    after = run(version).result
    assert after["tmp"] == clean["tmp"] and after["shm"] == clean["shm"] and after["job"] == clean["job"]
    assert "ada1" not in json.dumps(after)
    assert len(after["procs"]) == 2  # its runner (pid 1) and itself
    deadline = time.monotonic() + 5
    while lingering("61.25") and time.monotonic() < deadline:  # gone with the spare's jail
        time.sleep(0.05)
    assert lingering("61.25") == []


@pytest.fixture
def pasta_available(sandbox_available: None) -> None:
    reason = network_check()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the network tests: {reason}")
        pytest.skip(reason)


@pytest.fixture
def host_service() -> Iterator[str]:
    """A TCP service of the host's on every address, as seen at one of its own addresses."""
    own = [net for net in host_networks(ip_binary() or "ip") if net.prefixlen == 32]
    address = next((str(net.network_address) for net in own if not net.is_loopback), None)
    if address is None:
        pytest.skip("the host has no address but loopback")
    server = socket.socket()
    server.bind(("0.0.0.0", 0))
    server.listen(8)
    yield f"{address}:{server.getsockname()[1]}"
    server.close()


def test_a_spare_has_its_jobs_network_and_fence(
    spares: Any, save: Any, run: Any, pasta_available: None, host_service: str
) -> None:
    internet = save(path="u/ada/net", network="internet")
    offline = save(path="u/ada/off", network="none")
    for version in (internet, offline):
        run(version)  # cold, then spares
    pool.settle()  # both versions' spares started (each version's next job finds one)
    on_spare = run(internet, {"connect": host_service})
    assert on_spare.status == JobStatus.SUCCESS, (on_spare.error, job_logs(job=on_spare))
    assert on_spare.result["pid"] != 1
    assert "eth0" in on_spare.result["routes"]  # pasta's interface, with its default route
    assert on_spare.result["connect"] != "connected"  # the host stays fenced off
    off_spare = run(offline, {"connect": host_service}).result
    assert off_spare["pid"] != 1 and len(off_spare["routes"].splitlines()) == 1  # the header only
    assert off_spare["connect"] != "connected"


class TestLimits:
    def test_a_timeout(self, spares: Any, save: Any, run: Any) -> None:
        version = save(limits={"timeout_s": 1})
        run(version)
        job = run(version, {"sleep": 30})
        assert (job.status, job.error["message"]) == (
            JobStatus.TIMEOUT,
            "the job ran past its time limit of 1s",
        )
        assert job.duration_ms < 5000
        again = run(version)
        assert again.status == JobStatus.SUCCESS and again.result["pid"] != 1

    def test_the_cpu_limit(self, spares: Any, save: Any, run: Any) -> None:
        version = save(limits={"timeout_s": 20, "cpu_s": 1})
        run(version)
        job = run(version, {"spin": True})
        assert (job.status, job.error["name"]) == (JobStatus.FAILURE, "CpuLimitExceeded"), job.error

    def test_an_error_is_a_cold_jobs(self, spares: Any, save: Any, run: Any) -> None:
        version = save("def main():\n    raise ValueError('asked to fail')\n")
        cold = run(version)
        on_spare = run(version)
        assert [j.error["name"] for j in (cold, on_spare)] == ["ValueError"] * 2
        assert cold.error["message"] == on_spare.error["message"] == "asked to fail"
        assert 'File "/job/main.py", line 2, in main' in on_spare.error["traceback"]
        assert "python_warm" not in on_spare.error["traceback"]


class TestHowManySpares:
    def test_off(self, spares: Any, save: Any, run: Any) -> None:
        spares.KILN_SPARE_SANDBOXES = 0
        version = save()
        assert [run(version).result["pid"] for _ in range(3)] == [1, 1, 1]
        assert spare_dirs() == set()

    def test_at_most_kiln_spare_max_per_process_the_least_recently_used_go(
        self, spares: Any, save: Any, run: Any
    ) -> None:
        spares.KILN_SPARE_MAX = 2
        first = save(path="u/ada/one")
        second = save("def main():\n    return 2\n", path="u/ada/two")
        run(first)
        assert len(spare_dirs()) == 2
        run(second)
        assert len(spare_dirs()) == 2  # the other script's spares made room
        assert run(second).result == 2
        assert {r["code_hash"] for r in pool.stats()} == {pool.stats()[0]["code_hash"]}

    def test_closed_when_idle(self, spares: Any, save: Any, run: Any) -> None:
        version = save()
        run(version)
        assert len(spare_dirs()) == 2
        spares.KILN_SPARE_IDLE_SECONDS = 0
        spares.KILN_WARM_IDLE_SECONDS = 3600
        pool.reap_idle()
        assert spare_dirs() == set()
        assert run(version).result["pid"] == 1  # cold again, and spares again after it
        assert len(spare_dirs()) == 2

    def test_a_warm_runner_takes_over_from_spares(self, spares: Any, save: Any, run: Any) -> None:
        spares.KILN_WARM_RUNNERS = True
        spares.KILN_WARM_HOT_RUNS = 3
        version = save()
        pids = [run(version).result["pid"] for _ in range(3)]
        assert pids[0] == 1 and pids[1] != 1 and pids[2] != 1  # cold, a spare, a spare
        pool.settle()  # the third run made the code hot: its warm runner started meanwhile
        stats = pool.stats()
        assert [r["spare"] for r in stats] == [False], stats  # the spares went with it
        job = run(version)
        assert job.result["pid"] != 1 and pool.stats()[0]["jobs"] == 1


class TestARunnerEndsWithItsWorker:
    """A runner starts without PR_SET_PDEATHSIG (so that starting one is a vfork); it ends by
    itself when its stdin, held by the worker, closes: between jobs and mid-job."""

    def take_spare(self, save: Any, run: Any) -> WarmRunner:
        version = save()
        run(version)
        spare_dirs()
        key = next(iter(pool.spares))
        runner = pool.take_spare(key)
        assert runner is not None and runner.wait_ready()
        return runner

    def ended(self, runner: WarmRunner) -> bool:
        try:
            runner.process.wait(timeout=5)
        except Exception:
            return False
        return True

    def test_idle(self, spares: Any, save: Any, run: Any) -> None:
        runner = self.take_spare(save, run)
        runner.process.stdin.close()
        assert self.ended(runner)
        runner.close()

    def test_mid_job(self, spares: Any, save: Any, run: Any) -> None:
        runner = self.take_spare(save, run)
        (runner.directory / "args.json").write_text(json.dumps({"sleep": 60, "linger": True}))
        (runner.directory / "args.json").chmod(0o644)
        runner.send({"env": {"KILN_JOB_ID": "x"}, "cpu_s": 100})
        time.sleep(0.5)
        assert runner.alive()
        runner.process.stdin.close()
        assert self.ended(runner)
        deadline = time.monotonic() + 5
        while lingering("61.25") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lingering("61.25") == []
        runner.close()
