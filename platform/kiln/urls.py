from __future__ import annotations

from django.contrib import admin
from django.urls import path, re_path

import kiln.admin_site  # noqa: F401  (registers the models with the admin)
from kiln.api import api
from kiln.operations import views as operations
from kiln.views import spa_index

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),  # Django's admin, for superusers
    path("healthz", operations.healthz, name="healthz"),
    path("readyz", operations.readyz, name="readyz"),
    path("metrics", operations.metrics, name="metrics"),
    # Every other path is the single-page app's; it routes on the client.
    re_path(r"^(?!api/|admin/|static/|ws/).*$", spa_index, name="spa"),
]
