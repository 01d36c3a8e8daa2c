"""An asyncio event loop of a process's own, running in a daemon thread: for work that sync
code hands over (publishes to live viewers, wake-up subscriptions) and that should keep its
connections open between calls. Made at the first need, and again in a forked child (a pool
process), which inherits the parent's loop object but not its thread."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessLoop(Generic[T]):
    """`get()` returns this process's loop and what `setup(loop)` made for it (a queue, a
    task), both made once per process. With `stop_at_exit`, the loop stops at the
    interpreter's exit, before what was set up earlier goes (an embedded Valkey), so that its
    tasks do not report a lost connection on the way out."""

    def __init__(self, name: str, setup: Callable[[asyncio.AbstractEventLoop], T], *, stop_at_exit: bool):
        self.name, self.setup, self.stop_at_exit = name, setup, stop_at_exit
        self._made: tuple[int, asyncio.AbstractEventLoop, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> tuple[asyncio.AbstractEventLoop, T]:
        with self._lock:
            if self._made is None or self._made[0] != os.getpid():  # none yet, or a forked child
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self.name, daemon=True)
                thread.start()
                if self.stop_at_exit:
                    atexit.register(_stop, os.getpid(), loop, thread)
                self._made = (os.getpid(), loop, self.setup(loop))
            return self._made[1], self._made[2]

    def made(self) -> tuple[asyncio.AbstractEventLoop, T] | None:
        """This process's loop and what was set up for it, if `get()` made them already."""
        with self._lock:
            if self._made is None or self._made[0] != os.getpid():
                return None
            return self._made[1], self._made[2]


def _stop(pid: int, loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    if os.getpid() != pid:  # a forked child inherited the handler, not the loop's thread
        return
    with contextlib.suppress(RuntimeError):  # closed already
        loop.call_soon_threadsafe(loop.stop)
    thread.join(1.0)
