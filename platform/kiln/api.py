"""The one NinjaAPI at /api: routers per app, one auth policy, one error shape."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, APIKeyQuery, HttpBearer

from kiln.accounts.access import JOB_SCOPE
from kiln.accounts.models import ApiToken, TokenKind, User
from kiln.accounts.services import token_authenticate
from kiln.errors import Forbidden, KilnError, Unauthorized
from kiln.vault.job_tokens import JobTokenInvalid, is_job_token, job_token_authenticate

log = logging.getLogger(__name__)
INVALID_TOKEN = "invalid or expired API token"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <API token>` for HTTP clients.

    A token that is sent must be good: a revoked or expired one is a 401 even if a
    session cookie rides along. A webhook token acts as its creator, but only on the
    run endpoints of its one path; everything else is a 403, decided here, once,
    rather than in each endpoint (a new endpoint cannot forget it).
    """

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if is_job_token(token):
            return job_authenticate(request, token)
        found = token_authenticate(token)
        if found is None:
            raise Unauthorized(INVALID_TOKEN)
        if found.kind == TokenKind.WEBHOOK and not webhook_may_call(found, request):
            raise Forbidden(
                f"this webhook token can only run {found.script_path} in workspace {found.workspace_id}",
                {"workspace": found.workspace_id, "path": found.script_path, "urls": webhook_urls(found)},
            )
        return found.user


def job_authenticate(request: HttpRequest, token: str) -> User:
    """A running job's token (its SDK's): the job's access, on its own workspace's routes only."""
    try:
        credential = job_token_authenticate(token)
    except JobTokenInvalid as exc:
        raise Unauthorized(str(exc)) from None
    workspace = credential.scope.principal.workspace_id
    if not request.path.startswith(f"{reverse(f'{api.urls_namespace}:api-root')}w/{workspace}/"):
        raise Forbidden(
            f"a job token works only on workspace {workspace}'s routes (/api/w/{workspace}/...)",
            {"workspace": workspace},
        )
    JOB_SCOPE.set(credential.scope)
    request.kiln_job = credential.job  # type: ignore[attr-defined]
    return credential.user


def webhook_urls(token: ApiToken) -> list[str]:
    """The only URLs a webhook token opens (GET or POST): run, and run and wait, its path."""
    base = f"{reverse(f'{api.urls_namespace}:api-root')}w/{token.workspace_id}/jobs"
    return [
        f"{base}/{run}/{kind}/{token.script_path}"
        for kind in ("p", "f")  # a path holds a script or a flow: the token runs whichever it is
        for run in ("run", "run_wait_result")
    ]


def webhook_may_call(token: ApiToken, request: HttpRequest) -> bool:
    # An exact match on the decoded path: `..`, `//` or a trailing slash is simply another URL.
    return request.method in ("GET", "POST") and request.path in webhook_urls(token)


class QueryTokenAuth(APIKeyQuery):
    """`?token=<webhook token>` for senders that cannot set a header (GitHub, Stripe and most
    third-party webhooks). Only webhook tokens: a personal token in a URL would end up in
    proxies' and browsers' histories with all its rights. Kiln's own access log masks it."""

    param_name = "token"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key:
            return None
        found = token_authenticate(key)
        if found is None:
            raise Unauthorized(INVALID_TOKEN)
        if found.kind != TokenKind.WEBHOOK:
            raise Unauthorized(
                "only webhook tokens may be sent as ?token=; send other tokens in the Authorization header"
            )
        if not webhook_may_call(found, request):
            raise Forbidden(
                f"this webhook token can only run {found.script_path} in workspace {found.workspace_id}",
                {"workspace": found.workspace_id, "path": found.script_path, "urls": webhook_urls(found)},
            )
        request.kiln_query_token = True  # type: ignore[attr-defined]  # its `token` is no argument
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF guards what a session cookie could be tricked into doing, so it is checked only
        # when one came: a cookie-less caller (a webhook with `?token=`) has nothing to forge.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        return user if user.is_authenticated and isinstance(user, User) else None


