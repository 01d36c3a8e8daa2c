"""Warm runners (jobs/warm.py): pre-started sandboxes that take one script version's jobs.

Real nsjail, real runner processes: the jobs go through JobRunner.run() as every job does.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from kiln.accounts.models import User, Workspace
from kiln.jobs import warm
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.runner import JobRunner
from kiln.jobs.selectors import job_logs
from kiln.jobs.services import job_create
from kiln.jobs.warm import pool
from kiln.scripts.services import script_save

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


@pytest.fixture
def save(sandbox_available: None, workspace: Workspace, owner: User) -> Callable[..., Any]:
    def save_script(content: str, path: str = "u/ada/w", warm: bool = True, **settings: Any) -> Any:
        return script_save(
            workspace=workspace,
            user=owner,
            path=path,
            language="python3",
            content=content,
            settings={"warm": warm, **settings},
        ).version

    return save_script


@pytest.fixture
def start(workspace: Workspace, owner: User) -> Callable[..., Job]:
    def create(version: Any, args: dict[str, Any] | None = None, user: User | None = None) -> Job:
        return job_create(workspace=workspace, user=user or owner, version=version, args=args or {})

    return create


@pytest.fixture
def run(start: Callable[..., Job]) -> Callable[..., Job]:
    def run_job(version: Any, args: dict[str, Any] | None = None, user: User | None = None) -> Job:
        job = start(version, args, user)
        finished = JobRunner(str(job.id)).run()
        assert finished is not None
        return finished

    return run_job


def runners() -> list[dict[str, Any]]:
    return pool.stats()


def seen() -> list[tuple[str, int, bool]]:
    """Each runner's directory, jobs run and whether it is a successor not serving yet."""
    return [(r["dir"], r["jobs"], r["successor"]) for r in pool.stats()]


COUNTER = """
import os
import sys

SEEN = []


def main(n: int):
    SEEN.append(n)
    print(f"pid {os.getpid()} n {n}")
    print("to stderr", file=sys.stderr)
    return {"seen": list(SEEN), "job": os.environ.get("KILN_JOB_ID")}
"""


def test_a_warm_script_runs_on_one_runner_and_each_job_starts_clean(save: Any, run: Any) -> None:
    version = save(COUNTER)
    first = run(version, {"n": 1})  # the first run resolves the lock (cold)
    jobs = [run(version, {"n": n}) for n in (2, 3, 4)]
    for job in [first, *jobs]:
        assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert [job.result["seen"] for job in jobs] == [[2], [3], [4]]  # module state never carries over
    assert [job.result["job"] for job in jobs] == [str(job.id) for job in jobs]
    logs = job_logs(job=jobs[-1])
    assert "n 4\n" in logs and "to stderr\n" in logs and "n 3" not in logs
    (runner,) = runners()
    assert runner["jobs"] == 3 and runner["marked"] and runner["alive"]


def warm_twice(save: Any, run: Any, content: str, **settings: Any) -> Any:
    """Save a warm script and run it once (cold: its lock is resolved); the next job is warm."""
    version = save(content, **settings)
    first = run(version)
    assert first.status == JobStatus.SUCCESS, (first.error, job_logs(job=first))
    assert len(runners()) == 1
    return version


PROBE = """
import os, subprocess, sys, time

def main(mark: str = "", linger: bool = False):
    found = {
        "tmp": sorted(os.listdir("/tmp")),
        "shm": sorted(os.listdir("/dev/shm")),
        "job": sorted(os.listdir(os.environ["KILN_JOB_DIR"])),
        "procs": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "env": sorted(k for k in os.environ if k.startswith("SECRET")),
    }
    if mark:
        for place in ("/tmp", "/dev/shm", os.environ["KILN_JOB_DIR"]):
            with open(os.path.join(place, mark), "w") as fh:
                fh.write(mark)
        os.environ["SECRET_" + mark] = mark
    if linger:  # a process that outlives the job, in a session of its own
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
        time.sleep(0.2)
    return found
"""


