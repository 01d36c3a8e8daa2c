"""`/healthz`, `/readyz` and `/metrics`: outside `/api` (no session, no CSRF, no API auth),
where load balancers, docker and Prometheus look for them."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from . import shutdown
from .health import readiness

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving: nothing else is checked (a restart fixes nothing else)."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    if shutdown.stopping():
        return JsonResponse({"status": "stopping", "checks": {}}, status=503)
    ready, checks = readiness()
    body = {"status": "ready" if ready else "not ready", "checks": {n: c.out() for n, c in checks.items()}}
    return JsonResponse(body, status=200 if ready else 503)


def _local(request: HttpRequest) -> bool:
    """A direct request from this machine; one through a proxy (which may be on this machine
    too, forwarding the world) is not."""
    if any(request.META.get(header) for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    from .metrics import render

    token = settings.KILN_METRICS_TOKEN
    if token:
        sent = request.META.get("HTTP_AUTHORIZATION", "")
        if not (sent[:7].lower() == "bearer " and hmac.compare_digest(sent[7:].strip(), token)):
            response = JsonResponse(
                {"message": "/metrics needs `Authorization: Bearer <KILN_METRICS_TOKEN>`", "detail": None},
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif not _local(request):
        return JsonResponse(
            {
                "message": "/metrics answers only local requests while KILN_METRICS_TOKEN is unset; "
                "set it and send it as a bearer token",
                "detail": None,
            },
            status=403,
        )
    return HttpResponse(render(), content_type="text/plain; version=0.0.4; charset=utf-8")
