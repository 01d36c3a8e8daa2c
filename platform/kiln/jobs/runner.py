"""JobRunner owns a job's whole lifecycle: claim, run in the sandbox, stream logs, finish.

No other code path runs a job, so none can skip a step (STYLE.md #9).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import logging
import os
import resource
import select
import shutil
import signal
import stat
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from kiln.accounts.access import principal_for_job
from kiln.kept import Kept
from kiln.logs import job_context
from kiln.scripts.models import ScriptVersion
from kiln.vault.job_tokens import job_token
from kiln.vault.references import ResolveError, references, resolve_args
from scripts_runtime import registry
from scripts_runtime.languages import python
from scripts_runtime.languages.base import (
    JOB_DIR_IN_JAIL,
    SDK_DIR,
    Mount,
    PrepareContext,
    PrepareError,
    RunSpec,
)

from . import services, warm
from .cancel import cancel_requested, canceled_error
from .leases import lease_renew
from .limits import JobLimits, job_limits
from .masking import Masker
from .models import Job, JobKind, JobStatus
from .retry import NOT_RETRIED, next_delay, total_retries
from .sandbox import UNSANDBOXED_WARNING, SandboxUnavailable, launch, prepare_job_dir, sandbox_mode
from .sdk_socket import MAX_UNIX_PATH, SOCKET_NAME, SdkSocket
from .warm import WarmKey, WarmRunner, warm_spec
from .workers import main_worker_id

log = logging.getLogger(__name__)

# Output is appended (and sent to live viewers) at most every 100 ms, sooner once 4 KB wait.
FLUSH_EVERY_S = 0.1
FLUSH_EVERY_BYTES = 4 * 1024
MAX_LINE_CHARS = 64 * 1024  # a longer line is split: viewers never get one unbounded line
MAX_RESULT_BYTES = 16 * 1024 * 1024
KILL_GRACE_S = 5
NSJAIL_CLOCK_S = 1  # the resolution of nsjail's time_limit
CANCEL_CHECK_S = 0.5  # a cancel stops a running job within about this long
PLATFORM_ERRORS = {
    "Canceled",
    "Timeout",
    "Killed",
    "SandboxError",
    "PlatformError",
    "MemoryLimitExceeded",
    "LogLimitExceeded",
    "CpuLimitExceeded",
}
NSJAIL_FAILED = 255  # nsjail's own exit code when it cannot set the jail up


PROGRESS_FILE = "progress"  # a job writes 0-100 to $KILN_JOB_DIR/progress to say how far it is
PROGRESS_CHECK_S = 0.25


class ProgressWatch:
    """Reads the job's progress file when it changes (a stat every quarter second)."""

    def __init__(self, job: Job, path: Path) -> None:
        self.job, self.path = job, path
        self.next_check = time.monotonic() + PROGRESS_CHECK_S  # none is there yet: the job just started
        self.seen: tuple[int, int] | None = None

    def check(self, now: float) -> None:
        if now < self.next_check:
            return
        self.next_check = now + PROGRESS_CHECK_S
        try:
            found = os.lstat(self.path)  # the job's own entry: a symlink is not followed
        except OSError:
            return
        if (found.st_mtime_ns, found.st_size) == self.seen or found.st_size > 64:
            return
        self.seen = (found.st_mtime_ns, found.st_size)
        try:
            value = float((read_job_file(self.path, 64) or b"").decode().strip() or "nan")
        except (OSError, ValueError, UnicodeDecodeError):
            return
        if value == value and value != self.job.progress:  # not NaN, and new
            services.job_progress_set(job=self.job, progress=int(value))


