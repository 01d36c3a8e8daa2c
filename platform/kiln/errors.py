"""Domain errors. The API turns each into `{"message", "detail"}` with its status,
in one exception handler (kiln/api.py); services never build HTTP responses."""

from __future__ import annotations

from typing import Any


class KilnError(Exception):
    status = 400

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class BadRequest(KilnError):
    status = 400


class Unauthorized(KilnError):
    status = 401


class Forbidden(KilnError):
    status = 403


class NotFound(KilnError):
    status = 404


class Conflict(KilnError):
    status = 409


class TooManyRequests(KilnError):
    status = 429

    def __init__(self, message: str, detail: Any = None, *, retry_after: int) -> None:
        super().__init__(message, detail)
        self.headers = {"Retry-After": str(retry_after)}
