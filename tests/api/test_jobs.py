"""Starting jobs: arguments are checked against the schema before anything is queued."""

from __future__ import annotations

import pytest

from kiln.jobs.models import Job, JobStatus
from tests.conftest import Api, example

SCRIPT = "def main(name: str, count: int = 1, tags: list[str] = []):\n    return name * count\n"


@pytest.fixture
def saved(api: Api) -> str:
    response = api.post("/api/w/main/scripts", {"path": "u/ada/s", "language": "python3", "content": SCRIPT})
    return response.json()["hash"]


def test_run_commits_a_queued_job_and_returns_its_id(api: Api, saved: str) -> None:
    response = api.post("/api/w/main/jobs/run/p/u/ada/s", {"name": "x"})
    assert response.status_code == 201
    job = Job.objects.get(pk=response.json()["id"])
    assert (job.status, job.args, job.script_version.hash) == (JobStatus.QUEUED, {"name": "x"}, saved)


def test_run_by_hash_pins_the_version(api: Api, saved: str) -> None:
    api.post("/api/w/main/scripts", {"path": "u/ada/s", "language": "python3", "content": SCRIPT + "\n#v2\n"})
    job_id = api.post(f"/api/w/main/jobs/run/h/{saved}", {"name": "x"}).json()["id"]
    assert Job.objects.get(pk=job_id).script_version.hash == saved


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({}, "name", "missing required argument 'name'"),
        ({"name": 3}, "name", "invalid argument 'name'"),
        ({"name": "x", "count": "two"}, "count", "invalid argument 'count'"),
        ({"name": "x", "count": 1.5}, "count", "invalid argument 'count'"),
        ({"name": "x", "tags": ["a", 2]}, "tags.1", "invalid argument 'tags.1'"),
        ({"name": "x", "colour": "red"}, "colour", "unknown argument 'colour'"),
    ],
)
def test_arguments_that_do_not_fit_the_schema_are_400_naming_the_field(
    api: Api, saved: str, args: dict, field: str, message: str
) -> None:
    for url in ("/api/w/main/jobs/run/p/u/ada/s", "/api/w/main/jobs/run_wait_result/p/u/ada/s"):
        response = api.post(url, args)
        assert response.status_code == 400
        assert response.json()["detail"]["field"] == field
        assert response.json()["message"].startswith(message)
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "message"), [("{oops", "not valid JSON"), ("[1, 2]", "JSON object"), ('"Ada"', "JSON object")]
)
def test_a_body_that_is_not_a_json_object_is_400(api: Api, saved: str, raw: str, message: str) -> None:
    response = api.post("/api/w/main/jobs/run/p/u/ada/s", raw=raw)
    assert response.status_code == 400 and message in response.json()["message"]
    assert Job.objects.count() == 0


def test_an_empty_body_means_no_arguments(api: Api) -> None:
    api.post(
        "/api/w/main/scripts",
        {"path": "u/ada/n", "language": "python3", "content": "def main():\n  return 1\n"},
    )
    assert api.post("/api/w/main/jobs/run/p/u/ada/n", raw="").status_code == 201


def test_unknown_scripts_and_jobs_are_404(api: Api) -> None:
    assert api.post("/api/w/main/jobs/run/p/u/ada/nothing", {}).status_code == 404
    assert api.post("/api/w/main/jobs/run_wait_result/p/u/ada/nothing", {}).status_code == 404
    assert api.post("/api/w/main/jobs/run/h/ffffffffffffffff", {}).status_code == 404
    assert api.get("/api/w/main/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/api/w/main/jobs/not-a-uuid").status_code == 404


def test_an_outsider_cannot_run_or_read_jobs(api: Api, outsider_api: Api, saved: str) -> None:
    job_id = api.post("/api/w/main/jobs/run/p/u/ada/s", {"name": "x"}).json()["id"]
    assert outsider_api.post("/api/w/main/jobs/run/p/u/ada/s", {"name": "x"}).status_code == 404
    assert outsider_api.get(f"/api/w/main/jobs/{job_id}").status_code == 404


def test_the_greet_example_accepts_its_documented_arguments(api: Api) -> None:
    api.post(
        "/api/w/main/scripts", {"path": "u/ada/greet", "language": "python3", "content": example("greet.py")}
    )
    response = api.post("/api/w/main/jobs/run/p/u/ada/greet", {"name": "Ada", "count": 2, "tags": ["x"]})
    assert response.status_code == 201
