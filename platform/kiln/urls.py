from __future__ import annotations

from django.urls import path, re_path

from kiln.api import api
from kiln.views import spa_index

urlpatterns = [
    path("api/", api.urls),
    # Every other path is the single-page app's; it routes on the client.
    re_path(r"^(?!api/|static/|ws/).*$", spa_index, name="spa"),
]
