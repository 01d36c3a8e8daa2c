"""Warm runners: pre-started sandboxes that take one script version's jobs over a pipe.

A cold job starts nsjail and a fresh interpreter (~60 ms for a trivial Python job). A warm
runner is that jail started once, with an interpreter that has already set up sys.path, imported
what the script imports and compiled it (scripts_runtime/wrappers/python_warm.py); each job is
a fork of it (~1 ms), so its memory starts from the same clean template every time.

- **One runner, one version.** A runner is keyed by everything that shapes its jail: the code's
  hash, the dependency lock, the limits, the network and the sandbox mode. It never runs anything
  else, so two scripts (or two users' scripts) never share a process, a /tmp or a job dir.
- **Between jobs** the runner kills every process the job left (the jail's PID namespace), removes
  what the job added to /tmp and /dev/shm, and empties the job dir. The worker sends the
  arguments with the job's command on the runner's pipe (a cold job's args.json) and reads
  result.json/error.json as for a cold job; logs are the jail's stdout, read by the same pump,
  masked by the same masker.
- **Same limits**: the jail has the job's memory, process, file and tmpfs limits; each job gets its
  own CPU limit (RLIMIT_CPU in the child); the worker enforces the wall clock. A timeout, a cancel,
  a log flood or a lost lease kills the whole runner (the next job starts a new one), exactly as
  it kills a cold job's jail.
- **Which versions**: a script saved with `settings.warm` (its runners are also started when a
  worker process starts, from its last job), and any Python code that ran KILN_WARM_HOT_RUNS times
  within KILN_WARM_HOT_WINDOW seconds in this process (hot by traffic: flow steps too).
- **Recycled** after KILN_WARM_MAX_JOBS jobs, when the runner's own memory grew by
  KILN_WARM_MAX_GROWTH_MB, or after KILN_WARM_IDLE_SECONDS without a job; at most
  KILN_WARM_MAX_RUNNERS per worker process (the least recently used idle one goes). A runner
  worn by jobs or memory gets a **successor**, started in the background at once; it serves on
  until the successor is ready, which then takes the next job while the old one is closed. So
  no job waits for a runner's start at a recycle (it cost the next job about 60 ms). An idle
  runner of a marked version is renewed the same way (the reaper's next pass hands over if
  no job came); an idle runner that is only hot is closed.

Each Celery pool process owns its runners (module state here); a runner serves one job at a time:
a second job of the same version arriving meanwhile (an SDK sub-job run in place) runs cold.

**Spare sandboxes** are one-shot runners (`one_shot`): started in the background for a Python
version that ran recently and has no warm runner (KILN_SPARE_SANDBOXES per key), each takes
exactly one job and is then closed with its jail, so a job on one is as isolated as a cold job.

A runner ends when its stdin (held only by the worker) hangs up (python_warm.py watches it), so
it is started without PR_SET_PDEATHSIG: Popen can vfork instead of forking the worker process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import queue
import secrets
import select
import shutil
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.conf import settings

from kiln.kept import Kept
from scripts_runtime.languages import python
from scripts_runtime.languages.base import JOB_DIR_IN_JAIL, SDK_DIR, Mount, RunSpec, wrapper

from .limits import JobLimits
from .sandbox import Launch, launch, prepare_job_dir
from .sdk_socket import SdkSocket

log = logging.getLogger(__name__)

LANGUAGES = {"python3"}  # the languages with a warm wrapper
START_TIMEOUT_S = 60.0  # importing a script's dependencies can take a while (pandas: seconds)
REAP_EVERY_S = 5.0
OUTCOME_FILES = ("result.json", "error.json", "progress")  # a warm job gets no args.json


@dataclass(frozen=True)
class WarmKey:
    owner: str  # the script version (or, for a flow's inline step, the flow) it serves alone
    language: str
    code_hash: str
    lock: str
    limits: tuple[tuple[str, int], ...]
    network: str
    sandboxed: bool

    @classmethod
    def of(
        cls,
        *,
        owner: str,
        language: str,
        content: str,
        lock: str,
        limits: JobLimits,
        network: str,
        sandboxed: bool,
    ) -> WarmKey:
        return cls(
            owner=owner,
            language=language,
            code_hash=hashlib.sha256(content.encode()).hexdigest(),
            lock=lock,
            limits=tuple(sorted(limits.as_dict().items())),
            network=network,
            sandboxed=sandboxed,
        )


@dataclass
class WarmRunner:
    key: WarmKey
    directory: Path
    spec: RunSpec
    limits: JobLimits
    marked: bool  # the script asks to be warm: replaced when recycled, started with the worker
    launched: Launch | None = None
    control: int = -1
    jobs: int = 0
    started_at: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)
    busy: bool = False
    ready_rss_kb: int = 0
    rss_kb: int = 0
    _buffer: bytes = b""
    ready: bool = False
    sdk: SdkSocket | None = None  # the runner's SDK socket, serving the job it runs, if any
    one_shot: bool = False  # a spare sandbox: it runs one job, then it and its jail are gone
    retiring: bool = False  # worn, and its successor could not start: closed after its job
    source: str | None = None  # the code it was started with (content())

    @functools.cached_property
    def outcome_paths(self) -> tuple[str, ...]:
        """The job's outcome files, removed after each job (made once: no Path per job)."""
        return tuple(str(self.directory / name) for name in OUTCOME_FILES)

    # -- life ------------------------------------------------------------------------------

    def start(self, content: str) -> None:
        """Launch the jail; it gets ready (imports) while the caller goes on."""
        self.source = content
        prepare_job_dir(self.directory)
        sandboxed = dict(self.spec.env).get("KILN_WARM_SANDBOXED") == "1"
        python.write_script(
            self.directory, content, seen_as=JOB_DIR_IN_JAIL if sandboxed else str(self.directory)
        )
        imports = python.top_level_imports(content)
        # One SDK socket for the runner's life (a thread and a bind less per job): it accepts
        # only the token of the job running, and between jobs a random one nobody holds.
        self.sdk = SdkSocket(job_id="-", job_dir=self.directory, token=secrets.token_hex(32))
        self.sdk.start()
        read, write = os.pipe()
        env = [("KILN_WARM_FD", str(write)), ("KILN_WARM_ONE_SHOT", "1" if self.one_shot else "0")]
        if imports is not None:  # the runner need not parse main.py: it compiles nothing
            env.append(("KILN_WARM_IMPORTS", imports))
        spec = replace(self.spec, env=(*self.spec.env, *env))
        try:
            # No wall clock for the runner itself (each job's is the worker's), and no CPU limit
            # but a high one: each job gets its own in the child.
            runner_limits = replace(self.limits, timeout_s=0, cpu_s=max(self.limits.cpu_s, 10**7))
            self.launched = launch(
                spec=spec,
                job_dir=self.directory,
                limits=runner_limits,
                network=self.key.network,
                pass_fds=(write,),
                stdin_pipe=True,
                die_with_worker=False,  # the runner watches its stdin (python_warm.py)
            )
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        self.control = read

    @property
    def process(self) -> Any:
        assert self.launched is not None
        return self.launched.process

    def alive(self) -> bool:
        return self.launched is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> bool:
        if self.ready:
            return True
        deadline = time.monotonic() + timeout
        while self.alive():
            message = self.read_message(max(0.0, deadline - time.monotonic()))
            if message is not None:
                self.ready = bool(message.get("ready"))
                self.ready_rss_kb = self.rss_kb = int(message.get("rss_kb") or 0)
                return self.ready
            if time.monotonic() >= deadline:
                break
        self.discard_output()
        return False

    def ready_now(self) -> bool:
        """Whether it is ready, without waiting: its ready line has come (read here if so)."""
        if self.ready:
            return True
        if self.control < 0 or not select.select([self.control], [], [], 0)[0]:
            return False
        return self.wait_ready()  # a line is there (or the pipe closed: it ended): no wait

    def discard_output(self) -> None:
        """What the runner printed outside any job (nothing, normally): not a job's log."""
        if not self.alive():
            return
        fd = self.process.stdout.fileno()
        while select.select([fd], [], [], 0)[0]:
            if not os.read(fd, 65536):
                return

    def read_message(self, timeout: float) -> dict[str, Any] | None:
        """The next line on the control pipe, or None (timeout, or the runner ended)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining < 0 or not select.select([self.control], [], [], remaining)[0]:
                return None
            data = os.read(self.control, 4096)
            if not data:
                return None
            self._buffer += data
        return self.feed(b"")

    def feed(self, data: bytes) -> dict[str, Any] | None:
        """Bytes read from the control pipe; a whole message once one is complete."""
        self._buffer += data
        if b"\n" not in self._buffer:
            return None
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            return {"exit": None, "signal": None, "broken": True}
        if "rss_kb" in message:
            self.rss_kb = int(message.get("rss_kb") or 0)
        return message if isinstance(message, dict) else {"broken": True}

    def send(self, command: dict[str, Any]) -> None:
        self.discard_output()
        self.process.stdin.write(json.dumps(command).encode() + b"\n")
        self.process.stdin.flush()

    def content(self) -> str | None:
        """The code this runner was started with, for its successor or its restart: kept in
        memory, never read back from its directory, which its jobs can write (a job that
        replaced main.py would otherwise have its code run by the next runner, for the next
        jobs of every user of the script)."""
        return self.source

    def serve(self, *, job_id: str, token: str) -> None:
        """The SDK socket answers this job's token from now on."""
        if self.sdk is not None:
            self.sdk.server.job_id, self.sdk.server.token = job_id, token

    def unserve(self) -> None:
        if self.sdk is not None:
            self.sdk.server.job_id, self.sdk.server.token = "-", secrets.token_hex(32)

    def finish_job(self) -> None:
        """After a job: its outcome files go (the runner already emptied the rest)."""
        for path in self.outcome_paths:
            try:
                os.unlink(path)
            except IsADirectoryError:  # a job made one of that name: the next job's would fail
                shutil.rmtree(path, ignore_errors=True)
            except OSError:
                pass
        self.jobs += 1
        self.last_used = time.monotonic()

    def worn(self) -> str | None:
        """Why this runner should be replaced, if it should."""
        if self.jobs >= settings.KILN_WARM_MAX_JOBS:
            return f"{self.jobs} jobs"
        growth = (self.rss_kb - self.ready_rss_kb) // 1024
        if growth >= settings.KILN_WARM_MAX_GROWTH_MB:
            return f"its memory grew by {growth} MB"
        return None

    def close(self) -> None:
        if self.sdk is not None:
            self.sdk.stop()
            self.sdk = None
        if self.launched is not None:
            process = self.process
            with contextlib.suppress(OSError):
                process.kill()  # the jail (its PID namespace) goes with nsjail
            with contextlib.suppress(Exception):
                process.wait(timeout=5)
            for stream in (process.stdin, process.stdout):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
        if self.control >= 0:
            with contextlib.suppress(OSError):
                os.close(self.control)
            self.control = -1
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.with_name(f"{self.directory.name}.nsjail.cfg").unlink(missing_ok=True)