def children_cpu_seconds() -> float:
    """CPU time of this process's ended (waited-for) descendants: a jail's processes, once it is over."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class LogSink:
    """Buffers a job's output and appends it as chunks at byte offsets, up to a limit."""

    def __init__(self, job: Job, limit: int) -> None:
        self.job = job
        self.limit = limit
        self.offset = job.log_size  # a retry continues the log where the last attempt left it
        self.dropped = 0  # bytes over the limit
        self._pending = ""
        self._pending_bytes = 0
        self._last_flush = time.monotonic()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._line = 0  # characters since the last newline
        self.masker = Masker()  # the job's secrets, once its arguments are resolved

    def split_long_lines(self, text: str) -> str:
        """Break lines longer than MAX_LINE_CHARS with a newline, across writes."""
        if self._line + len(text) <= MAX_LINE_CHARS and "\n" not in text:
            self._line += len(text)
            return text
        pieces = []
        for i, line in enumerate(text.split("\n")):
            if i:
                pieces.append("\n")
                self._line = 0
            while self._line + len(line) > MAX_LINE_CHARS:
                cut = MAX_LINE_CHARS - self._line
                pieces += [line[:cut], "\n"]
                line, self._line = line[cut:], 0
            pieces.append(line)
            self._line += len(line)
        return "".join(pieces)

    def write_text(self, text: str, final: bool = False) -> None:
        self._append(self.masker.feed(text, final=final))

    def _append(self, text: str) -> None:
        text = self.split_long_lines(text)
        size = len(text.encode())
        room = self.limit - self.offset - self._pending_bytes
        if size > room:
            kept = text.encode()[: max(room, 0)].decode("utf-8", errors="ignore")
            self.dropped += size - len(kept.encode())
            text, size = kept, len(kept.encode())
        self._pending += text
        self._pending_bytes += size

    def write(self, data: bytes) -> None:
        self.write_text(self._decoder.decode(data))
        now = time.monotonic()
        if self._pending_bytes >= FLUSH_EVERY_BYTES or now - self._last_flush >= FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return  # the timer keeps running: a lone line after a quiet spell goes out at once
        self._last_flush = time.monotonic()
        services.job_append_log(job=self.job, offset=self.offset, data=self._pending)
        self.offset += self._pending_bytes
        self._pending, self._pending_bytes = "", 0

    def take_last(self, footer: str = "") -> tuple[int, str]:
        """What is still buffered (plus a footer), for the finishing transaction."""
        self.write_text(self._decoder.decode(b"", final=True), final=True)
        if self.dropped:
            self._pending += f"\n[kiln] {self.dropped} bytes of logs dropped (limit {self.limit} bytes)\n"
        self._pending += self.masker.mask(footer)
        last = (self.offset, self._pending)
        self.offset += len(self._pending.encode())
        self._pending, self._pending_bytes = "", 0
        return last


