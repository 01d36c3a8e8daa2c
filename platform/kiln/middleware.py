"""Request checks shared by every API route."""

from __future__ import annotations

import json
import re
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


# Run URLs take any body: a JSON object of arguments whatever the sender calls it (`curl -d`
# says form-urlencoded), or, for a raw-request script, whatever a third party sends.
RUN_URL = re.compile(r"^/api/w/[^/]+/jobs/(run|run_wait_result)/")
JSON_TYPES = ("application/json",)


class RequireJsonBodies:
    """415 for an API write whose body is declared as something other than JSON.

    The API speaks JSON only; a form post or an XML body would otherwise fail later with a
    parse error that hides the real mistake. A body without a Content-Type is read as JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path.startswith("/api/")
            and request.method in ("POST", "PUT", "PATCH")
            and not RUN_URL.match(request.path)
            and request.META.get("CONTENT_LENGTH") not in (None, "", "0")
        ):
            declared = (request.content_type or "").lower()
            if (
                declared
                and declared not in JSON_TYPES
                and not declared.endswith("+json")
                and self._has_payload(request)
            ):
                return JsonResponse(
                    {
                        "message": f"unsupported Content-Type '{declared}': send JSON (application/json)",
                        "detail": {"content_type": declared},
                    },
                    status=415,
                )
        return self.get_response(request)

    @staticmethod
    def _has_payload(request: HttpRequest) -> bool:
        """A form with no fields (what an HTML form or a test client sends for "no body") is none."""
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            try:
                return bool(request.POST) or bool(request.FILES)
            except Exception:  # a malformed form is a payload, and not JSON
                return True
        return True


class JobScopeReset:
    """Each request starts with no job scope (kiln.accounts.access.JOB_SCOPE) and leaves none
    behind: a thread that serves many requests (the worker's SDK socket) never carries one
    job's access into the next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from kiln.accounts.access import JOB_SCOPE

        token = JOB_SCOPE.set(None)
        try:
            return self.get_response(request)
        finally:
            JOB_SCOPE.reset(token)