def test_nothing_a_job_leaves_reaches_the_next_job_or_another_users_script(
    save: Any, run: Any, member: User, workspace: Workspace
) -> None:
    grace = member
    mine = warm_twice(save, run, PROBE, path="u/ada/probe")
    theirs = script_save(
        workspace=workspace,
        user=grace,
        path="u/grace/probe",
        language="python3",
        content=PROBE,
        settings={"warm": True},
    ).version
    assert run(theirs, user=grace).status == JobStatus.SUCCESS
    assert len(runners()) == 2  # one runner per version, the same code or not: never shared

    # What a job sees before any job left anything: /tmp holds only the jail's own mount points
    # (a checkout or data dir under /tmp, as on CI), /job only what the worker put there.
    fresh = run(mine).result
    assert "ada1" not in str(fresh) and fresh["job"] == ["main.py", "sdk.sock"]
    left = run(mine, {"mark": "ada1", "linger": True})
    assert left.status == JobStatus.SUCCESS, (left.error, job_logs(job=left))
    after = run(mine)
    assert after.status == JobStatus.SUCCESS
    assert after.result["tmp"] == fresh["tmp"] and after.result["shm"] == fresh["shm"]
    assert after.result["job"] == fresh["job"]
    assert len(after.result["procs"]) == 2  # the runner (pid 1) and this job: the lingering one is gone
    assert after.result["env"] == []
    other = run(theirs, {"mark": "grace1"}, user=grace)
    assert "ada1" not in str(other.result)
    assert run(mine).result["tmp"] == fresh["tmp"]
    assert sorted(r["jobs"] for r in runners()) == [1, 4]


def test_errors_tracebacks_and_module_code_are_a_cold_jobs(save: Any, run: Any) -> None:
    source = (
        "print('module code runs for every job')\n"
        "def main(fail: bool = False):\n"
        "    if fail:\n"
        "        raise ValueError('asked to fail')\n"
        "    return 'ok'\n"
    )
    version = warm_twice(save, run, source)
    job = run(version, {"fail": True})
    assert (job.status, job.error["name"], job.error["message"]) == (
        JobStatus.FAILURE,
        "ValueError",
        "asked to fail",
    )
    assert 'File "/job/main.py", line 4, in main' in job.error["traceback"]
    assert "python_warm" not in job.error["traceback"] and "python_wrapper" not in job.error["traceback"]
    logs = job_logs(job=job)
    assert logs.startswith("module code runs for every job\n") and "ValueError: asked to fail" in logs
    ok = run(version)
    assert (ok.status, ok.result) == (JobStatus.SUCCESS, "ok")
    assert runners()[0]["jobs"] == 2


def test_a_secret_and_the_job_token_are_masked_in_a_warm_jobs_log(save: Any, run: Any) -> None:
    source = (
        "import os\ndef main():\n    print('token', os.environ['KILN_TOKEN'])\n"
        "    return len(os.environ['KILN_TOKEN'])\n"
    )
    version = warm_twice(save, run, source)
    job = run(version)
    assert job.status == JobStatus.SUCCESS and job.result > 10
    assert job_logs(job=job) == "token *****\n"


def test_progress_and_the_sdk_work_on_a_warm_runner(save: Any, run: Any, transactional_db: None) -> None:
    source = (
        "import kiln\n"
        "def main():\n"
        "    kiln.set_progress(70)\n"
        "    kiln.set_state({'n': (kiln.get_state() or {}).get('n', 0) + 1})\n"
        "    return kiln.get_state()\n"
    )
    version = warm_twice(save, run, source)
    job = run(version)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == {"n": 2} and job.progress == 100  # reported (70), then ended well
    assert runners()[0]["jobs"] == 1


ECHO_ARGS = """
import hashlib, os

def main(text: str = "", items: list | None = None):
    return {
        "sha": hashlib.sha256(text.encode()).hexdigest(),
        "items": items,
        "args_file": os.path.exists("args.json"),
    }
"""


def test_arguments_come_on_the_runners_pipe_large_or_odd(save: Any, run: Any) -> None:
    """A warm job's arguments travel in its command line (no args.json), whole: 3 MB of text
    with newlines and non-ASCII, read in many pieces by the runner and the job's process."""
    import hashlib

    version = warm_twice(save, run, ECHO_ARGS)
    text = ('line é ✓ "quoted"\n' * 150_000)[:3_000_000]
    items = [1, "two\nlines", {"k": None}, {"last": True}]  # "last" ended a runner once (a key commands had)
    for _ in range(2):  # the next job's process reads its own command as well
        job = run(version, {"text": text, "items": items})
        assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
        expected = hashlib.sha256(text.encode()).hexdigest()
        assert job.result == {"sha": expected, "items": items, "args_file": False}
    assert runners()[0]["jobs"] == 2


MODULES = """
import sys

def main():
    names = ("ki" + "ln", "http.client", "ssl")  # the word itself would count as naming the SDK
    return {name: name in sys.modules for name in names}
"""