class JobRunner:
    def __init__(
        self,
        job_id: str,
        worker: str | None = None,
        served: set[str] | None = None,
        claimed: Job | None = None,
    ) -> None:
        self.job_id = job_id
        self.worker = worker or main_worker_id()
        # Queues this worker serves: given (a Celery task), the job's end may hand this runner
        # the next job of one of them (a flow's next step) to run at once, without the broker.
        self.served = served
        self.next_job: str | None = None
        # The job, when the transaction that created it (the last step's end) claimed it for
        # this worker already (services.claimed_at_creation); next_claimed: the next one.
        self.claimed = claimed
        self.next_claimed: Job | None = None
        self.sdk: SdkSocket | None = None
        self.warm_done: dict[str, Any] | None = None  # a warm runner's answer for the job
        self.prestart: Any = None  # starts a warm runner for the version that just ran cold
        self.cold_dir = False  # the job's own directory was made (a cold job): removed after it

    def run(self) -> Job | None:
        if self.claimed is not None:
            job: Job | None = self.claimed
            self.claimed.started_at = timezone.now()  # its real start; the job's end stores it
        else:
            job = services.job_claim(job_id=self.job_id, worker_id=self.worker)
        if job is None:
            log.info("job %s: not queued any more, nothing to do", self.job_id)
            return None
        with job_context(job):
            return self._run(job)

    def _run(self, job: Job) -> Job:
        """Run a claimed job to its end (every log line meanwhile names it: kiln.logs)."""
        if job.kind == JobKind.FLOW:  # a flow run: start it; its steps are jobs of their own
            from kiln.flows.engine import flow_start

            with self._holding() as held:
                flow_start(job)
            self._hand_off(held)
            job.refresh_from_db()
            return job
        job_dir = Path(settings.KILN_JOBS_DIR) / f"{job.id}-{job.attempt}"
        limits = job_limits(job)
        sink = LogSink(job, limits.log_bytes)
        self.sdk = None
        try:
            outcome = self._execute(job, job_dir, sink, limits)
        except Exception as exc:  # the platform failed, not the user's code
            log.exception("job %s: runner error", job.id)
            outcome = (
                JobStatus.FAILURE,
                None,
                {"name": "PlatformError", "message": str(exc), "traceback": ""},
            )
        finally:
            if self.sdk is not None:
                self.sdk.stop()
            if self.cold_dir and not os.environ.get("KILN_KEEP_JOB_DIRS"):  # a warm job's is the runner's
                shutil.rmtree(job_dir, ignore_errors=True)
                job_dir.with_name(f"{job_dir.name}.nsjail.cfg").unlink(missing_ok=True)
        status, result, error = outcome
        error = sink.masker.mask_value(error)  # a secret in the message or traceback: *****
        with self._holding() as held:
            finished = self._finish(job, sink, status, result, error)
        self._hand_off(held)
        if not finished:
            # A stale worker (its lease expired, the job was retried or finished): its
            # result is refused so the record holds one outcome per job.
            log.warning(
                "job %s: result of attempt %s from %s rejected: the job is no longer ours",
                job.id,
                job.attempt,
                self.worker,
            )
        if self.served is None:  # a Celery task (served) does not look at the job again
            job.refresh_from_db()
        if self.prestart is not None:  # after the job's outcome is stored: it waits for nothing
            self.prestart()
        return job

    def _holding(self) -> Any:
        if self.served is None:
            return contextlib.nullcontext()
        return services.publishes_held(worker_id=self.worker, served=self.served)

    def _hand_off(self, held: services.Held | None) -> None:
        """The jobs the last step made ready: the first this worker serves is its next job (no
        doorbell: the broker's round trip is most of a hop between steps), already claimed when
        the transaction that made it could; the others are rung."""
        if held is None:
            return
        if held.claimed is not None:
            self.next_job, self.next_claimed = str(held.claimed.pk), held.claimed
        for job_id, queue, priority in held.publishes:
            if self.next_job is None and self.served is not None and queue in self.served:
                self.next_job = job_id
            else:
                services.job_publish(job_id=job_id, queue=queue, priority=priority)

    def _finish(
        self, job: Job, sink: LogSink, status: JobStatus, result: Any, error: dict[str, Any] | None
    ) -> bool:
        """Store the outcome (or schedule the retry) with the last of the log, in one transaction."""
        footer = ""
        if error is not None and error.get("name") in PLATFORM_ERRORS:
            footer = f"[kiln] {error['message']}\n"
        delay = None
        if status in (JobStatus.FAILURE, JobStatus.TIMEOUT) and (error or {}).get("name") not in NOT_RETRIED:
            delay = next_delay(job.retry, job.retries)
        if delay is not None:
            total = total_retries(job.retry)
            footer += (
                f"[kiln] {status} ({(error or {}).get('name', 'Error')}); retry {job.retries + 1} of {total} "
                f"in {delay:.1f}s\n"
            )
            return services.job_retry_later(
                job=job, delay_s=delay, error=error, last_log=sink.take_last(footer), log_dropped=sink.dropped
            )
        return services.job_finish(
            job=job,
            status=status,
            result=result,
            error=error,
            last_log=sink.take_last(footer),
            log_dropped=sink.dropped,
        )

    def _execute(
        self, job: Job, job_dir: Path, sink: LogSink, limits: JobLimits
    ) -> tuple[JobStatus, Any, dict[str, Any] | None]:
        lang = registry.get(job.language)
        content, lock = job_code(job)
        try:
            args, secrets = job_arguments(job)
        except ResolveError as exc:  # before any of the job's code: nothing of it has run
            return JobStatus.FAILURE, None, {"name": "ResolveError", "message": str(exc), "traceback": ""}
        token = job_token(job)
        sink.masker = Masker({*secrets, token})

        try:
            sandboxed = sandbox_mode() == "nsjail"
        except SandboxUnavailable as exc:
            return JobStatus.FAILURE, None, {"name": "SandboxError", "message": str(exc), "traceback": ""}
        if not sandboxed:
            Job.objects.filter(pk=job.pk).update(sandboxed=False)
            sink.write(UNSANDBOXED_WARNING.encode())  # first in the log, before anything else

        def log_line(line: str) -> None:
            sink.write(f"[kiln] {line}\n".encode())

        runner = self._warm_runner(
            job, content=content, lock=lock, limits=limits, sandboxed=sandboxed, say=log_line
        )
        if runner is not None:
            return self._execute_warm(job, runner, sink, limits, args=args, token=token)

        job_dir.parent.mkdir(parents=True, exist_ok=True)
        self.cold_dir = True
        prepare_job_dir(job_dir)
        script = job_dir / f"main.{lang.extension}"
        if lang is python:  # with its bytecode: the job does not compile it
            python.write_script(job_dir, content, seen_as=JOB_DIR_IN_JAIL if sandboxed else str(job_dir))
        else:
            script.write_text(content)
        (job_dir / "args.json").write_text(json.dumps(args))
        for path in (script, job_dir / "args.json"):
            path.chmod(0o644)

        ctx = prepare_context(job_dir=job_dir, log=log_line, lock=lock)
        try:
            prepared = lang.prepare(content, ctx)
        except PrepareError as exc:
            return JobStatus.FAILURE, None, {"name": exc.kind, "message": exc.message, "traceback": ""}
        if prepared.lock is not None and lock is None:
            lock_store(job, prepared.lock)
        self._after_cold_start(
            job,
            content,
            lock if lock is not None else prepared.lock,
            limits,
            sandboxed,
            prepared,
            first=lock is None,
        )
        cpu_before = children_cpu_seconds()
        # Before launch: nsjail's own time_limit starts after this, so a jail it ended at its
        # limit always shows at least the timeout here.
        started = time.monotonic()
        self.sdk = SdkSocket(job_id=str(job.id), job_dir=job_dir, token=token)
        self.sdk.start()
        spec = sdk_spec(lang.run_spec(prepared), job, token=token, job_dir=job_dir, sandboxed=sandboxed)
        try:
            launched = launch(spec=spec, job_dir=job_dir, limits=limits, network=job.network)
        except SandboxUnavailable as exc:
            return JobStatus.FAILURE, None, {"name": "SandboxError", "message": str(exc), "traceback": ""}

        killed = self._pump(
            job, launched.process, sink, deadline=started + job.timeout_s + KILL_GRACE_S, job_dir=job_dir
        )
        returncode = launched.process.wait()
        elapsed = time.monotonic() - started
        sink.flush()
        if killed in ("canceled", "lease_lost", "log_flood"):
            return self._stopped(job, killed, sink)
        ended_by_itself = returncode == 0 or (job_dir / "error.json").exists()  # its own result or error
        # nsjail checks its time_limit against a clock of whole seconds: it may end a jail up to
        # a second before the timeout as measured here.
        at_time_limit = elapsed >= job.timeout_s - NSJAIL_CLOCK_S
        if killed == "timeout" or (not ended_by_itself and at_time_limit):
            return (
                JobStatus.TIMEOUT,
                None,
                {
                    "name": "Timeout",
                    "message": f"the job ran past its time limit of {job.timeout_s}s",
                    "traceback": "",
                },
            )
        if returncode in (-signal.SIGKILL, 128 + signal.SIGKILL) and launched.sandboxed:
            # RLIMIT_CPU (soft = hard in nsjail) ends in SIGKILL too: told apart from the memory
            # cgroup by the CPU time the jail's processes used (this pool process runs one job).
            used = children_cpu_seconds() - cpu_before
            if used >= 0.9 * limits.cpu_s:
                return JobStatus.FAILURE, None, cpu_exceeded(used, limits)
        return self._outcome(job_dir, returncode, sandboxed=launched.sandboxed, memory_mb=limits.memory_mb)

    def _stopped(self, job: Job, killed: str, sink: LogSink) -> tuple[JobStatus, Any, dict[str, Any] | None]:
        """The outcome of a job the worker stopped: canceled, its lease lost, or a log flood."""
        if killed == "canceled":
            job.refresh_from_db(fields=["canceled_by"])
            return JobStatus.CANCELED, None, canceled_error(job.canceled_by or "a user")
        if killed == "lease_lost":
            message = "this worker lost the job's lease (it was stalled); another attempt owns the job now"
            return JobStatus.FAILURE, None, {"name": "LeaseLost", "message": message, "traceback": ""}
        message = f"the job kept printing far past the log limit ({sink.limit} bytes) and was stopped"
        return JobStatus.FAILURE, None, {"name": "LogLimitExceeded", "message": message, "traceback": ""}

    # --- warm runners (jobs/warm.py) ----------------------------------------------------------

    def _warm_runner(
        self, job: Job, *, content: str, lock: str | None, limits: JobLimits, sandboxed: bool, say: Any
    ) -> WarmRunner | None:
        """A ready runner for the job, or None: the job runs cold. In order: this version's warm
        runner; a new one when the script is marked warm or its code is hot (started in the
        background when a spare sandbox can take this job, else waited for); a spare sandbox.
        A job that runs on a spare, or cold, has its key's spares topped up for the next jobs.
        A version's first run is cold: it resolves the dependency lock the keys name."""
        pool = warm.pool
        if job.language not in warm.LANGUAGES or not (pool.enabled() or pool.spares_enabled()):
            return None
        key = warm_key(job, content=content, lock=lock or "", limits=limits, sandboxed=sandboxed)
        hot = pool.enabled() and pool.note_run(key)
        if lock is None:
            return None  # its first run resolves the lock (cold); a marked version's runner starts after it
        runner = pool.take(key) if pool.enabled() else None
        if runner is None:
            marked = pool.enabled() and job_marked_warm(job)
            if not (marked or hot or pool.spares_enabled()):
                return None
            spec = runner_spec(job, key, content=content, lock=lock, sandboxed=sandboxed, log=say)
            if spec is None:
                return None  # the cold run reports why it cannot be prepared
            spare = pool.take_spare(key) if pool.spares_enabled() else None
            if marked or hot:
                if spare is None:
                    runner = pool.spawn(
                        key, spec=spec, limits=limits, marked=marked, content=content, busy=True
                    )
                else:  # this job takes the spare; the warm runner gets ready for the next ones
                    pool.spawn_soon(key, spec=spec, limits=limits, marked=marked, content=content)
            else:
                pool.keep_spares(key, spec=spec, limits=limits, content=content)
            runner = runner or spare
            if runner is None:
                return None
        if not runner.wait_ready():
            what = "the spare sandbox" if runner.one_shot else "the warm runner"
            say(f"{what} did not start; this job runs in a new sandbox")
            warm.pool.drop(runner)
            return None
        return runner

    def _after_cold_start(
        self,
        job: Job,
        content: str,
        lock: str | None,
        limits: JobLimits,
        sandboxed: bool,
        prepared: Any,
        *,
        first: bool,
    ) -> None:
        """A Python job that runs cold: a marked version (its first run, or its runner was busy
        or stopped) gets its warm runner once this job is over; any other version's first run
        (which resolved its lock) starts spare sandboxes for its next runs now, in the
        background. Later runs top their spares up in _warm_runner."""
        if job.language not in warm.LANGUAGES or lock is None:
            return
        if warm.pool.enabled() and job_marked_warm(job):
            self.prestart = lambda: warm_start(
                job, content=content, lock=lock, limits=limits, sandboxed=sandboxed, prepared=prepared
            )
        elif first and warm.pool.spares_enabled():
            key = warm_key(job, content=content, lock=lock, limits=limits, sandboxed=sandboxed)
            spec = runner_spec(job, key, content=content, lock=lock, sandboxed=sandboxed, prepared=prepared)
            if spec is not None:
                warm.pool.keep_spares(key, spec=spec, limits=limits, content=content)

    def _execute_warm(
        self, job: Job, runner: WarmRunner, sink: LogSink, limits: JobLimits, *, args: Any, token: str
    ) -> tuple[JobStatus, Any, dict[str, Any] | None]:
        """The job on a warm runner: its arguments in the one line on its pipe (no args.json:
        a file made and removed per job), logs from its stdout, the outcome from its answer and
        result.json / error.json, as a cold job's."""
        directory = runner.directory
        sandboxed = runner.launched is not None and runner.launched.sandboxed
        killed: str | None = "broken"
        self.warm_done = None
        try:
            runner.serve(job_id=str(job.id), token=token)
            env = dict(sdk_env(job, token=token, job_dir=directory, sandboxed=sandboxed))
            runner.send({"env": env, "cpu_s": limits.cpu_s, "args": args})
            started = time.monotonic()
            killed = self._pump(
                job, runner.process, sink, deadline=started + job.timeout_s, job_dir=directory, control=runner
            )
            sink.flush()
            done = self.warm_done
            if killed == "timeout":
                message = f"the job ran past its time limit of {job.timeout_s}s"
                return JobStatus.TIMEOUT, None, {"name": "Timeout", "message": message, "traceback": ""}
            if killed is not None:
                return self._stopped(job, killed, sink)
            if done is None:  # the runner itself ended mid-job: what its jail's exit says
                returncode = runner.process.wait(timeout=KILL_GRACE_S)
                return self._outcome(directory, returncode, sandboxed=sandboxed, memory_mb=limits.memory_mb)
            signum = done.get("signal")
            returncode = int(done["exit"]) if done.get("exit") is not None else -int(signum or signal.SIGKILL)
            used = float(done.get("cpu_s") or 0)
            if signum in (signal.SIGKILL, signal.SIGXCPU) and used >= 0.9 * limits.cpu_s:
                return JobStatus.FAILURE, None, cpu_exceeded(used, limits)
            return self._outcome(directory, returncode, sandboxed=sandboxed, memory_mb=limits.memory_mb)
        finally:
            runner.unserve()
            healthy = killed is None and self.warm_done is not None
            if healthy and not runner.one_shot:
                runner.finish_job()
            warm.pool.release(runner, healthy=healthy)

    def _pump(
        self,
        job: Job,
        process: Any,
        sink: LogSink,
        deadline: float,
        job_dir: Path,
        control: WarmRunner | None = None,
    ) -> str | None:
        """Copy the process's output into the log until it exits, renewing the lease.

        Returns why it had to be killed: "timeout", "canceled", "log_flood" (it kept
        printing long after the log limit), "lease_lost" (the reaper gave the job to
        another attempt), or None when it ended by itself. With a warm runner's `control`
        pipe, the job has ended when the runner says so there (self.warm_done).
        """
        fd = process.stdout.fileno()
        flood_limit = max(4 * sink.limit, 16 * 1024 * 1024)
        renew_every = settings.KILN_LEASE_SECONDS / 3
        next_renewal = time.monotonic() + renew_every
        next_cancel_check = time.monotonic() + CANCEL_CHECK_S
        progress = ProgressWatch(job, job_dir / PROGRESS_FILE)
        while True:
            now = time.monotonic()
            progress.check(now)
            if now >= next_cancel_check:
                next_cancel_check = now + CANCEL_CHECK_S
                if cancel_requested(job=job):
                    process.kill()
                    return "canceled"
            if now >= next_renewal:
                next_renewal = now + renew_every
                if not lease_renew(job=job):
                    process.kill()
                    return "lease_lost"
            remaining = deadline - now
            if remaining <= 0:
                process.kill()  # nsjail's jail dies with it (PDEATHSIG, PID namespace)
                return "timeout"
            watched = [fd] if control is None else [fd, control.control]
            ready, _, _ = select.select(watched, [], [], min(FLUSH_EVERY_S, remaining))
            if not ready:
                sink.write(b"")  # lets a quiet job's buffered lines reach the database
                continue
            if control is not None and control.control in ready:
                done = control.feed(os.read(control.control, 4096))
                if done is not None:
                    # The job's processes are gone: all it printed is in the pipe already.
                    while select.select([fd], [], [], 0)[0] and (data := os.read(fd, 65536)):
                        sink.write(data)
                    progress.check(float("inf"))
                    self.warm_done = done
                    return None
                continue
            data = os.read(fd, 65536)
            if not data:
                progress.check(float("inf"))  # what the job last wrote, however short it ran
                return None
            sink.write(data)
            if sink.dropped > flood_limit:
                process.kill()
                return "log_flood"

    def _outcome(
        self, job_dir: Path, returncode: int, *, sandboxed: bool, memory_mb: int
    ) -> tuple[JobStatus, Any, dict[str, Any] | None]:
        try:
            left = os.listdir(job_dir)  # one call, where two or three stats would mostly fail
        except OSError:
            left = []
        if "error.json" in left:
            error = _read_error(job_dir / "error.json")
            if error["name"] == "MemoryError":  # Python hit its address-space limit first
                error["message"] = f"memory limit exceeded ({memory_mb} MB) {error['message']}".strip()
            return JobStatus.FAILURE, None, error
        if returncode == 0 and "result.json" in left:
            try:
                data = read_job_file(job_dir / "result.json", MAX_RESULT_BYTES)
            except OSError as exc:
                message = f"the result could not be read: {exc.strerror or exc}"
                return JobStatus.FAILURE, None, {"name": "InvalidResult", "message": message, "traceback": ""}
            if data is None:
                return (
                    JobStatus.FAILURE,
                    None,
                    {
                        "name": "ResultTooLarge",
                        "message": f"the result is larger than {MAX_RESULT_BYTES} bytes",
                        "traceback": "",
                    },
                )
            try:
                return JobStatus.SUCCESS, json.loads(data), None
            except (ValueError, UnicodeDecodeError) as exc:
                return (
                    JobStatus.FAILURE,
                    None,
                    {"name": "InvalidResult", "message": str(exc), "traceback": ""},
                )
        if returncode == NSJAIL_FAILED and sandboxed:
            message = "the sandbox could not start the job (nsjail's reason is in the log)"
            return JobStatus.FAILURE, None, {"name": "SandboxError", "message": message, "traceback": ""}
        if returncode in (-signal.SIGKILL, 128 + signal.SIGKILL) and sandboxed:
            # Timeouts were handled above; inside the jail a SIGKILL comes from the memory cgroup.
            message = f"memory limit exceeded: the job used more than {memory_mb} MB and was killed"
            return (
                JobStatus.FAILURE,
                None,
                {"name": "MemoryLimitExceeded", "message": message, "traceback": ""},
            )
        if returncode < 0 or returncode > 128:
            signum = -returncode if returncode < 0 else returncode - 128
            message = f"the job was killed by signal {signum} (out of memory or a sandbox limit?)"
            return JobStatus.FAILURE, None, {"name": "Killed", "message": message, "traceback": ""}
        message = f"the job exited with code {returncode} without writing a result"
        return JobStatus.FAILURE, None, {"name": "NoResult", "message": message, "traceback": ""}


