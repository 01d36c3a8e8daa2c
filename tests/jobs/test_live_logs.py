"""Live logs: the websocket (backlog, then live chunks, no gap, no repeat) and the polling endpoint.

Real Redis (the test run's) carries the group messages and the real database holds
the chunks; async code runs inside sync tests through async_to_sync.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.utils import timezone

from kiln.accounts.models import User, Workspace
from kiln.accounts.services import token_create
from kiln.asgi import application
from kiln.jobs.consumers import JobLogConsumer
from kiln.jobs.leases import reap_expired
from kiln.jobs.models import Job, JobLogChunk, JobStatus
from kiln.jobs.services import job_append_log, job_finish
from kiln.scripts.services import script_save
from tests.conftest import Api
from tests.e2e.harness import free_port

live = pytest.mark.django_db(transaction=True)

LINES = ["starting\n", "naïve café ☕\n", "step 2 of 3 🚀\n", "step 3 of 3\n"]
FULL = "".join(LINES)


def new_running_job(workspace: Workspace, user: User) -> Job:
    """A claimed job with no output yet; no worker ever sees it, the test writes its log."""
    version = script_save(
        workspace=workspace, user=user, path="u/ada/live", language="python3", content="def main():\n  pass\n"
    ).version
    return Job.objects.create(
        workspace=workspace,
        script_version=version,
        script_path="u/ada/live",
        language="python3",
        queue="unused",
        created_by=user,
        timeout_s=60,
        status=JobStatus.RUNNING,
        worker_id="test:1",
        attempt=1,
        started_at=timezone.now(),
    )


class Writer:
    """Writes a job's log the way LogSink does: chunk after chunk at growing byte offsets."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.offset = 0

    def append(self, text: str) -> None:
        job_append_log(job=self.job, offset=self.offset, data=text)
        self.offset += len(text.encode())

    def finish(self, text: str = "", status: JobStatus = JobStatus.SUCCESS) -> None:
        assert job_finish(job=self.job, status=status, result=1, last_log=(self.offset, text))
        self.offset += len(text.encode())


def socket(
    job: Job, query: str = "", headers: list[tuple[bytes, bytes]] | None = None
) -> WebsocketCommunicator:
    path = f"/ws/w/{job.workspace_id}/jobs/{job.pk}/logs" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


async def open_socket(comm: WebsocketCommunicator) -> None:
    connected, _ = await comm.connect()
    assert connected


async def logs_until_done(
    comm: WebsocketCommunicator, start: int = 0, timeout: float = 10
) -> tuple[str, str]:
    """Reads to the end of the stream: (the text, the final status). Every message must start
    where the previous one ended, and the server closes after "done"."""
    text, position = "", start
    while True:
        message = await comm.receive_json_from(timeout)
        if message["type"] == "done":
            break
        assert message["type"] == "log"
        assert message["offset"] == position, (message, position)
        text += message["data"]
        position += len(message["data"].encode())
    assert message["log_size"] == position
    assert (await comm.receive_output(timeout))["type"] == "websocket.close"
    return text, message["status"]


async def logs_so_far(comm: WebsocketCommunicator, start: int) -> tuple[str, int]:
    """What arrives before the socket goes quiet: (the text, the offset after it)."""
    text, position = "", start
    while not await comm.receive_nothing(timeout=0.3):
        message = await comm.receive_json_from()
        assert message["type"] == "log" and message["offset"] == position, (message, position)
        text += message["data"]
        position += len(message["data"].encode())
    return text, position


async def refusal(comm: WebsocketCommunicator) -> int:
    """The close code of a socket the server accepted only to say why it refuses it."""
    connected, _ = await comm.connect()
    assert connected
    message = await comm.receive_output(5)
    assert message["type"] == "websocket.close"
    return int(message["code"])


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return async_to_sync(scenario)()


@pytest.fixture
def job(workspace: Workspace, owner: User) -> Job:
    return new_running_job(workspace, owner)


@pytest.fixture
def token(owner: User) -> str:
    return token_create(user=owner)


