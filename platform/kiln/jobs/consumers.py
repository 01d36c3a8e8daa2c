"""Live job logs over a websocket: the backlog from the database, then the chunks workers publish.

`/ws/w/<workspace>/jobs/<id>/logs?from=<byte offset>`. The client gets
`{"type": "log", "offset", "data"}` messages that tile the log from `from` on
(no gap, no repeat), `{"type": "progress", "progress"}` when the job reports how far
it is, `{"type": "flow", "flow_status"}` whenever a flow run's steps move (a flow run's
socket: each step's status, job id and timings; results are read from the job), then
`{"type": "done", "status", "log_size"}`, then a close.
Refusals accept first and close with a code, so browsers can see why:
4400 bad `from`, 4401 not authenticated, 4403 session from another origin or a webhook token,
4404 no such job or workspace (or not a member).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from kiln.accounts.access import caller
from kiln.accounts.models import TokenKind, User
from kiln.accounts.services import token_authenticate
from kiln.errors import NotFound
from kiln.operations import counters

from . import selectors
from .models import Job
from .services import job_log_group

log = logging.getLogger(__name__)

BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = 4400, 4401, 4403, 4404


class JobLogConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    # Some paths end a job without publishing (a queued job canceled, the reaper's
    # crash) and a publish can fail: the database is re-read this often regardless.
    recheck_s = 5.0

    group: str | None = None
    job_id = ""
    sent = 0  # the client has every byte of the log before this offset
    finished = False
    watcher: asyncio.Task[None] | None = None
    counted = False  # in this process's open websockets (kiln.operations.counters)

    async def connect(self) -> None:
        self.lock = asyncio.Lock()  # the watcher and the dispatched messages both send
        await self.accept()
        self.counted = True
        counters.websocket_opened()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            start = int(query.get("from", ["0"])[0])
        except ValueError:
            start = -1
        if start < 0:
            await self.close(code=BAD_REQUEST)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        token = query.get("token", [""])[0]
        header = self._header(b"authorization")
        if not token and header[:7].lower() == "bearer ":
            token = header[7:].strip()
        code = await self._authorize(kwargs["workspace"], kwargs["job_id"], token)
        if code is not None:
            await self.close(code=code)
            return
        # Join before reading the backlog: a chunk committed in between arrives
        # both ways and the offsets drop the repeat; the other order would lose it.
        self.group = job_log_group(self.job_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.sent = start
        async with self.lock:
            await self._catch_up()
        if not self.finished:
            self.watcher = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        if self.counted:
            self.counted = False
            counters.websocket_closed()
        if self.watcher is not None:
            self.watcher.cancel()
        await self._leave()

    async def log_chunk(self, event: dict[str, Any]) -> None:
        offset, data = int(event["offset"]), str(event["data"])
        end = offset + len(data.encode())
        async with self.lock:
            if self.finished or end <= self.sent:
                return  # already sent, from the database or an earlier message
            if offset == self.sent:
                await self.send_json({"type": "log", "offset": offset, "data": data})
                self.sent = end
            else:
                # A gap (the layer drops messages for a full or slow channel) or an overlap
                # with the backlog: the chunk is committed, so the database has it all.
                await self._catch_up()

    async def job_progress(self, event: dict[str, Any]) -> None:
        """The job said how far it is: passed on as `{"type": "progress", "progress": N}`."""
        async with self.lock:
            if not self.finished:
                await self.send_json({"type": "progress", "progress": int(event["progress"])})

    async def flow_status(self, event: dict[str, Any]) -> None:
        """A flow run's steps moved: passed on as `{"type": "flow", "flow_status": {...}}`."""
        async with self.lock:
            if not self.finished:
                await self.send_json({"type": "flow", "flow_status": event["flow_status"]})

    async def flow_early_return(self, event: dict[str, Any]) -> None:
        """For sync waiters only (kiln.jobs.api.wait_in_thread); viewers get the flow's status."""

    async def job_done(self, event: dict[str, Any]) -> None:
        async with self.lock:
            if not self.finished:
                await self._catch_up()  # the final status is committed: this ends with "done"

    async def _watch(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while not self.finished:
                await asyncio.sleep(self.recheck_s)
                try:
                    async with self.lock:
                        if not self.finished:
                            await self._catch_up()
                except Exception:  # a database hiccup: try again next time
                    log.warning("job %s: live log recheck failed", self.job_id, exc_info=True)

    async def _catch_up(self) -> None:
        """Send what the database has from `sent` on, and end the stream when the job has ended."""
        try:
            logs = await database_sync_to_async(selectors.job_log_since)(job_id=self.job_id, offset=self.sent)
        except Job.DoesNotExist:
            await self._leave()
            await self.close(code=NOT_FOUND)
            return
        for offset, data in logs.pieces:
            await self.send_json({"type": "log", "offset": offset, "data": data})
        self.sent = max(self.sent, logs.next)
        if logs.done:
            await self._leave()
            await self.send_json({"type": "done", "status": logs.status, "log_size": logs.log_size})
            await self.close()

    async def _leave(self) -> None:
        self.finished = True
        if self.group is not None:
            group, self.group = self.group, None
            await self.channel_layer.group_discard(group, self.channel_name)

    @database_sync_to_async
    def _authorize(self, workspace: str, job_id: str, token: str) -> int | None:
        """None when the user may read the job (and self.job_id is set), else the close code."""
        user: User | None
        if token:  # a token wins over the session; a bad one is a refusal
            found = token_authenticate(token)
            if found is not None and found.kind == TokenKind.WEBHOOK:
                return FORBIDDEN  # 4403 too: a webhook token may only run its script, not read jobs
            user = found.user if found is not None else None
        else:
            session_user = self.scope.get("user")
            user = session_user if isinstance(session_user, User) and session_user.is_authenticated else None
            if user is not None and not self._same_origin():
                return FORBIDDEN
        if user is None:
            return UNAUTHENTICATED
        try:
            principal = caller(user=user, workspace_id=workspace)
            job = selectors.job_get(workspace=principal.member.workspace, job_id=job_id, principal=principal)
            self.job_id = str(job.pk)
        except NotFound:
            return NOT_FOUND
        return None

    def _same_origin(self) -> bool:
        """Session cookies ride along on any page's websocket: only our own pages may use them."""
        origin = self._header(b"origin")
        if not origin:
            return True  # not a browser; browsers always send Origin on a websocket
        if origin in settings.CSRF_TRUSTED_ORIGINS:
            return True
        return urlsplit(origin).netloc == self._header(b"host")

    def _header(self, name: bytes) -> str:
        for key, value in self.scope.get("headers", []):
            if key.lower() == name:
                return bytes(value).decode("latin-1")
        return ""