def job_arguments(job: Job) -> tuple[Any, set[str]]:
    """The job's arguments with `$var:` / `$res:` resolved, with its owner's access, and the
    secrets among them (raises ResolveError). No reference: no query at all."""
    if not references(job.args):
        return job.args, set()
    principal = principal_for_job(
        workspace_id=job.workspace_id, run_as=job.run_as, run_as_user_id=job.run_as_user_id
    )
    return resolve_args(principal, job.args)


def sdk_env(job: Job, *, token: str, job_dir: Path, sandboxed: bool) -> tuple[tuple[str, str], ...]:
    """Where the job reaches Kiln (its socket) and who it is."""
    socket = f"{JOB_DIR_IN_JAIL if sandboxed else job_dir}/{SOCKET_NAME}"
    if len(socket) > MAX_UNIX_PATH:  # unsandboxed, deep data dir: relative to the job's cwd
        socket = SOCKET_NAME
    return (
        ("KILN_SDK_SOCKET", socket),
        ("KILN_TOKEN", token),
        ("KILN_WORKSPACE", job.workspace_id),
        ("KILN_JOB_ID", str(job.id)),
        ("KILN_SCRIPT_PATH", job.script_path),
    )


def sdk_spec(spec: RunSpec, job: Job, *, token: str, job_dir: Path, sandboxed: bool) -> RunSpec:
    """The SDK for the jail: its directory (read-only) and where to reach Kiln (the socket)."""
    env = (*sdk_env(job, token=token, job_dir=job_dir, sandboxed=sandboxed), ("KILN_SDK_DIR", str(SDK_DIR)))
    return replace(spec, env=(*spec.env, *env), mounts=(*spec.mounts, Mount(str(SDK_DIR))))


