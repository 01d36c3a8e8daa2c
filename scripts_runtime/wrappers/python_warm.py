"""A warm runner for one Python script version: runs inside the sandbox and takes jobs over a pipe.

Started once (kiln/jobs/warm.py) with the job's jail and limits; it sets up sys.path, imports
what main.py imports (its dependencies, as the worker read them: KILN_WARM_IMPORTS; Kiln's
SDK) and loads main.py's code (the worker's main.pyc, else compiled here), then waits. For each
job the worker sends one line on stdin ({"env": {...}, "cpu_s": N, "args": {...}}; without
"args" the job reads /job/args.json); the runner passes it to the job's process, forked from
the template before the job came and waiting for it (the fork and the process's first page
faults are off the job's path), which runs the job exactly as python_wrapper.py would
(main.py's module code, then main(**args), result.json or error.json) with the job's
environment and CPU limit, printing to the jail's stdout (the job's log). When the child has
ended the runner kills whatever the job left running, removes what it added to /tmp and
/dev/shm (the jail's own mount points stay), empties /job (but main.py, the SDK socket and
the outcome files) and answers on the control pipe (fd $KILN_WARM_FD): {"exit": code,
"signal": n, "cpu_s": seconds, "rss_kb": its own resident memory}, then forks the next job's
process. Each job starts from the same clean template (fork: copy-on-write), forked after the
previous job's processes are gone and its files removed, so nothing one job does in memory or
leaves behind is seen by the next.

Every page either side writes after a fork is copied (a fault of 1-2 µs): that, not the job, is
most of a trivial warm job's CPU. So the template runs the Python around every job until
CPython has quickened and specialized it (_warm_up), and both sides avoid Python-level detours
(signal's enum wrapper, Mapping.update, text I/O layers, json.dumps for the answer): about
310 faults per job in the job's process instead of 500, and 130 in the runner instead of 180
(bench/warm_runner_cpu.py).

A thread watches stdin for a hang-up: the worker closed it, or is gone. Then the runner exits at
once, mid-job or mid-import, and its jail with it: it needs no PR_SET_PDEATHSIG.

A one-shot runner (a spare sandbox, kiln/jobs/warm.py; KILN_WARM_ONE_SHOT=1) preloads only what
main.py imports and gets a single command: it answers as soon as the job's process has ended
and exits, and its jail goes with it.

Standard library only: mounted read-only into the jail with python_wrapper.py beside it.
"""

import _signal  # not signal: its enum conversions are Python (pages each job's process writes)
import atexit  # here, not in each job's process: an import there is a dozen of importlib's frames
import os
import resource
import sys
import time

# Nothing else at the top, as in python_wrapper.py: a spare sandbox (one-shot) starts one for
# every cold job, and json, signal or contextlib would bring re, enum, collections and functools
# with them, about half of a trivial cold job's CPU. A runner that serves many jobs imports
# what its jobs may need in _preload.

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I: the script's dir is not on it
import python_wrapper as wrapper  # noqa: E402

del sys.path[0]  # the job's sys.path is a cold job's

_SIGTERM, _SIGKILL, _SIG_DFL = _signal.SIGTERM, _signal.SIGKILL, _signal.SIG_DFL

# main.py and the SDK socket stay; the worker reads and removes the job's outcome files.
KEEP = {"main.py", "sdk.sock", "result.json", "error.json", "progress"}


def _preload(names, extras=True, api=False):
    """Import main.py's modules now, once, so no job pays for them; quietly: a failure here is
    the job's to report, when its own import runs. With `extras`, also what the wrapper imports
    only when a job needs them, and the SDK: a runner that serves many jobs, not a one-shot's.
    With `api` (the script names kiln), also what the SDK imports at its first request:
    http.client, with ssl and email, is 6 MB of the template that each job's fork and exit
    pay for (about 0.3 ms of CPU), so only a script that may call the API gets it ahead."""
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        # typing: the wrapper's for any annotation but a plain class, each job would import it
        wrapper_needs = ["typing", "dataclasses", "base64", "traceback", "kiln"] if extras else []
        api_needs = ["kiln", "http.client"] if api else []
        for name in [*wrapper_needs, *names, *api_needs]:
            try:
                __import__(name)
            except BaseException:  # noqa: BLE001, S112 - any failure is the job's, later
                continue
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (null, *saved):
            os.close(fd)


_job = [0]  # the running job's process (its group, outside a jail), for _watch_worker


def _watch_worker():
    """Runs on a thread for the runner's whole life: when its stdin reports a hang-up (the
    worker closed it, or the worker is gone), end the runner at once, mid-job or mid-import. In
    the jail this is pid 1: its exit ends every process in the jail. poll() with no events still
    reports POLLHUP, and it never reads what the worker sends, which the main loop reads."""
    import select

    watch = select.poll()
    watch.register(0, 0)
    while True:
        for _, event in watch.poll():
            if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                if _job[0]:
                    try:  # noqa: SIM105 - not contextlib: an import this file avoids
                        os.killpg(_job[0], _SIGKILL)
                    except OSError:
                        pass
                os._exit(3)