def warm_spec(spec: RunSpec, *, sandboxed: bool) -> RunSpec:
    """A language's run spec, turned into its warm runner's: the runner wrapper, and the SDK."""
    argv = [*spec.argv[:-1], wrapper("python_warm.py")]
    env = (("KILN_WARM_SANDBOXED", "1" if sandboxed else "0"), ("KILN_SDK_DIR", str(SDK_DIR)))
    return replace(spec, argv=argv, env=(*spec.env, *env), mounts=(*spec.mounts, Mount(str(SDK_DIR))))


@dataclass
class SpareSet:
    """A key's spare sandboxes: one-shot runners started before their jobs arrive."""

    spec: RunSpec
    limits: JobLimits
    content: str
    ready: list[WarmRunner] = field(default_factory=list)  # started (maybe still importing)
    starting: int = 0  # being started in the background
    last_used: float = field(default_factory=time.monotonic)


class WarmPool:
    """This process's runners, by key; thread-safe (an SDK request thread runs jobs too).

    Beside the warm runners it keeps spare sandboxes (KILN_SPARE_SANDBOXES per key): one-shot
    runners of a version that ran recently, started in the background so that its next job
    finds its jail and interpreter up. Each serves exactly one job and is then closed, jail and
    all: a job on a spare is as isolated as a cold one, only started earlier."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runners: dict[WarmKey, WarmRunner] = {}
        # A worn runner's successor: None while it is being started (in the background).
        self.successors: dict[WarmKey, WarmRunner | None] = {}
        self.recent: dict[WarmKey, deque[float]] = {}
        self.spares: dict[WarmKey, SpareSet] = {}
        self.specs: Kept[WarmKey, RunSpec] = Kept(1024)  # a key's runner spec, prepared once
        self._reaper: threading.Thread | None = None
        self._background: queue.Queue[Any] | None = None
        self._generation = 0  # close_all() bumps it: a spare started before is not kept
        self._pid = os.getpid()

    def enabled(self) -> bool:
        return bool(settings.KILN_WARM_RUNNERS)

    def spares_enabled(self) -> bool:
        return settings.KILN_SPARE_SANDBOXES > 0

    def _forked(self) -> None:
        """A pool process forked from a parent that had runners: those are not ours."""
        if os.getpid() != self._pid:
            self.runners, self.recent, self._reaper, self._pid = {}, {}, None, os.getpid()
            self.successors = {}
            self.spares, self.specs, self._background = {}, Kept(1024), None
            self.lock = threading.Lock()

    # -- spare sandboxes -------------------------------------------------------------------

    def spec_for(self, key: WarmKey) -> RunSpec | None:
        with self.lock:
            return self.specs.get(key)

    def remember_spec(self, key: WarmKey, spec: RunSpec) -> None:
        with self.lock:
            self.specs.put(key, spec)

    def take_spare(self, key: WarmKey) -> WarmRunner | None:
        """One of this key's spare sandboxes (the oldest: the likeliest to be ready), or None."""
        self._forked()
        dead: list[WarmRunner] = []
        runner = None
        with self.lock:
            spares = self.spares.get(key)
            while spares is not None and spares.ready:
                candidate = spares.ready.pop(0)
                if candidate.alive():
                    runner = candidate
                    runner.busy = True
                    spares.last_used = time.monotonic()
                    break
                dead.append(candidate)
        for old in dead:
            old.close()
        return runner

    def keep_spares(self, key: WarmKey, *, spec: RunSpec, limits: JobLimits, content: str) -> None:
        """A job of this key ran (or is about to): start, in the background, as many spares as
        it lacks. The spares of the least recently used other key make room when needed."""
        self._forked()
        want = settings.KILN_SPARE_SANDBOXES
        if want <= 0:
            return
        with self.lock:
            spares = self.spares.get(key)
            if spares is None:
                spares = self.spares[key] = SpareSet(spec=spec, limits=limits, content=content)
            spares.last_used = time.monotonic()
            missing = want - len(spares.ready) - spares.starting
            if missing <= 0:
                return
            spares.starting += missing
            generation = self._generation
        for _ in range(missing):
            self._in_background(lambda: self._start_spare(key, generation))
        self._start_reaper()

    def _start_spare(self, key: WarmKey, generation: int) -> None:
        with self.lock:
            spares = self.spares.get(key)
        if spares is None or generation != self._generation:
            return
        runner = _started(
            key, spec=spares.spec, limits=spares.limits, marked=False, content=spares.content, one_shot=True
        )
        evicted: list[WarmRunner] | None = None
        with self.lock:
            spares.starting = max(0, spares.starting - 1)
            if runner is not None and generation == self._generation and self.spares.get(key) is spares:
                evicted = self._make_room_for_spare(key)
                if evicted is not None:
                    spares.ready.append(runner)
        for old in evicted or ():
            old.close()
        if runner is not None and evicted is None:  # not wanted any more, or no room
            runner.close()

    def _make_room_for_spare(self, key: WarmKey) -> list[WarmRunner] | None:
        """Under the lock: the spares to close so that one more fits in KILN_SPARE_MAX (those of
        other keys used less recently than this one, the least recent first), or None when it
        does not fit: a key never loses its spares to one used less recently."""
        cap = max(settings.KILN_SPARE_MAX, 0)
        total = sum(len(s.ready) for s in self.spares.values())
        evicted: list[WarmRunner] = []
        used = self.spares[key].last_used
        others = sorted(
            (k for k, s in self.spares.items() if k != key and s.ready and s.last_used < used),
            key=lambda k: self.spares[k].last_used,
        )
        while total + 1 > cap and others:
            other = others.pop(0)
            closing = self.spares.pop(other).ready
            evicted += closing
            total -= len(closing)
        return evicted if total + 1 <= cap else None

    def _in_background(self, work: Any) -> None:
        """Run `work` on this process's one background thread (spares start and close there)."""
        with self.lock:
            if self._background is None:
                self._background = queue.Queue()
                threading.Thread(
                    target=self._background_loop, args=(self._background,), name="kiln-spares", daemon=True
                ).start()
            self._background.put(work)

    def _background_loop(self, work: queue.Queue[Any]) -> None:
        while True:
            task = work.get()
            try:
                task()
            except Exception:
                log.warning("spare sandboxes: background work failed", exc_info=True)
            finally:
                work.task_done()

    def settle(self) -> None:
        """Wait until the background work queued so far is done (tests, close_all)."""
        with self.lock:
            work = self._background if os.getpid() == self._pid else None
        if work is not None:
            work.join()

    def note_run(self, key: WarmKey) -> bool:
        """Count a run of this version; True when it is hot (enough runs, recently)."""
        runs, window = settings.KILN_WARM_HOT_RUNS, settings.KILN_WARM_HOT_WINDOW
        now = time.monotonic()
        with self.lock:
            seen = self.recent.setdefault(key, deque(maxlen=max(runs, 1)))
            seen.append(now)
            if len(self.recent) > 4096:  # forget the oldest versions seen
                for old in list(self.recent)[:1024]:
                    del self.recent[old]
        return runs > 0 and len(seen) >= runs and now - seen[0] <= window

    def has(self, key: WarmKey) -> bool:
        self._forked()
        with self.lock:
            return key in self.runners or key in self.successors

    def take(self, key: WarmKey) -> WarmRunner | None:
        """This version's idle runner, marked busy, or None. A worn runner's successor takes
        over here once it is ready (or at once when the worn one is gone: the caller waits for
        it to get ready, as for any runner just started)."""
        self._forked()
        retired: list[WarmRunner] = []  # replaced by their successor
        dead: list[WarmRunner] = []
        try:
            with self.lock:
                runner = self.runners.get(key)
                if runner is not None and runner.busy:
                    return None
                successor = self.successors.get(key)
                if successor is not None and not successor.alive():  # the next release starts another
                    del self.successors[key]
                    dead.append(successor)
                elif successor is not None and (
                    runner is None or not runner.alive() or successor.ready_now()
                ):
                    del self.successors[key]
                    if runner is not None:
                        retired.append(runner)
                    runner = self.runners[key] = successor
                if runner is None:
                    return None
                if not runner.alive():
                    del self.runners[key]
                    dead.append(runner)
                    return None
                runner.busy = True
                return runner
        finally:
            for old in retired:
                log.info("warm runner %s: replaced by its successor", old.directory.name)
            for old in retired + dead:
                self._in_background(old.close)

    def add(self, runner: WarmRunner, *, busy: bool) -> bool:
        """Keep a new runner (busy: for the job that started it). False when one is there already."""
        self._forked()
        evicted: list[WarmRunner] = []
        with self.lock:
            if runner.key in self.runners:
                return False
            while len(self.runners) >= max(settings.KILN_WARM_MAX_RUNNERS, 1):
                idle = [r for r in self.runners.values() if not r.busy]
                if not idle:
                    return False
                oldest = min(idle, key=lambda r: r.last_used)
                evicted.append(self.runners.pop(oldest.key))
                successor = self.successors.pop(oldest.key, None)
                evicted += [successor] if successor is not None else []
            runner.busy = busy
            self.runners[runner.key] = runner
            spares = self.spares.pop(runner.key, None)  # a warm runner takes the key's jobs now
        evicted += spares.ready if spares is not None else []
        for old in evicted:
            old.close()
        self._start_reaper()
        return True

    def release(self, runner: WarmRunner, *, healthy: bool) -> None:
        """The job is over: keep the runner for the next, or replace it (worn, or broken). A
        spare's job is its only one: it is closed (in the background; its outcome is read)."""
        if runner.one_shot:
            runner.busy = False
            self._in_background(runner.close)
            return
        broken = None if healthy else "it was stopped with its job"
        broken = broken or (None if runner.alive() else "it ended")
        broken = broken or ("its successor could not start" if runner.retiring else None)
        worn = None if broken else runner.worn()
        with self.lock:
            runner.busy = False
            if broken is None and worn is None:
                return
            current = self.runners.get(runner.key) is runner
            serves_on = worn is not None and current  # until its successor is ready (take())
            succeed = serves_on and runner.key not in self.successors  # worn just now
            if succeed:
                self.successors[runner.key] = None  # being started
            if current and not serves_on:
                del self.runners[runner.key]
        if succeed:
            self._succeed(runner, f"worn ({worn})")
        if not serves_on:
            self._recycle(runner, broken or worn, runner.content(), renew=runner.marked and healthy)

    def _recycle(self, runner: WarmRunner, reason: str | None, content: str | None, *, renew: bool) -> None:
        """Close a runner that left the pool; with `renew` (a marked version), start another."""
        log.info("warm runner %s: recycled (%s)", runner.directory.name, reason)
        runner.close()
        if renew and content is not None:
            self.spawn(runner.key, spec=runner.spec, limits=runner.limits, marked=True, content=content)

    def _succeed(self, runner: WarmRunner, why: str) -> None:
        """Start `runner`'s successor in the background (the caller marked it as being started)."""
        log.info("warm runner %s: %s; its successor starts", runner.directory.name, why)
        self._in_background(lambda: self._start_successor(runner))

    def _start_successor(self, worn: WarmRunner) -> None:
        """In the background: start the runner that takes over from `worn` once ready. If it
        cannot start, `worn` is closed and (a marked version) started again, as before there
        were successors: then one job waits for the start."""
        key = worn.key
        content = worn.content()
        successor = None
        if content is not None:
            successor = _started(key, spec=worn.spec, limits=worn.limits, marked=worn.marked, content=content)
        retire_now = False
        with self.lock:
            pending = key in self.successors and self.successors[key] is None
            if pending and successor is not None:
                self.successors[key] = successor
                return
            if pending:  # it could not start: the worn runner goes now, or when its job ends
                del self.successors[key]
                worn.retiring = True
                retire_now = self.runners.get(key) is worn and not worn.busy
                if retire_now:
                    del self.runners[key]
        if successor is not None:  # not wanted any more (all closed, or the key's runner evicted)
            successor.close()
        elif retire_now:
            self._recycle(worn, "its successor could not start", content, renew=worn.marked)

    def spawn(
        self,
        key: WarmKey,
        *,
        spec: RunSpec,
        limits: JobLimits,
        marked: bool,
        content: str,
        busy: bool = False,
    ) -> WarmRunner | None:
        """Start a runner for `key` (not waiting for it to be ready)."""
        runner = _started(key, spec=spec, limits=limits, marked=marked, content=content)
        if runner is None:
            return None
        if not self.add(runner, busy=busy):
            runner.close()
            return None
        log.info("warm runner %s: started for %s", runner.directory.name, key.code_hash[:12])
        return runner

    def spawn_soon(
        self, key: WarmKey, *, spec: RunSpec, limits: JobLimits, marked: bool, content: str
    ) -> None:
        """spawn(), in the background: the job at hand runs elsewhere (on a spare)."""
        with self.lock:
            if key in self.runners:
                return
        self._in_background(
            lambda: (
                None
                if self.has(key)
                else self.spawn(key, spec=spec, limits=limits, marked=marked, content=content)
            )
        )

    def drop(self, runner: WarmRunner) -> None:
        with self.lock:
            if self.runners.get(runner.key) is runner:
                del self.runners[runner.key]
        runner.close()

    def reap_idle(self) -> int:
        """Runners idle past KILN_WARM_IDLE_SECONDS: closed, or, for a marked version, renewed.
        A marked runner is renewed as a worn one is: its successor starts in the background,
        and it serves on until the successor is ready (take()), or until the next pass finds
        it idle still and hands over. So no job waits for the renewal. Returns how many idle
        runners were closed or handed over, or began their renewal."""
        cutoff = time.monotonic() - settings.KILN_WARM_IDLE_SECONDS
        # Left the pool, closed: (runner, started again (a marked one that died), why).
        closing: list[tuple[WarmRunner, bool, str]] = []
        renewing: list[WarmRunner] = []  # a successor starts for each
        handled = 0
        with self.lock:
            idle = [
                r for r in self.runners.values() if not r.busy and (r.last_used < cutoff or not r.alive())
            ]
            for runner in idle:
                key = runner.key
                successor = self.successors.get(key)
                if successor is not None and not successor.alive():
                    del self.successors[key]
                    closing.append((successor, False, "ended before it took over"))
                    successor = None
                if runner.marked and successor is not None:  # a fresh runner: it takes over
                    del self.successors[key]
                    self.runners[key] = successor
                    closing.append((runner, False, "replaced by its successor after {}s idle"))
                elif runner.marked and runner.alive():
                    if key in self.successors:
                        continue  # its successor is being started: the next pass hands over
                    self.successors[key] = None
                    renewing.append(runner)
                else:  # a version not marked, or a dead runner: it leaves the pool
                    del self.runners[key]
                    closing.append((runner, runner.marked, "closed after {}s idle"))  # marked: it died
                    if successor is not None:
                        closing.append((successor, False, "closed with the runner it was to replace"))
                    self.successors.pop(key, None)  # one being started is closed when it is up
                handled += 1
            spare_cutoff = time.monotonic() - settings.KILN_SPARE_IDLE_SECONDS
            unused = [k for k, s in self.spares.items() if s.last_used < spare_cutoff and not s.starting]
            spares = [r for k in unused for r in self.spares.pop(k).ready]
        for runner in spares:
            runner.close()
        idle_s = settings.KILN_WARM_IDLE_SECONDS
        for runner in renewing:
            self._succeed(runner, f"idle for {idle_s}s")
        for runner, again, why in closing:
            log.info("warm runner %s: %s", runner.directory.name, why.format(idle_s))
            content = runner.content() if again else None
            runner.close()
            if content is not None:
                self.spawn(runner.key, spec=runner.spec, limits=runner.limits, marked=True, content=content)
        return handled

    def _start_reaper(self) -> None:
        if self._reaper is not None and self._reaper.is_alive():
            return

        def loop() -> None:
            while True:
                time.sleep(REAP_EVERY_S)
                try:
                    self.reap_idle()
                except Exception:
                    log.warning("warm runner reaper failed", exc_info=True)

        self._reaper = threading.Thread(target=loop, name="kiln-warm-reaper", daemon=True)
        self._reaper.start()

    def close_all(self) -> None:
        """Close every runner and spare and forget recent traffic (a worker process's end; each
        test's). Spares being started are closed once up."""
        with self.lock:
            self._generation += 1
            runners, self.runners = list(self.runners.values()), {}
            runners += [r for r in self.successors.values() if r is not None]
            self.successors = {}
            runners += [r for s in self.spares.values() for r in s.ready]
            self.spares = {}
            self.recent.clear()
            self.specs.clear()
        for runner in runners:
            runner.close()
        self.settle()

    def stats(self) -> list[dict[str, Any]]:
        with self.lock:
            spares = [r for s in self.spares.values() for r in s.ready]
            successors = [r for r in self.successors.values() if r is not None]
            successor_ids = {id(r) for r in successors}
            return [
                {
                    "dir": r.directory.name,
                    "code_hash": r.key.code_hash,
                    "jobs": r.jobs,
                    "busy": r.busy,
                    "marked": r.marked,
                    "spare": r.one_shot,
                    "successor": id(r) in successor_ids,
                    "alive": r.alive(),
                    "rss_kb": r.rss_kb,
                }
                for r in [*self.runners.values(), *successors, *spares]
            ]


def _started(
    key: WarmKey, *, spec: RunSpec, limits: JobLimits, marked: bool, content: str, one_shot: bool = False
) -> WarmRunner | None:
    """A new runner for `key` (`one_shot`: a spare sandbox), launched (not waiting for it to be
    ready), or None if it could not be."""
    prefix = "spare" if one_shot else "warm"
    directory = Path(settings.KILN_JOBS_DIR) / f"{prefix}-{uuid.uuid4().hex[:12]}"
    directory.parent.mkdir(parents=True, exist_ok=True)
    runner = WarmRunner(
        key=key, directory=directory, spec=spec, limits=limits, marked=marked, one_shot=one_shot
    )
    try:
        runner.start(content)
    except Exception:
        what = "spare sandbox" if one_shot else "warm runner"
        log.warning("%s for %s could not start", what, key.code_hash[:12], exc_info=True)
        runner.close()
        return None
    return runner


pool = WarmPool()