def cpu_exceeded(used: float, limits: JobLimits) -> dict[str, Any]:
    message = f"CPU time limit exceeded: the job used {used:.1f}s of CPU (limit {limits.cpu_s}s)"
    return {"name": "CpuLimitExceeded", "message": message, "traceback": ""}


def warm_start(
    job: Job, *, content: str, lock: str, limits: JobLimits, sandboxed: bool, prepared: Any = None
) -> WarmRunner | None:
    """Start (not waiting for it) the runner that would take jobs like `job`, unless there is one."""
    key = warm_key(job, content=content, lock=lock, limits=limits, sandboxed=sandboxed)
    if warm.pool.has(key):
        return None
    spec = runner_spec(job, key, content=content, lock=lock, sandboxed=sandboxed, prepared=prepared)
    if spec is None:
        return None
    return warm.pool.spawn(key, spec=spec, limits=limits, marked=True, content=content)


def runner_spec(
    job: Job,
    key: WarmKey,
    *,
    content: str,
    lock: str,
    sandboxed: bool,
    prepared: Any = None,
    log: Any = None,
) -> RunSpec | None:
    """The run spec of a warm runner or spare for `key`, kept per process; prepared (or from
    `prepared`, what the cold run just prepared). None when it cannot be: the cold run says why."""
    spec = warm.pool.spec_for(key)
    if spec is not None:
        return spec
    lang = registry.get(job.language)
    if prepared is None:
        ctx = prepare_context(job_dir=Path(settings.KILN_JOBS_DIR), log=log or (lambda line: None), lock=lock)
        try:
            prepared = lang.prepare(content, ctx)
        except PrepareError:
            return None
    spec = warm_spec(lang.run_spec(prepared), sandboxed=sandboxed)
    warm.pool.remember_spec(key, spec)
    return spec


