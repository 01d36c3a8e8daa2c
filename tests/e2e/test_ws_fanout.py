"""Websocket fan-out: many viewers of one running job each get the whole log, in order, once.

Half the viewers connect before the job prints anything (they get it all live), the other
half once it is halfway (backlog from the database, then live): every one of them must
see the same bytes, tiled by offsets with no gap and no repeat, then `done`, then a close.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedOK

from tests.e2e.checker import check_jobs
from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e

VIEWERS = 20
LINES = 20
SCRIPT = (
    "import time\n\n"
    "def main(n: int):\n"
    "    for i in range(n):\n"
    "        print(f'line {i}', flush=True)\n"
    "        time.sleep(0.1)\n"
    "    return n\n"
)


async def watch(url: str) -> list[dict[str, Any]]:
    """Every message of one viewer, through `done`; the server must then close the socket."""
    messages: list[dict[str, Any]] = []
    async with connect(url, open_timeout=30) as ws:
        while not messages or messages[-1]["type"] != "done":
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), 90)))
        with pytest.raises(ConnectionClosedOK):
            await asyncio.wait_for(ws.recv(), 10)
    return messages


async def viewers(kiln: Kiln, job_id: str) -> list[list[dict[str, Any]]]:
    early = [asyncio.create_task(watch(kiln.ws_url(job_id))) for _ in range(VIEWERS // 2)]
    halfway = len("".join(f"line {i}\n" for i in range(LINES // 2)))
    while True:
        job = await asyncio.to_thread(kiln.job, job_id)
        if job["log_size"] >= halfway or job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.05)
    late = [asyncio.create_task(watch(kiln.ws_url(job_id))) for _ in range(VIEWERS - len(early))]
    return await asyncio.gather(*early, *late)


def test_twenty_viewers_of_one_job_each_get_every_line_in_order_then_done(kiln: Kiln) -> None:
    kiln.save_script("u/admin/fanout", SCRIPT)
    status, body, _ = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/fanout", {"n": LINES})
    assert status == 201, body
    job_id = str(body["id"])
    seen = asyncio.run(viewers(kiln, job_id))

    expected = "".join(f"line {i}\n" for i in range(LINES))
    for number, messages in enumerate(seen):
        *logs, done = messages
        text, position = "", 0
        for message in logs:  # tiled: each starts where the last ended (no gap, no repeat)
            assert message["type"] == "log" and message["offset"] == position, (number, messages)
            text += message["data"]
            position += len(message["data"].encode())
        assert text == expected, (number, messages)
        assert done == {"type": "done", "status": "success", "log_size": position}, (number, done)
    check_jobs(kiln, [job_id], marker="line 0", expect={"success"})
