"""Cancelling jobs through the API."""

from __future__ import annotations

import pytest

from kiln.jobs.models import Job, JobStatus
from tests.conftest import Api


@pytest.fixture
def queued(api: Api) -> str:
    api.post(
        "/api/w/main/scripts",
        {"path": "u/ada/s", "language": "python3", "content": "def main():\n  return 1\n"},
    )
    job_id = api.post("/api/w/main/jobs/run/p/u/ada/s", {}).json()["id"]
    return str(job_id)


def test_a_queued_job_is_canceled_at_once(api: Api, queued: str) -> None:
    response = api.post(f"/api/w/main/jobs/{queued}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    job = Job.objects.get(pk=queued)
    assert job.error == {"name": "Canceled", "message": "canceled by ada@example.com", "traceback": ""}
    assert job.canceled_by == "ada@example.com" and job.finished_at is not None


def test_a_running_job_gets_a_cancel_request_for_its_runner(api: Api, queued: str) -> None:
    Job.objects.filter(pk=queued).update(status=JobStatus.RUNNING, worker_id="w:1", attempt=1)
    response = api.post(f"/api/w/main/jobs/{queued}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "running"
    assert Job.objects.get(pk=queued).cancel_requested_at is not None
    assert api.post(f"/api/w/main/jobs/{queued}/cancel").status_code == 200  # asking twice is fine


def test_a_finished_job_cannot_be_canceled(api: Api, queued: str) -> None:
    Job.objects.filter(pk=queued).update(status=JobStatus.SUCCESS)
    response = api.post(f"/api/w/main/jobs/{queued}/cancel")
    assert response.status_code == 409 and response.json()["message"] == "job is already success"


def test_cancel_of_unknown_or_foreign_jobs_is_404(api: Api, outsider_api: Api, queued: str) -> None:
    assert api.post("/api/w/main/jobs/00000000-0000-0000-0000-000000000000/cancel").status_code == 404
    assert outsider_api.post(f"/api/w/main/jobs/{queued}/cancel").status_code == 404
    assert Job.objects.get(pk=queued).status == JobStatus.QUEUED