def warm_prestart(queues: set[str]) -> int:
    """A worker process starting: a runner for each marked script's latest Python version served
    here, shaped by its last finished job (its limits and network); a version that never ran
    gets its runner after its first job. Returns how many were started."""
    from kiln.scripts.models import Script

    started = 0
    try:
        sandboxed = sandbox_mode() == "nsjail"
    except SandboxUnavailable:
        return 0
    scripts = Script.objects.filter(settings__warm=True, latest__language__in=warm.LANGUAGES)
    for script in scripts.select_related("latest")[: max(settings.KILN_WARM_MAX_RUNNERS, 0)]:
        version = script.latest
        if version is None or version.lock is None:
            continue
        job = (
            Job.objects.filter(script_version=version, finished_at__isnull=False, queue__in=queues)
            .order_by("-created_at")
            .first()
        )
        if job is None:
            continue
        try:
            runner = warm_start(
                job, content=version.content, lock=version.lock, limits=job_limits(job), sandboxed=sandboxed
            )
        except Exception:
            log.warning("warm runner for %s could not start", script.path, exc_info=True)
            continue
        started += runner is not None
    return started


def prepare_context(*, job_dir: Path, log: Any, lock: str | None) -> PrepareContext:
    """What a language's prepare() gets: the shared caches, where to log, the stored lock."""
    return PrepareContext(
        cache_dir=Path(settings.KILN_CACHE_DIR),
        job_dir=job_dir,
        log=log,
        lock=lock,
        files_dir=Path(settings.KILN_FILES_DIR),
    )


