"""A claim's read: SQL written once per process, script versions kept per process."""

from __future__ import annotations

import uuid

import pytest

from kiln.accounts.models import User, Workspace
from kiln.jobs import services
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.services import job_claim, job_create, queued_job
from kiln.scripts.models import Script, ScriptVersion
from kiln.scripts.services import script_save

CODE = 'def main(n: int, s: str = ""):\n    return n + 1\n'


@pytest.fixture
def version(workspace: Workspace, owner: User) -> ScriptVersion:
    return script_save(
        workspace=workspace, user=owner, path="u/ada/t", language="python3", content=CODE, settings={}
    ).version


@pytest.mark.django_db
def test_the_queued_job_reads_as_the_orm_reads_it(
    workspace: Workspace, owner: User, version: ScriptVersion
) -> None:
    job = job_create(workspace=workspace, user=owner, version=version, args={"n": 1, "s": "é"})
    read = queued_job(str(job.pk))
    assert read is not None
    expected = Job.objects.get(pk=job.pk)
    for f in Job._meta.concrete_fields:
        assert getattr(read, f.attname) == getattr(expected, f.attname), f.name
    assert read.script_version is not None
    assert read.script_version.content == CODE
    assert read.script_version.script.path == "u/ada/t"


@pytest.mark.django_db
def test_only_a_queued_job_is_read(workspace: Workspace, owner: User, version: ScriptVersion) -> None:
    job = job_create(workspace=workspace, user=owner, version=version, args={"n": 1})
    assert job_claim(job_id=str(job.pk), worker_id="w1") is not None
    assert queued_job(str(job.pk)) is None  # running now
    assert job_claim(job_id=str(job.pk), worker_id="w2") is None
    assert queued_job(str(uuid.uuid4())) is None
    assert queued_job("not-a-uuid") is None


@pytest.mark.django_db
def test_a_versions_lock_and_its_scripts_settings_are_read_again(
    workspace: Workspace, owner: User, version: ScriptVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    def claim() -> ScriptVersion:
        job = job_create(workspace=workspace, user=owner, version=version, args={"n": 1})
        claimed = job_claim(job_id=str(job.pk), worker_id="w1")
        assert claimed is not None and claimed.script_version is not None
        return claimed.script_version

    ScriptVersion.objects.filter(pk=version.pk).update(lock=None)
    services.versions_forget()
    assert claim().lock is None
    ScriptVersion.objects.filter(pk=version.pk).update(lock="pinned")  # resolved by a worker
    assert claim().lock == "pinned"  # a version without its lock is never kept

    before = claim().script.settings
    Script.objects.filter(pk=version.script_id).update(settings={**before, "warm": True})
    assert claim().script.settings == before  # kept: a change shows within VERSION_KEPT_S
    monkeypatch.setattr(services, "VERSION_KEPT_S", 0.0)
    assert claim().script.settings["warm"] is True
    assert Job.objects.filter(status=JobStatus.RUNNING).count() == 5
