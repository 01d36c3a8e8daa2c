"""Request checks shared by every API route."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse


def _nul_at(value: Any, where: str = "") -> str | None:
    """The dotted path of the first string holding a NUL character (\"\" for the top), else None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{key}" if where else str(key)
            if "\x00" in str(key):
                return inner
            found = _nul_at(item, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None


class RejectNulCharacters:
    """400 for an API request whose JSON body or query string holds a NUL character.

    No Kiln text is binary, and PostgreSQL cannot store NUL in text or JSONB (it fails
    the insert with a 500); SQLite would store it. Refusing it up front gives one answer
    on both databases. Only real NUL characters count: the six characters `\\u0000`
    inside a script's source are ordinary text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            field = self._nul_field(request)
            if field is not None:
                message = f"{field or 'the request'}: NUL characters are not allowed in text (binary data?)"
                return JsonResponse({"message": message, "detail": {"field": field or None}}, status=400)
        return self.get_response(request)

    @staticmethod
    def _nul_field(request: HttpRequest) -> str | None:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key
        if request.method not in ("POST", "PUT", "PATCH") or "json" not in (request.content_type or ""):
            return None
        try:
            body = request.body
        except RequestDataTooBig:
            return None  # the API answers 413 for it
        if b"\x00" not in body and b"\\u0000" not in body:
            return None
        try:
            return _nul_at(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            return "" if b"\x00" in body else None  # not JSON: raw NULs are refused all the same