def warm_key(job: Job, *, content: str, lock: str, limits: JobLimits, sandboxed: bool) -> WarmKey:
    """The runner a job like this may run on (jobs/warm.py)."""
    return WarmKey.of(
        owner=warm_owner(job),
        language=job.language,
        content=content,
        lock=lock,
        limits=limits,
        network=job.network,
        sandboxed=sandboxed,
    )


def warm_owner(job: Job) -> str:
    """Whose runner may take the job: its script version's, or for a flow's inline step, its
    flow's (the same code in several steps of one flow shares a runner; `<flow path>/<step>`)."""
    if job.script_version_id is not None:
        return f"version:{job.script_version_id}"
    return f"flow:{job.workspace_id}:{job.script_path.rsplit('/', 1)[0]}"


def job_marked_warm(job: Job) -> bool:
    """The job's script asks for warm runners (settings.warm)."""
    if job.script_version is None:
        return False
    return bool((job.script_version.script.settings or {}).get("warm"))


def job_code(job: Job) -> tuple[str, str | None]:
    """What the job runs and its dependency lock (None: not resolved yet): a script version's,
    or a flow's inline step's (its lock kept by content hash, kiln.flows.models.InlineLock)."""
    if job.script_version is not None:
        return job.script_version.content, job.script_version.lock
    from kiln.flows.models import InlineLock

    lock = _INLINE_LOCKS.get(job.raw_hash)
    if lock is None:
        lock = InlineLock.objects.filter(hash=job.raw_hash).values_list("lock", flat=True).first()
        if lock is not None:  # resolved once and never changed: kept for this process's next steps
            _INLINE_LOCKS.put(job.raw_hash, lock)
    return job.raw_code, lock