def _rss_kb():
    try:
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            return int(os.read(fd, 256).split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        finally:
            os.close(fd)
    except (OSError, ValueError, IndexError):
        return 0


def _commands(fd):
    """The worker's commands, one line (bytes) at a time, read from the fd itself: no text
    layer. While a job's process waits, every page the runner writes is a copy-on-write fault
    (about 30 % of the runner's CPU at first), so its loop makes as few objects as it can, and
    leaves the parsing of the command to the job's process."""
    pending = b""
    while True:
        end = pending.find(b"\n")
        if end < 0:  # a long line (large arguments) comes in many reads: joined once
            chunks = [pending]
            while end < 0:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                chunks.append(chunk)
                end = chunk.find(b"\n")
            end += sum(len(c) for c in chunks[:-1])
            pending = b"".join(chunks)
        line, pending = pending[: end + 1], pending[end + 1 :]
        yield line


def _rehearse():
    """What every job does first, done once before its command comes, in the waiting process:
    its first touch of the template's pages (the interpreter's objects, json, io) is a
    copy-on-write fault each, about a millisecond in all, paid here while the runner is idle.
    Nothing here leaves state a job could see: JSON and /dev/null only. (A warm job reads no
    file: its arguments come in its command.)"""
    wrapper.loads('{"env": {"A": "b"}, "cpu_s": 1, "args": {"n": [1, 2.5, null, true, "x"]}}')
    fd = os.open(os.devnull, os.O_WRONLY)  # as python_wrapper._write writes: bytes to an fd
    try:
        os.write(fd, wrapper.dumps({"result": [1, 2.5, None, True, "x", {"k": "v"}]}).encode())
    finally:
        os.close(fd)


def _warm_up(rounds=64):
    """Run, in the template, the Python that every job's process runs around the job itself,
    until CPython 3.11 has quickened and specialized it: each function counts its first calls
    in its code object, and each instruction its misses in the bytecode's caches, so code that
    first runs in a job's process writes to (and copies) the pages of its code objects. About 45
    copy-on-write faults fewer per job, of about 480. Nothing here leaves state a job could see:
    JSON, /dev/null, a throwaway function's hints, and the environment set to what it is."""

    def sample(n: int, s: str = "x"):
        return n

    for _ in range(rounds):
        _rehearse()
        os.environ["KILN_WARM_FD"] = os.environ["KILN_WARM_FD"]  # os.environ's setter, as a job's env
        hints = wrapper._hints(sample)
        _ = {k: wrapper._convert(v, hints.get(k)) for k, v in {"n": 1, "s": "y"}.items()}
        wrapper.dumps({"x": 1})
        os.path.join(wrapper.JOB_DIR, "result.json")


def _prepare(code, control):
    """The next job's process, forked from the clean template before its command comes (the
    fork and the first page faults are then off the job's path): it waits for the command on a
    pipe of its own, and exits if the pipe closes without one (the runner is gone). Returns
    (its pid, the pipe's write end)."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(write)
        _child(code, read, control)
    os.close(read)
    return child, write


def _child(code, commands, control):
    """The job: never returns."""
    rc = 70
    try:
        os.setpgid(0, 0)
        os.close(control)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        _signal.signal(_SIGTERM, _SIG_DFL)
        _rehearse()
        chunks = []
        while chunk := os.read(commands, 65536):
            chunks.append(chunk)
        os.close(commands)
        line = b"".join(chunks)
        if not line:
            os._exit(0)  # no job came: the runner is exiting
        command = wrapper.loads(line.decode())
        for name, value in (command.get("env") or {}).items():
            os.environ[name] = value  # not update(): its Mapping check is an ABC's, in Python
        cpu = int(command.get("cpu_s") or 0)
        if cpu > 0:
            soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
            limit = cpu if hard == resource.RLIM_INFINITY else min(cpu, hard)
            resource.setrlimit(resource.RLIMIT_CPU, (limit, limit))
        os.chdir(wrapper.JOB_DIR)
        rc = wrapper.run_job(code, command.get("args"))  # a command without them: args.json
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()  # like a normal exit: wait for non-daemon threads
        atexit._run_exitfuncs()
    except BaseException as exc:  # noqa: BLE001 - the wrapper itself failed: say so in the log
        sys.stderr.write(f"[kiln] the warm runner could not run the job: {exc!r}\n")
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(rc)


def _sweep(child, sandboxed):
    """Kill what the job left running. In the jail (a PID namespace where this is pid 1, and
    every orphan's parent) that is every other process; outside, the job's process group."""
    if sandboxed and os.getpid() == 1:
        if _reap():
            return  # no child left: nothing else runs in the jail (the usual case, without /proc)
        for attempt in range(2000):  # up to ~2 s for the kernel to finish the kills
            others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != 1]
            if not others:
                break
            for pid in others:
                try:  # noqa: SIM105 - not contextlib: an import this file avoids
                    os.kill(pid, _SIGKILL)
                except OSError:
                    pass
            _reap()
            if attempt:
                time.sleep(0.001)
    else:
        try:  # noqa: SIM105 - not contextlib: an import this file avoids
            os.killpg(child, _SIGKILL)
        except OSError:
            pass
    _reap()


def _reap():
    """Reap the children that have exited; True when none is left. For pid 1 of the jail that
    means no other process at all: every process in the jail descends from it, and an orphan
    becomes its child."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False


def _remove(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            import shutil  # only once a job left a directory: not part of every runner's start

            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def _empty(directory, keep=()):
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name not in keep:
            _remove(os.path.join(directory, name))


def _baseline(root):
    """What the jail itself put under `root` before any job: the mount points of read-only
    mounts under it (a data dir or checkout under /tmp) and their parents. Kept; not entered."""
    try:
        device = os.lstat(root).st_dev
    except OSError:
        return set()
    kept = set()
    for parent, dirs, files in os.walk(root):
        kept.update(os.path.join(parent, name) for name in dirs + files)
        dirs[:] = [d for d in dirs if os.lstat(os.path.join(parent, d)).st_dev == device]
    return kept


def _restore(root, baseline):
    """Remove what a job added under `root` (a tmpfs), leaving the baseline as it was."""
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        path = os.path.join(root, name)
        if path not in baseline:
            _remove(path)
        elif (
            os.path.isdir(path)
            and not os.path.islink(path)
            and os.lstat(path).st_dev == os.lstat(root).st_dev
        ):
            _restore(path, baseline)  # one of the jail's own directories: what the job put in it goes


def _answer(control, status, usage):
    """The job's end, on the control pipe. Formatted, not json.dumps'd, and written to the fd:
    every page the runner writes while the next job's process waits is a copy-on-write fault,
    and a dict, the encoder and a text layer cost about 40 of them per job."""
    os.write(
        control,
        b'{"exit": %s, "signal": %s, "cpu_s": %r, "rss_kb": %d}\n'
        % (
            b"%d" % os.WEXITSTATUS(status) if os.WIFEXITED(status) else b"null",
            b"%d" % os.WTERMSIG(status) if os.WIFSIGNALED(status) else b"null",
            usage.ru_utime + usage.ru_stime,
            _rss_kb(),
        ),
    )


def main():
    control = int(os.environ["KILN_WARM_FD"])
    import _thread

    _thread.start_new_thread(_watch_worker, ())
    sandboxed = os.environ.get("KILN_WARM_SANDBOXED") == "1"
    one_shot = os.environ.get("KILN_WARM_ONE_SHOT") == "1"
    wrapper.setup_paths()
    script = os.path.join(wrapper.JOB_DIR, "main.py")
    with open(script, "rb") as fh:
        source = fh.read()
    try:  # the worker's main.pyc: no compile here, whose AST types alone are ~3 ms of a spare's CPU
        code = wrapper.compiled(script, source)
    except (SyntaxError, ValueError):  # ValueError: a null byte, in Python 3.11
        code = None  # each job compiles it and reports the error itself
    if code is not None:  # what main.py imports at its top level, as the worker read it
        names = [n for n in os.environ.get("KILN_WARM_IMPORTS", "").split(",") if n]
        _preload(names, extras=not one_shot, api=b"kiln" in source)
    _remove(script + "c")  # its jobs run the code read here: /job as every warm job sees it
    # A one-shot runner's jail ends with its job: no scratch space to restore after it.
    scratch = (
        {place: _baseline(place) for place in ("/tmp", "/dev/shm")} if sandboxed and not one_shot else {}
    )
    if not one_shot:  # a one-shot runner forks one job's process: nothing to share
        _warm_up()
    import gc

    gc.collect()
    gc.freeze()  # the template's objects: never scanned by a job's collections, so their pages stay shared
    child, commands = _prepare(code, control)  # the first job's process, waiting
    _job[0] = child
    os.write(control, b'{"ready": true, "rss_kb": %d}\n' % _rss_kb())
    for line in _commands(0):
        if not line.startswith(b"{"):
            return 2  # not a command: the worker would not send it
        data = memoryview(line)
        while data:
            data = data[os.write(commands, data) :]
        os.close(commands)
        _, status, usage = os.wait4(child, 0)
        _sweep(child, sandboxed)
        _job[0] = 0
        if not one_shot:  # a one-shot runner's jail, its /tmp and its job dir go with it
            for place, baseline in scratch.items():
                _restore(place, baseline)
            _empty(wrapper.JOB_DIR, KEEP)
        _answer(control, status, usage)
        if one_shot:
            return 0
        # The next job's process, forked now that this one's are gone and its files cleaned up,
        # after the answer: the worker goes on with this job's outcome meanwhile.
        child, commands = _prepare(code, control)
        _job[0] = child
    return 0


if __name__ == "__main__":
    sys.exit(main())