token_auth = TokenAuth()
session_auth = SessionAuth()
query_token_auth = QueryTokenAuth()
AUTH = [token_auth, session_auth, query_token_auth]

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "message": {"type": "string", "description": "What went wrong, in a sentence"},
        "detail": {"description": "Where and why: e.g. `field`, `line`, `job_id`; null when nothing more"},
    },
    "required": ["message", "detail"],
}
ERROR_STATUSES = {
    "400": "Bad input: `detail.field` names the field",
    "401": "Not authenticated, or an invalid or expired token",
    "403": "Not allowed for your role or token",
    "404": "No such object, or not yours to see",
    "409": "Conflicts with the object's state",
    "413": "Request body over 10 MiB",
    "415": "A body that is not JSON (run URLs take any body)",
    "429": "Rate limited: see Retry-After",
    "503": "The database is unavailable: nothing is promised stored; retry after Retry-After",
}


class KilnAPI(NinjaAPI):
    """The one API; its OpenAPI document also declares the error answers every operation can
    give, in the one error shape, so clients (and schemathesis) know them."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for url, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                # ninja keys its own answers by int: one key per status, or JSON gets duplicates.
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                statuses = dict(ERROR_STATUSES)
                if "/run_wait_result/" in url:
                    statuses["500"] = "The job failed, timed out or crashed: `detail.error`"
                for status, description in statuses.items():
                    responses.setdefault(status, {"description": description, "content": ref})
        return schema


api = KilnAPI(
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
    response = error_response(request, exc.status, exc.message, exc.detail)
    for name, value in getattr(exc, "headers", {}).items():  # e.g. Retry-After on a 429
        response[name] = value
    return response


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
        INVALID_TOKEN
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


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """The database is down, unreachable or locked: a 503 the client may retry, never a 2xx
    for something that was not stored (an Idempotency-Key makes a retried run safe)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
    response = error_response(
        request, 503, "the database is unavailable; try again shortly", {"retry_after": DB_RETRY_AFTER_S}
    )
    response["Retry-After"] = str(DB_RETRY_AFTER_S)
    return response


DB_RETRY_AFTER_S = 5


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(request, 500, "internal error", {"type": type(exc).__name__})


def _register() -> None:
    from kiln.accounts.access_api import router as access_router
    from kiln.accounts.api import router as accounts_router
    from kiln.audit.api import router as audit_router
    from kiln.batch import router as batch_router
    from kiln.flows.api import router as flows_router
    from kiln.flows.run_api import approvals_router
    from kiln.flows.run_api import router as flow_runs_router
    from kiln.jobs.api import router as jobs_router
    from kiln.jobs.workers_api import router as workers_router
    from kiln.schedules.api import router as schedules_router
    from kiln.scripts.api import router as scripts_router
    from kiln.scripts.app_api import router as apps_router
    from kiln.vault.api import resources_router, variables_router
    from kiln.vault.sdk_api import router as sdk_router

    api.add_router("/", accounts_router)
    api.add_router("/", access_router)
    api.add_router("/workers", workers_router)
    api.add_router("/w/{workspace}/scripts", scripts_router)
    api.add_router("/w/{workspace}/jobs", jobs_router)
    api.add_router("/w/{workspace}/jobs", flow_runs_router)
    api.add_router("/w/{workspace}/audit", audit_router)
    api.add_router("/w/{workspace}/schedules", schedules_router)
    api.add_router("/w/{workspace}/flows", flows_router)
    api.add_router("/w/{workspace}/apps", apps_router)
    api.add_router("/w/{workspace}/jobs_u", approvals_router)
    api.add_router("/w/{workspace}/variables", variables_router)
    api.add_router("/w/{workspace}/resources", resources_router)
    api.add_router("/w/{workspace}/sdk", sdk_router)
    api.add_router("/w/{workspace}/batch", batch_router)


_register()
