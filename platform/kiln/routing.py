"""Websocket routes."""

from __future__ import annotations

from typing import Any

from django.urls import path

from kiln.jobs.consumers import JobLogConsumer

websocket_urlpatterns: list[Any] = [
    # str, not uuid: a malformed id is refused with 4404 like a missing one, not a dropped socket.
    path("ws/w/<str:workspace>/jobs/<str:job_id>/logs", JobLogConsumer.as_asgi()),
]