_INLINE_LOCKS: Kept[str, str] = Kept(1024)


def lock_store(job: Job, lock: str) -> None:
    """Resolved once: every later run of the same code installs from the same lock."""
    if job.script_version is not None:
        ScriptVersion.objects.filter(pk=job.script_version.pk, lock__isnull=True).update(lock=lock)
        return
    from kiln.flows.models import InlineLock

    InlineLock.objects.get_or_create(hash=job.raw_hash, defaults={"language": job.language, "lock": lock})


def read_job_file(path: Path, limit: int) -> bytes | None:
    """A file a job left in its directory (its result, its error, its progress), read by the
    worker, on the host. The job chose what is there, so only a regular file is read, never
    through a symlink (which would be followed outside the jail: a host file as the result),
    nor a FIFO or a device (a read that never ends): OSError. At most `limit` bytes: None
    when the file is larger."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if found.st_size > limit:
            return None
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return None if size > limit else b"".join(chunks)
    finally:
        os.close(fd)


def _read_error(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_job_file(path, MAX_RESULT_BYTES) or b"")
        return {
            "name": str(data.get("name", "Error")),
            "message": str(data.get("message", "")),
            "traceback": str(data.get("traceback", "")),
        }
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return {
            "name": "Error",
            "message": "the job failed and its error file was unreadable",
            "traceback": "",
        }
