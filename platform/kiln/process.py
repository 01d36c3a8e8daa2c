"""Process helpers shared by the supervisor and the job sandbox."""

from __future__ import annotations

import contextlib
import ctypes
import signal
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1


def libc_function(name: str) -> Any:
    """A libc function, looked up now, in the parent. A `preexec_fn` runs between fork and exec,
    where loading a library or looking up a symbol (dlopen, dlsym) takes the dynamic loader's
    lock: if another thread held it at the fork (V8's threads in a worker that evaluated flow
    expressions, say), the child waits for ever and so does the parent's Popen."""
    try:
        return getattr(ctypes.CDLL("libc.so.6", use_errno=True), name)
    except (OSError, AttributeError):
        return None


_PRCTL = libc_function("prctl")


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A `preexec_fn` that makes the kernel send `sig` to the child when its parent dies,
    so a killed supervisor or worker cannot leave orphans behind (Linux only)."""
    prctl = _PRCTL

    def preexec() -> None:
        if prctl is not None:
            with contextlib.suppress(OSError):
                prctl(PR_SET_PDEATHSIG, sig)

    return preexec
