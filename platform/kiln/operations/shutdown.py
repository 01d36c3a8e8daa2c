"""A web process told to stop (SIGTERM from docker or `kiln up`, Ctrl-C).

uvicorn then takes no new connection and gives the requests in flight a few seconds
(`kiln web`'s graceful timeout) before it cancels them. A sync run (`run_wait_result`) may
wait up to KILN_SYNC_WAIT for its job: rather than be cut, it answers at once what it
answers when that wait runs out, 202 with the job's id and URL (the job goes on, on the
workers). `/readyz` says 503 meanwhile, for a load balancer still holding a connection.
"""

from __future__ import annotations

import threading

_stopping = threading.Event()


def begin() -> None:
    _stopping.set()


def stopping() -> bool:
    return _stopping.is_set()