@live
def test_clients_joining_before_during_and_after_a_gap_all_get_the_whole_log_once(
    job: Job, token: str
) -> None:
    writer = Writer(job)
    write = sync_to_async(writer.append)

    async def scenario() -> None:
        early = socket(job, f"token={token}")
        await open_socket(early)
        assert await early.receive_nothing(timeout=0.3)  # no log yet, nothing sent

        await write(LINES[0])
        await write(LINES[1])
        late = socket(job, f"from=0&token={token}")
        await open_socket(late)
        seen, resume_at = await logs_so_far(late, 0)
        assert seen == LINES[0] + LINES[1]
        await late.disconnect()

        await write(LINES[2])  # while the late client is away
        back = socket(job, f"from={resume_at}&token={token}")
        await open_socket(back)
        await sync_to_async(writer.finish)(LINES[3])

        assert await logs_until_done(early) == (FULL, "success")
        rest, status = await logs_until_done(back, start=resume_at)
        assert (seen + rest, status) == (FULL, "success")

    run(scenario)


@live
def test_chunks_written_while_clients_connect_arrive_exactly_once(job: Job, token: str) -> None:
    """A worker in another thread writes while clients join: a chunk committed between a
    client's joining the group and its backlog read comes both ways and is sent once."""
    chunks = [f"line {i:03d} {'é' * (i % 4)}\n" for i in range(150)]
    writer = Writer(job)

    def work() -> None:
        try:
            for chunk in chunks:
                writer.append(chunk)
                time.sleep(0.004)
            writer.finish("bye\n")
        finally:
            connection.close()  # this thread's own connection

    async def scenario() -> list[tuple[str, str]]:
        thread = threading.Thread(target=work)
        thread.start()
        clients = []
        try:
            for _ in range(6):
                comm = socket(job, f"from=0&token={token}")
                await open_socket(comm)
                clients.append(comm)
                await asyncio.sleep(0.08)
            return [await logs_until_done(comm, timeout=20) for comm in clients]
        finally:
            await sync_to_async(thread.join, thread_sensitive=False)()

    results = run(scenario)
    assert results == [("".join(chunks) + "bye\n", "success")] * 6


@live
def test_a_chunk_whose_message_was_lost_is_read_from_the_database(job: Job, token: str) -> None:
    writer = Writer(job)

    def write_unannounced(text: str) -> None:
        # As the reaper writes its notes: committed, never published.
        JobLogChunk.objects.create(job=job, offset=writer.offset, data=text)
        writer.offset += len(text.encode())
        Job.objects.filter(pk=job.pk).update(log_size=writer.offset)

    async def scenario() -> tuple[str, str]:
        comm = socket(job, f"token={token}")
        await open_socket(comm)
        await sync_to_async(writer.append)(LINES[0])
        await sync_to_async(write_unannounced)(LINES[1])
        await sync_to_async(writer.append)(LINES[2])  # arrives with a gap before it
        await sync_to_async(writer.finish)(LINES[3])
        return await logs_until_done(comm)

    assert run(scenario) == (FULL, "success")


