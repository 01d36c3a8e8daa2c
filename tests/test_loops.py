"""kiln.loops.ProcessLoop: one loop per process, set up once, made again in a forked child
(which inherits the parent's loop object but not the thread that runs it)."""

from __future__ import annotations

import asyncio
import json
import os

from kiln.loops import ProcessLoop


async def _where() -> tuple[int, str]:
    import threading

    return os.getpid(), threading.current_thread().name


def test_one_loop_per_process_set_up_once() -> None:
    made: list[asyncio.AbstractEventLoop] = []
    loops = ProcessLoop("kiln-test-loop", lambda loop: made.append(loop) or len(made), stop_at_exit=True)
    assert loops.made() is None

    loop, setup = loops.get()
    assert loops.get() == (loop, setup) == loops.made()
    assert made == [loop] and setup == 1
    pid, thread = asyncio.run_coroutine_threadsafe(_where(), loop).result(5)
    assert (pid, thread) == (os.getpid(), "kiln-test-loop")


def test_a_forked_child_gets_a_loop_of_its_own() -> None:
    loops = ProcessLoop("kiln-test-fork", lambda loop: os.getpid(), stop_at_exit=True)
    parent_loop, parent_setup = loops.get()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - reported over the pipe
        try:
            before = loops.made()
            loop, setup = loops.get()
            pid, thread = asyncio.run_coroutine_threadsafe(_where(), loop).result(5)
            answer = {
                "before": before is None,
                "new_loop": loop is not parent_loop,
                "setup": setup == os.getpid(),
                "runs_here": pid == os.getpid() and thread == "kiln-test-fork",
            }
            os.write(write, json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        answer = json.loads(fh.read())
    os.waitpid(child, 0)
    assert answer == {"before": True, "new_loop": True, "setup": True, "runs_here": True}
    assert loops.get() == (parent_loop, parent_setup)  # the parent's is untouched
