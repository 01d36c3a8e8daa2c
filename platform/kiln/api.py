"""The one NinjaAPI at /api: routers per app, one auth policy, one error shape."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from kiln.accounts.models import User
from kiln.accounts.services import token_authenticate
from kiln.errors import KilnError

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal API token>` for HTTP clients."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(token)


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated and isinstance(user, User) else None


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]

api = NinjaAPI(
    title="Kiln API",
    version="1",
    description="Scripts, jobs and workspaces. Authenticate with `Authorization: Bearer <token>` "
    "(`kiln token create --user <email>`) or a browser session.",
    auth=AUTH,
    urls_namespace="api",
)


def error_response(request: HttpRequest, status: int, message: str, detail: Any = None) -> HttpResponse:
    return api.create_response(request, {"message": message, "detail": detail}, status=status)


@api.exception_handler(KilnError)
def on_kiln_error(request: HttpRequest, exc: KilnError) -> HttpResponse:
    return error_response(request, exc.status, exc.message, exc.detail)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors]
    message = "invalid request: " + "; ".join(
        f"{f or 'body'}: {e.get('msg', 'invalid')}" for f, e in zip(fields, exc.errors, strict=True)
    )
    return error_response(request, 400, message, exc.errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    has_header = "HTTP_AUTHORIZATION" in request.META
    message = (
        "invalid or expired API token"
        if has_header
        else ("authentication required: send 'Authorization: Bearer <token>' or log in")
    )
    return error_response(request, 401, message)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, str(exc) or "not found")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja's "Cannot parse request body": say what was wrong with it.
        return error_response(request, 400, f"request body is not valid JSON: {exc.__cause__}")
    return error_response(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(request, 413, f"request body is larger than {limit} bytes")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(request, 500, "internal error", {"type": type(exc).__name__})


def _register() -> None:
    from kiln.accounts.api import router as accounts_router
    from kiln.jobs.api import router as jobs_router
    from kiln.scripts.api import router as scripts_router

    api.add_router("/", accounts_router)
    api.add_router("/w/{workspace}/scripts", scripts_router)
    api.add_router("/w/{workspace}/jobs", jobs_router)


_register()
