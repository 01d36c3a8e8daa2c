"""The front end's typed client is generated from frontend/openapi.json: it must be current."""

from __future__ import annotations

import json
from pathlib import Path

from kiln.api import api

COMMITTED = Path(__file__).resolve().parents[2] / "frontend" / "openapi.json"


def test_the_committed_openapi_document_matches_the_api() -> None:
    current = api.get_openapi_schema()
    committed = json.loads(COMMITTED.read_text())
    assert committed == json.loads(json.dumps(current)), (
        "frontend/openapi.json is stale: run `make openapi` and commit the result"
    )


def test_every_workspace_route_declares_its_workspace_parameter() -> None:
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "{workspace}" not in path:
            continue
        for operation in operations.values():
            names = {p["name"]: p["in"] for p in operation.get("parameters", [])}
            assert names.get("workspace") == "path", f"{path}: {names}"


def test_the_api_docs_page_uses_no_outside_host(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/api/docs").content.decode()
    assert "cdn.jsdelivr.net" not in html and "/static/ninja/swagger-ui-bundle.js" in html
