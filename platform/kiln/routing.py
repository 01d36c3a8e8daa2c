"""Websocket routes. Live job logs arrive with the log-streaming issue."""

from __future__ import annotations

from typing import Any

websocket_urlpatterns: list[Any] = []
