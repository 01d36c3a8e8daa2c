"""Scripts as HTTP endpoints: GET runs with query-string arguments, and the sync endpoint's 202."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from kiln.jobs.api import args_from_query
from kiln.jobs.models import Job, JobStatus
from tests.conftest import Api

SCRIPT = (
    "from typing import Optional\n\n"
    "def main(name: str, count: int = 1, ratio: float = 0.5, loud: bool = False,\n"
    "         tags: list[str] = [], limits: dict = {}, note: Optional[str] = None):\n"
    "    return name\n"
)


@pytest.fixture
def schema(api: Api) -> dict[str, Any]:
    response = api.post(
        "/api/w/main/scripts", {"path": "u/ada/hook", "language": "python3", "content": SCRIPT}
    )
    return response.json()["schema"]


def parsed(schema: dict[str, Any], query: str) -> dict[str, Any]:
    return args_from_query(RequestFactory().get(f"/x?{query}"), schema)


def test_query_values_become_typed_arguments(schema: dict[str, Any]) -> None:
    assert parsed(schema, "name=42&count=3&ratio=0.25&loud=true&note=7") == {
        "name": "42",  # a string parameter keeps the text, even when it looks like a number
        "count": 3,
        "ratio": 0.25,
        "loud": True,
        "note": "7",
    }
    assert parsed(schema, "name=a&tags=x&tags=y")["tags"] == ["x", "y"]
    assert parsed(schema, "name=a&tags=only")["tags"] == ["only"]
    assert parsed(schema, 'name=a&tags=["j","k"]&limits={"cpu":2}') == {
        "name": "a",
        "tags": ["j", "k"],
        "limits": {"cpu": 2},
    }


def test_a_get_run_creates_the_job_with_typed_arguments(api: Api, schema: dict[str, Any]) -> None:
    response = api.get("/api/w/main/jobs/run/p/u/ada/hook?name=Ada&count=2&tags=a&tags=b")
    assert response.status_code == 201, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.args == {"name": "Ada", "count": 2, "tags": ["a", "b"]}
    assert job.trigger == "webhook"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "missing required argument 'name'"),
        ("name=a&count=two", "invalid argument 'count'"),
        ("name=a&colour=red", "unknown argument 'colour'"),
    ],
)
def test_bad_query_arguments_are_400_and_create_nothing(
    api: Api, schema: dict[str, Any], query: str, message: str
) -> None:
    for url in ("/api/w/main/jobs/run/p/u/ada/hook", "/api/w/main/jobs/run_wait_result/p/u/ada/hook"):
        response = api.get(f"{url}?{query}")
        assert response.status_code == 400 and response.json()["message"].startswith(message)
    assert Job.objects.count() == 0


def test_the_sync_endpoint_answers_202_with_the_job_when_the_wait_is_over(
    api: Api, schema: dict[str, Any], settings: Any
) -> None:
    settings.KILN_SYNC_WAIT = 1  # no worker runs in this test: the job stays queued
    response = api.post("/api/w/main/jobs/run_wait_result/p/u/ada/hook", {"name": "Ada"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == JobStatus.QUEUED and "still running after 1s" in body["message"]
    assert response.headers["Location"] == f"/api/w/main/jobs/{body['id']}"
    assert response.headers["X-Kiln-Job-Id"] == body["id"]
    assert api.get(response.headers["Location"]).json()["status"] == "queued"


def test_run_requests_over_the_token_limit_get_429_with_retry_after(
    api: Api, client: Any, owner: Any, schema: dict[str, Any], settings: Any
) -> None:
    from kiln.accounts.services import token_create

    settings.KILN_RATE_LIMIT_TOKEN = 3
    codes = [api.get("/api/w/main/jobs/run/p/u/ada/hook?name=a").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    response = api.post("/api/w/main/jobs/run/p/u/ada/hook", {"name": "a"})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "at most 3 a minute" in response.json()["message"]
    assert Job.objects.count() == 3  # a refused request creates nothing
    other = Api(client, token_create(user=owner))  # another token has its own count
    assert other.post("/api/w/main/jobs/run/p/u/ada/hook", {"name": "a"}).status_code == 201


def test_run_requests_over_the_address_limit_get_429(api: Api, schema: dict[str, Any], settings: Any) -> None:
    import uuid

    settings.KILN_RATE_LIMIT_IP = 2
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # its own count in the shared Redis
    codes = [
        api.post("/api/w/main/jobs/run/p/u/ada/hook", {"name": "a"}, REMOTE_ADDR=address).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    elsewhere = address.rsplit(".", 1)[0] + ".8"
    assert (
        api.post("/api/w/main/jobs/run/p/u/ada/hook", {"name": "a"}, REMOTE_ADDR=elsewhere).status_code == 201
    )
