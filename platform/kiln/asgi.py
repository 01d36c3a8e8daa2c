"""ASGI entry point: HTTP (Django + the built SPA) and websockets (Channels)."""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")

# Django must be set up before anything imports models.
django.setup(set_prefix=False)

from kiln.http_handler import KilnASGIHandler  # noqa: E402

django_http = KilnASGIHandler()  # Django's ASGI handler, with fewer thread hops (see its module)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from kiln.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
