"""The API speaks JSON: a write declared as anything else is a 415; run URLs take any body."""

from __future__ import annotations

import json

from kiln.jobs.models import Job
from kiln.scripts.models import Script
from tests.conftest import Api

SCRIPT = {
    "path": "u/ada/echo",
    "language": "python3",
    "content": "def main(name: str = 'x'):\n    return name\n",
}


def test_a_write_declared_as_another_media_type_is_a_415_and_stores_nothing(api: Api) -> None:
    form = api.client.post("/api/w/main/scripts", data=SCRIPT, **api.headers)  # an HTML form's post
    assert form.status_code == 415 and "multipart/form-data" in form.json()["message"]
    for content_type in ("application/xml", "text/plain", "application/x-www-form-urlencoded"):
        response = api.client.post(
            "/api/w/main/scripts", data=json.dumps(SCRIPT), content_type=content_type, **api.headers
        )
        assert response.status_code == 415, (content_type, response.content)
        body = response.json()
        assert set(body) == {"message", "detail"} and "application/json" in body["message"]
    assert not Script.objects.exists()
    ok = api.client.post(
        "/api/w/main/scripts",
        data=json.dumps(SCRIPT),
        content_type="application/json; charset=utf-8",
        **api.headers,
    )
    assert ok.status_code == 201


def test_run_urls_read_any_body_as_json_arguments(api: Api) -> None:
    assert api.post("/api/w/main/scripts", SCRIPT).status_code == 201
    # What `curl -d '{"name": "Ada"}'` sends: JSON, labelled form-urlencoded.
    response = api.client.post(
        "/api/w/main/jobs/run/p/u/ada/echo",
        data='{"name": "Ada"}',
        content_type="application/x-www-form-urlencoded",
        **api.headers,
    )
    assert response.status_code == 201, response.content
    assert Job.objects.get().args == {"name": "Ada"}