def test_the_sdks_http_client_is_in_the_template_only_for_a_script_that_names_kiln(
    save: Any, run: Any
) -> None:
    """A script that never names kiln gets the SDK (cheap) but not what its first request
    imports (http.client, ssl: 6 MB of every job's fork and exit); one that does gets both."""
    plain = warm_twice(save, run, MODULES)
    job = run(plain)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == {"kiln": True, "http.client": False, "ssl": False}

    naming = save(MODULES.replace("import sys", "import sys  # may call kiln.run_script"), path="u/ada/w2")
    run(naming)
    job = run(naming)
    assert job.status == JobStatus.SUCCESS, (job.error, job_logs(job=job))
    assert job.result == {"kiln": True, "http.client": True, "ssl": True}


def descendants(pid: int) -> set[int]:
    """The live processes under `pid` (from /proc: a jail's processes are seen from outside)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":  # a zombie is gone already, waiting to be reaped
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def waiting_in(jail: int) -> set[int]:
    """The jail's processes once the runner has forked the next job's process, which it does
    after answering for the job before: a moment after the job's end."""
    deadline = time.monotonic() + 5
    while len(found := descendants(jail)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return found


def test_the_next_jobs_process_waits_in_the_jail_and_goes_with_the_runner(save: Any, run: Any) -> None:
    version = warm_twice(save, run, "import os\n\ndef main():\n    return os.getpid()\n")
    first = run(version).result  # on the runner: it is up
    (runner,) = pool.runners.values()
    jail = runner.process.pid
    waiting = waiting_in(jail)
    assert len(waiting) == 2  # the runner (pid 1 in the jail) and the next job's process, forked
    pids = [first, *(run(version).result for _ in range(3))]
    assert len(set(pids)) == 4  # each job in a process of its own, forked after the one before
    last = waiting_in(jail)
    assert len(last) == 2 and last != waiting
    pool.close_all()
    deadline = time.monotonic() + 5
    while alive := [pid for pid in last if os.path.exists(f"/proc/{pid}")]:
        assert time.monotonic() < deadline, f"a runner's processes outlived it: {alive}"
        time.sleep(0.05)


class TestLimits:
    """A warm job has a cold job's limits; a job stopped by one takes its runner with it."""

    def test_a_timeout_ends_the_job_and_a_new_runner_takes_the_next(self, save: Any, run: Any) -> None:
        source = "import time\ndef main(s: float = 0):\n    time.sleep(s)\n    return s\n"
        # 3 s, not 1: the first run is cold (a jail and an interpreter to start), and CI once
        # saw a loaded machine take more than 1 s over it.
        version = warm_twice(save, run, source, limits={"timeout_s": 3})
        before = runners()[0]["dir"]
        job = run(version, {"s": 30})
        assert (job.status, job.error["message"]) == (
            JobStatus.TIMEOUT,
            "the job ran past its time limit of 3s",
        )
        assert job.duration_ms < 8000
        assert runners() == []  # stopped with its job; a marked version gets a new one on the next
        again = run(version, {"s": 0})
        assert again.status == JobStatus.SUCCESS
        assert runners()[0]["dir"] != before

    def test_cpu_limit(self, save: Any, run: Any) -> None:
        source = "def main(spin: bool = False):\n    while spin:\n        pass\n    return 1\n"
        version = warm_twice(save, run, source, limits={"timeout_s": 20, "cpu_s": 1})
        job = run(version, {"spin": True})
        assert (job.status, job.error["name"]) == (JobStatus.FAILURE, "CpuLimitExceeded"), job.error
        assert run(version).status == JobStatus.SUCCESS  # the runner itself was not hurt
        assert runners()[0]["jobs"] == 2

    def test_memory_limit(self, save: Any, run: Any) -> None:
        source = (
            "def main(hog: bool = False):\n    data = []\n"
            "    while hog:\n        data.append(bytearray(64 * 1024 * 1024))\n    return 1\n"
        )
        version = warm_twice(save, run, source, limits={"timeout_s": 30, "memory_mb": 256})
        job = run(version, {"hog": True})
        assert job.status == JobStatus.FAILURE
        assert job.error["name"] in {"MemoryError", "MemoryLimitExceeded"}
        assert job.error["message"].startswith("memory limit exceeded")
        assert run(version).status == JobStatus.SUCCESS

    def test_a_cancel_stops_a_running_warm_job(
        self, save: Any, start: Any, run: Any, owner: User, transactional_db: None
    ) -> None:
        from kiln.jobs.cancel import job_cancel

        source = "import time\ndef main(s: float = 0):\n    print('started', flush=True)\n    time.sleep(s)\n"
        version = warm_twice(save, run, source)
        job = start(version, {"s": 60})
        thread = threading.Thread(target=JobRunner(str(job.id)).run)
        thread.start()
        deadline = time.monotonic() + 20
        while Job.objects.get(pk=job.pk).status != JobStatus.RUNNING and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        job_cancel(job=Job.objects.get(pk=job.pk), user=owner)
        thread.join(timeout=30)
        job.refresh_from_db()
        assert job.status == JobStatus.CANCELED, (job.error, job_logs(job=job))
        assert "started" in job_logs(job=job)
        assert run(version).status == JobStatus.SUCCESS


class TestWhichVersionsAreWarm:
    def test_hot_by_traffic(self, save: Any, run: Any, settings: Any) -> None:
        settings.KILN_WARM_HOT_RUNS = 3
        version = save("def main():\n    return 1\n", warm=False)
        assert [run(version).status for _ in range(2)] == [JobStatus.SUCCESS] * 2
        assert runners() == []
        run(version)  # the third run within the window: the code is hot, a runner takes it
        assert len(runners()) == 1 and not runners()[0]["marked"]
        run(version)
        assert runners()[0]["jobs"] == 2

    def test_warm_runners_off(self, save: Any, run: Any, settings: Any) -> None:
        settings.KILN_WARM_RUNNERS = False
        settings.KILN_WARM_HOT_RUNS = 1
        version = save("def main():\n    return 1\n")
        assert [run(version).status for _ in range(3)] == [JobStatus.SUCCESS] * 3
        assert runners() == []

    def test_other_languages_and_a_new_version_run_cold(
        self, save: Any, run: Any, workspace: Workspace, owner: User
    ) -> None:
        version = warm_twice(save, run, "def main():\n    return 1\n")
        newer = save("def main():\n    return 2\n")
        assert run(newer).result == 2 and run(newer).result == 2
        assert len(runners()) == 2
        bash = script_save(
            workspace=workspace,
            user=owner,
            path="u/ada/b",
            language="bash",
            content="echo hi\n",
            settings={"warm": True},
        ).version
        assert run(bash).status == JobStatus.SUCCESS and run(bash).status == JobStatus.SUCCESS
        assert len(runners()) == 2
        assert run(version).result == 1


def worn_once(save: Any, run: Any, settings: Any) -> tuple[Any, Any]:
    """A warm script whose runner is worn after each job: run once warm, so its successor has
    been started. Returns the version and the successor (maybe not ready yet)."""
    settings.KILN_WARM_MAX_JOBS = 1
    version = warm_twice(save, run, "def main():\n    return 1\n")
    run(version)
    pool.settle()
    [successor] = [r for r in pool.successors.values() if r is not None]
    return version, successor


class TestRecycling:
    def test_after_n_jobs_a_successor_takes_over_once_ready(self, save: Any, run: Any, settings: Any) -> None:
        settings.KILN_WARM_MAX_JOBS = 2
        version = warm_twice(save, run, "def main():\n    return 1\n")
        [first] = runners()
        run(version)
        assert seen() == [(first["dir"], 1, False)]
        run(version)  # its second job: worn, it serves on while its successor starts
        pool.settle()
        [worn, successor] = seen()
        assert worn == (first["dir"], 2, False)
        assert successor[1:] == (0, True) and successor[0] != first["dir"]
        [waiting] = [r for r in pool.successors.values() if r is not None]
        assert waiting.wait_ready()
        old = pool.runners[waiting.key]
        assert run(version).result == 1  # on the successor, now ready: no job waited for it
        pool.settle()  # the worn runner is closed in the background
        assert seen() == [(successor[0], 1, False)]
        assert not old.alive() and not old.directory.exists()

    def test_a_worn_runner_serves_until_its_successor_is_ready(
        self, save: Any, run: Any, settings: Any
    ) -> None:
        version, successor = worn_once(save, run, settings)
        successor.process.kill()  # it ends before it is ready
        successor.process.wait()
        assert run(version).result == 1  # the worn runner again
        pool.settle()
        assert seen()[0][1:] == (2, False)  # the worn runner: its second job
        [again] = [r for r in pool.successors.values() if r is not None]  # another successor
        assert again is not successor and again.wait_ready()
        assert not successor.directory.exists()
        assert run(version).result == 1
        pool.settle()
        assert seen()[0] == (again.directory.name, 1, False)  # worn in turn: a successor of its own

    def test_close_all_closes_a_successor_too(self, save: Any, run: Any, settings: Any) -> None:
        _, successor = worn_once(save, run, settings)
        pool.close_all()
        assert runners() == [] and pool.successors == {}
        assert not successor.alive() and not successor.directory.exists()

    def test_when_idle(self, save: Any, run: Any, settings: Any) -> None:
        settings.KILN_WARM_HOT_RUNS = 2
        hot = save("def main():\n    return 'hot'\n", path="u/ada/hot", warm=False)
        run(hot), run(hot)
        marked = save("def main():\n    return 'marked'\n", path="u/ada/marked")
        run(marked)
        assert len(runners()) == 2
        [old] = [r for r in pool.runners.values() if r.marked]
        settings.KILN_WARM_IDLE_SECONDS = 0
        assert pool.reap_idle() == 2  # the hot one closed; the marked one's renewal begun
        pool.settle()
        [kept, (fresh, jobs, is_successor)] = seen()  # it serves on while its successor starts
        assert kept[0] == old.directory.name and (jobs, is_successor) == (0, True)
        [successor] = [r for r in pool.successors.values() if r is not None]
        assert successor.wait_ready()
        assert run(marked).result == "marked"  # on the successor, ready: no job waited for it
        pool.settle()
        assert seen() == [(fresh, 1, False)]
        assert not old.alive() and not old.directory.exists()
        assert run(hot).result == "hot"

    def test_an_idle_runner_hands_over_without_a_job(self, save: Any, run: Any, settings: Any) -> None:
        marked = save("def main():\n    return 'marked'\n", path="u/ada/marked")
        run(marked)
        [old] = pool.runners.values()
        settings.KILN_WARM_IDLE_SECONDS = 0
        assert pool.reap_idle() == 1
        pool.settle()
        [successor] = [r for r in pool.successors.values() if r is not None]
        assert pool.reap_idle() == 1  # idle still: the successor takes over
        assert list(pool.runners.values()) == [successor] and pool.successors == {}
        pool.settle()
        assert not old.alive() and not old.directory.exists()
        assert run(marked).result == "marked"
        assert seen() == [(successor.directory.name, 1, False)]

    def test_an_idle_runner_whose_successor_cannot_start_is_started_again(
        self, save: Any, run: Any, settings: Any, monkeypatch: Any
    ) -> None:
        marked = save("def main():\n    return 'marked'\n", path="u/ada/marked")
        run(marked)
        [old] = pool.runners.values()
        real, calls = warm._started, []

        def first_fails(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            return None if len(calls) == 1 else real(*args, **kwargs)

        monkeypatch.setattr(warm, "_started", first_fails)  # the successor cannot start
        settings.KILN_WARM_IDLE_SECONDS = 0
        assert pool.reap_idle() == 1
        pool.settle()
        assert len(calls) == 2 and pool.successors == {}  # the successor, then the runner again
        assert not old.alive() and not old.directory.exists()
        [(name, jobs, is_successor)] = seen()  # started again, as before there were successors
        assert name != old.directory.name and (jobs, is_successor) == (0, False)
        assert run(marked).result == "marked"

    def test_a_script_whose_import_fails_fails_each_time(self, save: Any, run: Any) -> None:
        # An empty PEP 723 block turns off dependency inference: the import fails at run time.
        source = (
            "# /// script\n# dependencies = []\n# ///\n"
            "import not_a_module_anywhere\n\ndef main():\n    return 1\n"
        )
        version = save(source)
        jobs = [run(version) for _ in range(3)]
        assert [j.error["name"] for j in jobs] == ["ModuleNotFoundError"] * 3
        assert runners()[0]["jobs"] == 2  # the runner is fine: each job's import fails, in the job


OUTCOMES = """
import os

def main(how: str = "fine"):
    if how == "large":
        return "x" * (16 * 1024 * 1024 + 1)
    if how == "none":
        os._exit(0)
    return how
"""


@pytest.mark.parametrize("warm", [True, False])
def test_a_result_too_large_or_missing_then_a_clean_next_job(save: Any, run: Any, warm: bool) -> None:
    version = save(OUTCOMES, warm=warm)
    assert run(version).result == "fine"  # cold: its lock is resolved
    large = run(version, {"how": "large"})
    assert (large.status, large.error["name"]) == (JobStatus.FAILURE, "ResultTooLarge")
    missing = run(version, {"how": "none"})  # the last job's result.json is gone: not this one's
    assert (missing.status, missing.error["name"]) == (JobStatus.FAILURE, "NoResult")
    assert run(version, {"how": "again"}).result == "again"
    if warm:
        assert runners()[0]["jobs"] == 3  # all three on the warm runner


REWRITE = """
import os

def main(rewrite: bool = False):
    if rewrite:
        path = os.path.join(os.environ["KILN_JOB_DIR"], "main.py")
        os.unlink(path)
        with open(path, "w") as fh:
            fh.write("def main(**kwargs):\\n    return 'injected'\\n")
    return "original"
"""


def test_a_job_that_rewrites_main_py_does_not_change_the_code_of_the_next_runner(
    save: Any, run: Any, settings: Any
) -> None:
    settings.KILN_WARM_MAX_JOBS = 2
    version = warm_twice(save, run, REWRITE)
    assert run(version, {"rewrite": True}).result == "original"  # main.py replaced in its directory
    assert run(version).result == "original"  # worn: its successor starts
    pool.settle()
    [successor] = [r for r in pool.successors.values() if r is not None]
    assert successor.wait_ready()
    assert (successor.directory / "main.py").read_text() == REWRITE  # the code it was saved with
    assert run(version).result == "original"  # on the successor, for whoever runs the script next


LINKS = """
import os

def main(target: str = "", name: str = ""):
    if not target:
        return "plain"
    os.symlink(target, os.path.join(os.environ["KILN_JOB_DIR"], name))
    if name == "progress":
        return "with a linked progress file"
    os._exit(1 if name == "error.json" else 0)
"""


@pytest.mark.parametrize("warm", [True, False])
def test_outcome_files_that_link_out_of_the_jail_are_not_followed(
    save: Any, run: Any, warm: bool, tmp_path: Any
) -> None:
    secret = tmp_path / "secret.json"  # a host file, outside every jail
    secret.write_text('{"name": "Leaked", "message": "host secret", "traceback": "host secret"}')
    version = save(LINKS, warm=warm)
    assert run(version).result == "plain"
    result = run(version, {"target": str(secret), "name": "result.json"})
    assert (result.status, result.error["name"]) == (JobStatus.FAILURE, "InvalidResult")
    assert result.result is None and "host secret" not in str(result.error)
    error = run(version, {"target": str(secret), "name": "error.json"})
    assert error.status == JobStatus.FAILURE and "host secret" not in str(error.error)
    assert error.error["message"] == "the job failed and its error file was unreadable"
    progress = run(version, {"target": "/dev/zero", "name": "progress"})  # not read for ever
    assert (progress.status, progress.result, progress.progress) == (
        JobStatus.SUCCESS,
        "with a linked progress file",
        None,
    )
    assert run(version).result == "plain"


def test_a_directory_named_result_json_does_not_outlive_its_job(save: Any, run: Any) -> None:
    source = (
        "import os\n\ndef main(block: bool = False):\n    if block:\n"
        "        os.mkdir(os.path.join(os.environ['KILN_JOB_DIR'], 'result.json'))\n"
        "        os._exit(0)\n    return 'fine'\n"
    )
    version = warm_twice(save, run, source)
    blocked = run(version, {"block": True})
    assert (blocked.status, blocked.error["name"]) == (JobStatus.FAILURE, "InvalidResult")
    assert run(version).result == "fine"  # the next job, on the same runner, writes its result
    assert runners()[0]["jobs"] == 2


def test_a_worker_process_starts_the_runners_of_marked_scripts(save: Any, run: Any) -> None:
    from kiln.jobs.runner import warm_prestart

    version = warm_twice(save, run, "def main():\n    return 1\n")
    save("def main():\n    return 'never ran'\n", path="u/ada/new")
    save("def main():\n    return 'not warm'\n", path="u/ada/cold", warm=False)
    queue = Job.objects.get(script_version=version).queue
    pool.close_all()
    assert warm_prestart({"some-other-tag"}) == 0
    assert warm_prestart({queue}) == 1  # the marked script that ran: its runner, shaped by its last job
    job = run(version)
    assert job.status == JobStatus.SUCCESS and runners()[0]["jobs"] == 1
    assert warm_prestart({queue}) == 0  # there is one already
