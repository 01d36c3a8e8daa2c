"""The performance suite (bench/suite.py) as a smoke test: it runs, writes its JSON with figures
and draws its charts. No timing is asserted: speed is judged from the figures by people."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import suite, webhook_latency

ROOT = Path(__file__).resolve().parent.parent.parent
# Two scenarios, each cold and warm on a fresh `kiln up` (four platforms): about 75 s on two cores.
# W5 (three rates, a backlog at 50 req/s when cold) would add ~60 s: its client is checked below
# against a stand-in server instead.
ONLY = ("W1", "W4")
FIGURES = {"W1": ("total_s", "overhead_per_step_ms", "hop_p50_ms"), "W4": ("jobs_per_s",)}
CHARTS = ("w1_vs_published.png", "flows_vs_peers.png", "w4_throughput.png")


def has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.e2e
@pytest.mark.timeout(600)
def test_the_quick_suite_writes_figures_and_charts(tmp_path: Path) -> None:
    # The suite starts its own platforms: none of this test run's KILN_ / DJANGO_ settings (unit
    # tests turn warm-by-traffic off, for one). Each platform gets an embedded Valkey of its own:
    # on a shared REDIS_URL the suite's platforms would pick the same database numbers as this
    # process's e2e platforms (each process counts from 1) and take each other's job messages.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KILN_", "DJANGO_"))}
    env["KILN_TEST_EMBEDDED_REDIS"] = "1"
    command = [sys.executable, "-m", "bench.suite", "--quick", "--only", ",".join(ONLY), "--no-peers"]
    done = subprocess.run(
        [*command, "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=540
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]

    (found,) = tmp_path.glob("*.json")
    document = json.loads(found.read_text())
    assert document["mode"] == "quick" and document["only"] == list(ONLY)
    assert document["machine"]["cores"] and document["machine"]["database"]
    assert document["peers"]["skipped"] == "--no-peers"
    for name, keys in FIGURES.items():
        for mode in ("cold", "warm"):
            figures = document["scenarios"][name][mode]
            assert "error" not in figures, figures["error"]
            for key in keys:
                assert isinstance(figures[key], int | float) and figures[key] >= 0, (name, mode, key, figures)
        assert document["scenarios"][name]["warm"].get("warm_setting", "on") in ("on", "not supported")
    assert {row["scenario"] for row in document["summary"]} >= set(ONLY)
    table = document["table"]
    assert "W1" in table and ("[met]" in table or "[MISSED]" in table)

    folder = found.with_suffix("")
    if has_matplotlib():
        for chart in CHARTS:
            assert (folder / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", chart
        assert sorted(document["charts"]) == sorted(f"{folder.name}/{chart}" for chart in CHARTS)
    else:
        assert document["charts_skipped"] and not document["charts"]


def test_the_open_loop_client_keeps_its_schedule_and_counts_errors() -> None:
    """bench.webhook_latency against a stand-in server: requests go out on schedule even while
    earlier ones wait (open loop), each 200 is timed from its scheduled send, others are errors."""

    async def scenario() -> webhook_latency.Tally:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = next(
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if b"content-length" in line.lower()
                    )
                    n = json.loads(await reader.readexactly(length))["n"]
                    await asyncio.sleep(0.3)  # slower than the send interval: requests overlap
                    status, body = (
                        (b"200 OK", json.dumps(n + 1).encode()) if n % 5 else (b"202 Accepted", b"{}")
                    )
                    writer.write(b"HTTP/1.1 %s\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body))
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await webhook_latency.open_loop("127.0.0.1", port, "t", "u/x/y", rate=20, seconds=1)
        finally:
            server.close()

    tally = asyncio.run(scenario())
    figures = webhook_latency.figures(20, 1, tally)
    assert figures["requests"] == 20 and figures["ok"] == 16
    assert figures["errors_by_kind"] == {"HTTP 202": 4} and figures["errors"] == 4
    assert figures["connections"] > 1  # a request did not wait for a free connection
    assert 300 <= figures["p50_ms"] < 1000 and figures["p99_over_p50"] >= 1
    assert figures["client_send_lag_max_ms"] < 100


def test_ratios_are_below_one_when_kiln_is_faster() -> None:
    assert suite.ratio(1.0, 4.0, "time") == 0.25  # Kiln's total is a quarter of the peer's
    assert suite.ratio(400.0, 100.0, "rate") == 0.25  # Kiln drains four times as many jobs/s
    assert suite.ratio(None, 4.0, "time") is None
