"""The fault proxy the operations tests put between Kiln and its database or Redis."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.faultproxy import FaultProxy


@pytest.fixture
def echo() -> Iterator[int]:
    """A TCP echo server: what it reads, it writes back."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the proxy resets some connections on purpose
            while data := conn.recv(65536):
                conn.sendall(data)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


@pytest.fixture
def proxy(echo: int) -> Iterator[FaultProxy]:
    proxy = FaultProxy("127.0.0.1", echo).start()
    yield proxy
    proxy.stop()


def connect(proxy: FaultProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=5)


def round_trip(conn: socket.socket, data: bytes) -> bytes:
    conn.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = conn.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def assert_cut(conn: socket.socket) -> None:
    """The connection was reset: a write or the next read fails (or reads the end)."""
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        conn.sendall(b"b")
        if not conn.recv(1):
            raise ConnectionResetError
    conn.close()


def test_it_passes_bytes_both_ways(proxy: FaultProxy) -> None:
    with connect(proxy) as conn:
        assert round_trip(conn, b"hello" * 1000) == b"hello" * 1000


def test_latency_delays_each_way_without_reordering(proxy: FaultProxy) -> None:
    proxy.latency_s = 0.1
    with connect(proxy) as conn:
        started = time.monotonic()
        assert round_trip(conn, b"ping") == b"ping"
        assert 0.2 <= time.monotonic() - started < 2  # 100 ms there, 100 ms back
        for i in range(5):
            conn.sendall(f"{i}".encode())
        assert round_trip(conn, b"") == b"" and conn.recv(5) in (b"01234", b"0", b"01", b"012", b"0123")


def test_bandwidth_paces_the_bytes(proxy: FaultProxy) -> None:
    proxy.bandwidth = 200_000
    with connect(proxy) as conn:
        started = time.monotonic()
        assert round_trip(conn, b"x" * 100_000) == b"x" * 100_000
        assert time.monotonic() - started >= 0.5  # 100 kB at 200 kB/s, twice


def test_a_blackhole_answers_nothing_and_refuses_nothing(proxy: FaultProxy) -> None:
    with connect(proxy) as open_before:
        proxy.blackhole()
        open_before.settimeout(0.5)
        open_before.sendall(b"anyone?")
        with pytest.raises(TimeoutError):
            open_before.recv(10)
    with connect(proxy) as new:  # accepted
        new.settimeout(0.5)
        new.sendall(b"anyone?")
        with pytest.raises(TimeoutError):
            new.recv(10)
    proxy.heal()
    with connect(proxy) as conn:
        assert round_trip(conn, b"back") == b"back"


def test_down_resets_open_connections_and_refuses_new_ones_until_healed(proxy: FaultProxy) -> None:
    conn = connect(proxy)
    assert round_trip(conn, b"a") == b"a"
    proxy.down()
    assert_cut(conn)
    with pytest.raises(ConnectionRefusedError):
        connect(proxy)
    proxy.heal()
    with connect(proxy) as again:
        assert round_trip(again, b"c") == b"c"


def test_reset_cuts_open_connections_once(proxy: FaultProxy) -> None:
    conn = connect(proxy)
    assert round_trip(conn, b"a") == b"a"
    proxy.reset()
    assert_cut(conn)
    with connect(proxy) as new:
        assert round_trip(new, b"c") == b"c"
