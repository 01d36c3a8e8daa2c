"""Parameters shared by routers."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path

# Routers are mounted under /w/{workspace}/...; ninja only infers path parameters
# from an operation's own path, so the router prefix's one is declared here.
WorkspacePath = Annotated[str, Path(description="Workspace id, e.g. `main`")]


def query_token_used(request: HttpRequest) -> bool:
    """True when the request authenticated with a webhook token in `?token=` (kiln.api.QueryTokenAuth)."""
    return bool(getattr(request, "kiln_query_token", False))
