"""The built front end: index.html for every client-side route."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

NOT_BUILT = """<!doctype html><title>Kiln</title>
<h1>Kiln is running, but its front end is not built</h1>
<p>Run <code>./dev run</code> (it builds <code>frontend/</code>),
or <code>cd frontend && npm ci && npm run build</code>.
The API is at <a href="/api/docs">/api/docs</a>.</p>"""


@ensure_csrf_cookie
def spa_index(request: HttpRequest) -> HttpResponse:
    index = settings.FRONTEND_DIR / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
