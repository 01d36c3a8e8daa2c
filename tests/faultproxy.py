"""A TCP fault proxy for tests (and the soak bench): put it between Kiln and PostgreSQL or Redis
and make that link slow, narrow, silent or gone, then heal it.

    proxy = FaultProxy("127.0.0.1", 5432).start()   # listens on proxy.port
    proxy.latency_s = 0.1          # each chunk, each way, arrives this much later (in order)
    proxy.bandwidth = 64_000       # bytes/s, each way, each connection
    proxy.blackhole()              # connections stay open, nothing goes through (nor is refused)
    proxy.down()                   # every connection reset, new ones refused: the server is gone
    proxy.reset()                  # every open connection reset once; new ones work
    proxy.heal()                   # all of the above undone
    proxy.stop()

asyncio, in a thread of its own; the knobs may be turned from any thread at any time.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections.abc import Coroutine
from typing import Any

CHUNK = 65536


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = port
        self.latency_s = 0.0
        self.bandwidth: int | None = None
        self.silent = False  # blackhole: read and drop, forward nothing
        self.refusing = False
        self.accepted = 0  # connections accepted so far
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)

    # --- life ------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        self._call(self._close(listening=True))
        self._call(self._cancel_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    @property
    def url_host(self) -> str:
        return f"127.0.0.1:{self.port}"

    # --- faults ----------------------------------------------------------------------------

    def blackhole(self) -> None:
        self.silent = True

    def reset(self) -> None:
        self._call(self._close(listening=False))

    def down(self) -> None:
        self.refusing = True
        self._call(self._close(listening=True))

    def heal(self) -> None:
        self.latency_s, self.bandwidth, self.silent = 0.0, None, False
        if self.refusing:
            self.refusing = False
            self._call(self._listen())

    # --- inside the loop -------------------------------------------------------------------

    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self, *, listening: bool) -> None:
        if listening and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            _abort(writer)
        self._writers.clear()

    async def _cancel_all(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.add(writer)
        if self.silent:  # accepted, then nothing: no upstream, no answer, no refusal
            await _drain_forever(reader)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _abort(writer)
            return
        self._writers.add(up_writer)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        for end in (writer, up_writer):
            self._writers.discard(end)
            with contextlib.suppress(Exception):
                end.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy one way. Latency delays each chunk without holding the next one back (a queue
        of chunks stamped with their delivery time); bandwidth paces the writes."""
        pending: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, data = await pending.get()
                if not data:
                    break
                if (wait := due - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                if self.bandwidth:  # the time these bytes take on a link this narrow
                    await asyncio.sleep(len(data) / self.bandwidth)
                if self.silent:
                    continue
                writer.write(data)
                await writer.drain()
            with contextlib.suppress(Exception):
                writer.write_eof()

        sender = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(CHUNK):
                pending.put_nowait((time.monotonic() + self.latency_s, data))
        except (ConnectionError, OSError):
            pass
        finally:
            pending.put_nowait((time.monotonic() + self.latency_s, b""))
            with contextlib.suppress(Exception):
                await sender


async def _drain_forever(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while await reader.read(CHUNK):
            pass


def _abort(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed server or a cut link does."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(Exception):
        writer.transport.abort()