@live
def test_a_job_that_ends_without_a_message_still_ends_the_stream(
    job: Job, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(JobLogConsumer, "recheck_s", 0.2)
    Writer(job).append(LINES[0])
    Job.objects.filter(pk=job.pk).update(
        attempt=job.max_attempts, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    async def scenario() -> tuple[str, str]:
        comm = socket(job, f"token={token}")
        await open_socket(comm)
        assert await sync_to_async(reap_expired)() == (0, 1)  # crashed, with a note, unpublished
        return await logs_until_done(comm)

    text, status = run(scenario)
    assert status == "crashed"
    assert text.startswith(LINES[0]) and "the platform lost the job" in text


@live
def test_a_finished_job_sends_its_backlog_then_done(job: Job, token: str) -> None:
    writer = Writer(job)
    writer.append(LINES[0])
    writer.append(LINES[1])
    writer.finish(LINES[2] + LINES[3], status=JobStatus.FAILURE)

    async def scenario() -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
        whole = socket(job, f"token={token}")
        await open_socket(whole)
        # An offset inside "ï" (2 bytes) moves to the next character.
        inside = len(LINES[0].encode()) + len(b"na") + 1
        middle = socket(job, f"from={inside}&token={token}")
        await open_socket(middle)
        first = await middle.receive_json_from()
        assert first["offset"] == inside + 1 and first["data"].startswith("ve café")
        rest = await logs_until_done(middle, start=inside + 1 + len(first["data"].encode()))
        end = socket(job, f"from={writer.offset}&token={token}")
        await open_socket(end)
        return await logs_until_done(whole), rest, await logs_until_done(end, start=writer.offset)

    whole, rest, end = run(scenario)
    assert whole == (FULL, "failure")
    assert rest == (LINES[2] + LINES[3], "failure")
    assert end == ("", "failure")


@live
def test_the_session_and_the_bearer_header_authenticate_too(job: Job, owner: User, token: str) -> None:
    Writer(job).finish("ok\n")
    client = Client()
    client.force_login(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    same_site = [(b"cookie", cookie), (b"host", b"kiln.test"), (b"origin", b"https://kiln.test")]
    other_site = [(b"cookie", cookie), (b"host", b"kiln.test"), (b"origin", b"https://evil.test")]

    async def scenario() -> tuple[Any, ...]:
        by_session = socket(job, headers=same_site)
        await open_socket(by_session)
        by_header = socket(job, headers=[(b"authorization", f"Bearer {token}".encode())])
        await open_socket(by_header)
        return (
            await logs_until_done(by_session),
            await logs_until_done(by_header),
            await refusal(socket(job, headers=other_site)),
        )

    assert run(scenario) == (("ok\n", "success"), ("ok\n", "success"), 4403)


@live
def test_refusals_close_with_a_code_that_says_why(
    job: Job, token: str, outsider: User, member: User, workspace: Workspace
) -> None:
    other_ws = Workspace.objects.create(id="other", name="Other")
    elsewhere = new_running_job(other_ws, member)
    outsider_token = token_create(user=outsider)

    def at(path: str) -> WebsocketCommunicator:
        return WebsocketCommunicator(application, path)

    async def scenario() -> list[int]:
        base = f"/ws/w/main/jobs/{job.pk}/logs"
        return [
            await refusal(socket(job)),  # no credentials
            await refusal(socket(job, "token=not-a-token")),
            await refusal(socket(job, f"token={outsider_token}")),  # not a member of main
            await refusal(at(f"/ws/w/other/jobs/{elsewhere.pk}/logs?token={token}")),  # owner is not in other
            await refusal(
                at(f"/ws/w/main/jobs/{elsewhere.pk}/logs?token={token}")
            ),  # job of another workspace
            await refusal(at(f"/ws/w/main/jobs/not-a-uuid/logs?token={token}")),
            await refusal(at(f"{base}?from=-1&token={token}")),
            await refusal(at(f"{base}?from=abc&token={token}")),
        ]

    assert run(scenario) == [4401, 4401, 4404, 4404, 4404, 4404, 4400, 4400]


@live
def test_a_job_whose_redis_is_down_still_writes_and_finishes(
    job: Job, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A port nobody listens on: every publish is refused (channels drops its cached layer).
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    writer = Writer(job)
    writer.append(LINES[0])
    writer.finish(LINES[1])
    job.refresh_from_db()
    assert (job.status, job.log_size) == (JobStatus.SUCCESS, len((LINES[0] + LINES[1]).encode()))
    assert "".join(JobLogChunk.objects.filter(job=job).values_list("data", flat=True)) == LINES[0] + LINES[1]
    # The publishes are queued, not waited for: the job was done before they were tried.
    from kiln.jobs.services import publishes_sent

    assert publishes_sent(timeout=30)
    published = [r for r in caplog.records if "could not send live logs" in r.getMessage()]
    assert len(published) == 2  # the chunk, then the last chunk with "done"


# The polling endpoint, for clients without websockets.


def logs_url(job: Job, start: int | None = None, workspace: str = "main") -> str:
    query = "" if start is None else f"?from={start}"
    return f"/api/w/{workspace}/jobs/{job.pk}/logs{query}"


def test_the_logs_endpoint_reads_from_an_offset_and_says_where_to_go_on(api: Api, job: Job) -> None:
    writer = Writer(job)
    assert api.get(logs_url(job)).json() == {
        "offset": 0,
        "data": "",
        "next": 0,
        "done": False,
        "status": "running",
    }
    writer.append(LINES[0])
    writer.append(LINES[1])
    first = api.get(logs_url(job)).json()
    assert first == {
        "offset": 0,
        "data": LINES[0] + LINES[1],
        "next": writer.offset,
        "done": False,
        "status": "running",
    }

    writer.finish(LINES[2])
    second = api.get(logs_url(job, first["next"])).json()
    assert second == {
        "offset": first["next"],
        "data": LINES[2],
        "next": writer.offset,
        "done": True,
        "status": "success",
    }
    assert first["data"] + second["data"] == "".join(LINES[:3])

    inside = len(LINES[0].encode()) + 3  # the second byte of "ï"
    middle = api.get(logs_url(job, inside)).json()
    assert (middle["offset"], middle["data"]) == (inside + 1, "ve café ☕\n" + LINES[2])
    assert api.get(logs_url(job, writer.offset + 10)).json()["data"] == ""


def test_the_logs_endpoint_pages_a_long_log(api: Api, job: Job, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiln.jobs import api as jobs_api

    monkeypatch.setattr(jobs_api, "LOGS_PAGE_BYTES", 20)
    writer = Writer(job)
    for line in LINES:
        writer.append(line)
    writer.finish()
    pages, start = [], 0
    while True:
        page = api.get(logs_url(job, start)).json()
        pages.append(page["data"])
        start = page["next"]
        if page["done"]:
            break
    assert "".join(pages) == FULL and len(pages) > 1


def test_the_logs_endpoint_is_404_outside_the_job_workspace(
    api: Api, outsider_api: Api, job: Job, member: User
) -> None:
    elsewhere = new_running_job(Workspace.objects.create(id="other", name="Other"), member)
    assert api.get(logs_url(elsewhere)).status_code == 404  # not in main
    assert api.get(logs_url(elsewhere, workspace="other")).status_code == 404  # owner is not a member
    response = outsider_api.get(logs_url(job))
    assert response.status_code == 404 and response.json()["message"] == "workspace 'main' not found"
    assert api.get(f"/api/w/main/jobs/{job.pk}/logs?from=-1").status_code == 400


def test_the_logs_endpoint_needs_credentials(anonymous_api: Api, job: Job) -> None:
    assert anonymous_api.get(logs_url(job)).status_code == 401


def test_the_sync_wait_is_woken_by_job_done_not_by_its_timeout() -> None:
    """run_wait_result's wait ends at once on the job's `job.done`, not after its 30 s."""
    import threading
    import time as _time

    from kiln.jobs import wakeups
    from kiln.jobs.services import job_log_publish

    with wakeups.thread_signal("wake-test", wakeups.background_loop()) as signal:
        assert signal.ready()
        done = threading.Timer(
            0.2,
            job_log_publish,
            (
                "wake-test",
                {"type": "log.chunk", "offset": 0, "data": "x"},
                {"type": "job.done", "status": "success", "log_size": 1},
            ),
        )
        started = _time.monotonic()
        done.start()
        signal.wait(30)
        done.join()
        assert _time.monotonic() - started < 10  # woken by the message; the timeout alone would take 30 s


def test_a_jobs_end_goes_to_its_viewers_only_when_it_has_some(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The wake-up's round trip counts the job's viewers: an end nobody watches is not sent
    to the job's group; one with a viewer is, and the viewer receives it."""
    import uuid

    from channels.layers import get_channel_layer

    from kiln.jobs import services

    layer = get_channel_layer()
    sent: list[tuple[str, str]] = []
    real = layer.group_send

    async def spy(group: str, message: dict[str, Any]) -> None:
        sent.append((group, message["type"]))
        await real(group, message)

    monkeypatch.setattr(layer, "group_send", spy)
    job = str(uuid.uuid4())
    group = services.job_log_group(job)
    done = {"type": "job.done", "status": "success", "log_size": 1}
    chunk = {"type": "log.chunk", "offset": 0, "data": "x"}
    services.job_log_publish(job, chunk, done)
    assert services.publishes_sent()
    assert sent == []  # nobody views it
    services.job_log_publish(job, chunk)  # news that is not an end: sent, not counted
    assert services.publishes_sent()
    assert sent == [(group, "log.chunk")]

    async def view_and_end() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        await asyncio.get_running_loop().run_in_executor(None, services.job_log_publish, job, done)
        return await asyncio.wait_for(layer.receive(channel), 10)

    assert async_to_sync(view_and_end)()["type"] == "job.done"
    assert sent[1:] == [(group, "job.done")]
    # A layer kept elsewhere than Kiln's own Redis is not counted: its news always goes.
    assert services._members(layer, group) is not None
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert services._members(layer, group) is None
