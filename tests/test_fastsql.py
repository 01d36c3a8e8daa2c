"""fastsql.update: the statement written once, the rows and values the ORM's update gives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kiln import fastsql
from kiln.accounts.models import User, Workspace
from kiln.jobs.models import Job, JobStatus
from kiln.jobs.services import job_create
from kiln.scripts.services import script_save


@pytest.fixture
def two_jobs(workspace: Workspace, owner: User) -> tuple[Job, Job]:
    version = script_save(
        workspace=workspace,
        user=owner,
        path="u/ada/t",
        language="python3",
        content="def main(n: int):\n    pass\n",
    ).version
    return tuple(
        job_create(workspace=workspace, user=owner, version=version, args={"n": i}) for i in range(2)
    )  # type: ignore[return-value]


def row(job: Job) -> dict[str, Any]:
    values = Job.objects.filter(pk=job.pk).values().get()
    for made_different in ("id", "args", "created_at", "published_at"):
        values.pop(made_different)
    return values


VALUES: dict[str, Any] = {
    "status": JobStatus.SUCCESS,
    "worker_id": "host:12",
    "attempt": 3,
    "result": {"zeta": [1, "é"], "a": None},
    "error": None,
    "log_dropped": 0,
    "lease_expires_at": None,
}


@pytest.mark.django_db
def test_it_stores_what_the_orms_update_stores(two_jobs: tuple[Job, Job]) -> None:
    by_orm, by_fastsql = two_jobs
    values = {**VALUES, "started_at": timezone.now() - timedelta(seconds=3), "finished_at": timezone.now()}
    assert Job.objects.filter(pk=by_orm.pk, status=JobStatus.QUEUED, attempt=0).update(**values) == 1
    assert fastsql.update(Job, {"pk": by_fastsql.pk, "status": JobStatus.QUEUED, "attempt": 0}, values) == 1
    assert row(by_fastsql) == row(by_orm)
    assert list(row(by_fastsql)["result"]) == ["zeta", "a"]


@pytest.mark.django_db
def test_only_the_rows_matching_every_condition_change(two_jobs: tuple[Job, Job]) -> None:
    first, second = two_jobs
    before = row(second)
    assert fastsql.update(Job, {"pk": first.pk, "status": JobStatus.RUNNING}, {"attempt": 9}) == 0
    assert fastsql.update(Job, {"pk": first.pk, "status": JobStatus.QUEUED}, {"attempt": 9}) == 1
    assert Job.objects.get(pk=first.pk).attempt == 9
    assert row(second) == before


@pytest.mark.django_db
def test_the_statement_is_written_once_per_shape(two_jobs: tuple[Job, Job]) -> None:
    first, second = two_jobs
    fastsql._SQL.clear()
    with CaptureQueriesContext(connection) as seen:
        assert fastsql.update(Job, {"pk": first.pk}, {"attempt": 1}) == 1
        assert fastsql.update(Job, {"pk": second.pk}, {"attempt": 2}) == 1
        assert fastsql.update(Job, {"pk": second.pk}, {"attempt": 2, "worker_id": "w"}) == 1
    assert len(seen.captured_queries) == 3  # one statement each, nothing read first
    assert len(fastsql._SQL) == 2
    attempts = Job.objects.filter(pk__in=[first.pk, second.pk]).order_by("attempt")
    assert [j.attempt for j in attempts] == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [None, timezone.now])
def test_a_condition_must_be_a_value(two_jobs: tuple[Job, Job], value: Any) -> None:
    from django.db.models import F

    bad = F("attempt") if value is not None else None
    with pytest.raises(ValueError, match="a value to compare with"):
        fastsql.update(Job, {"pk": two_jobs[0].pk, "attempt": bad}, {"attempt": 1})


@pytest.mark.django_db(transaction=True)
def test_a_failed_statement_marks_the_transaction_for_rollback(two_jobs: tuple[Job, Job]) -> None:
    first, _ = two_jobs
    with transaction.atomic():
        with pytest.raises(Exception):  # noqa: B017, PT011 - the database's own error, per vendor
            fastsql.update(Job, {"pk": first.pk}, {"attempt": None})  # NOT NULL
        assert transaction.get_rollback()
        transaction.set_rollback(False)


@pytest.mark.django_db
def test_get_reads_a_row_as_the_orm_reads_it(two_jobs: tuple[Job, Job]) -> None:
    first, _ = two_jobs
    Job.objects.filter(pk=first.pk).update(
        **{**VALUES, "started_at": timezone.now(), "finished_at": timezone.now()}
    )
    read = fastsql.get(Job, {"pk": first.pk, "status": JobStatus.SUCCESS})
    expected = Job.objects.get(pk=first.pk)
    assert read is not None and read.pk == first.pk and not read._state.adding
    for field in Job._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
        assert type(getattr(read, field.attname)) is type(getattr(expected, field.attname)), field.name
    assert list(read.result) == ["zeta", "a"]
    assert fastsql.get(Job, {"pk": first.pk, "status": JobStatus.QUEUED}) is None


@pytest.mark.django_db
def test_get_loads_foreign_keys_in_the_same_statement(two_jobs: tuple[Job, Job]) -> None:
    first, _ = two_jobs
    with CaptureQueriesContext(connection) as seen:
        read = fastsql.get(Job, {"pk": first.pk}, related=("workspace", "script_version"))
        assert read is not None
        assert read.workspace.name == first.workspace.name
        assert read.script_version is not None and read.script_version.content == first.script_version.content
    assert len(seen.captured_queries) == 1
    # An inner join: a row whose key is null is not found through it.
    assert fastsql.get(Job, {"pk": first.pk}, related=("flow_version",)) is None


@pytest.mark.django_db
def test_get_follows_a_key_of_a_related_row(two_jobs: tuple[Job, Job], owner: User) -> None:
    first, _ = two_jobs
    with CaptureQueriesContext(connection) as seen:
        read = fastsql.get(Job, {"pk": first.pk}, related=("script_version", "script_version__created_by"))
        assert read is not None and read.script_version is not None
        assert read.script_version.created_by.email == owner.email
    assert len(seen.captured_queries) == 1
    with pytest.raises(ValueError, match="before"):
        fastsql.get(Job, {"pk": first.pk}, related=("script_version__created_by",))


@pytest.mark.django_db(transaction=True)
def test_get_for_update_locks_the_row_and_not_the_joined_ones(two_jobs: tuple[Job, Job]) -> None:
    import threading

    from django.db import DatabaseError
    from django.db import connection as this_thread

    first, second = two_jobs
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        read = fastsql.get(Job, {"pk": first.pk}, related=("workspace",), for_update=True)
        assert read is not None and read.workspace.name == first.workspace.name
        expected = Job.objects.select_for_update(of=("self",)).get(pk=first.pk)
        for field in Job._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
        if connection.vendor != "postgresql":
            return  # SQLite has no row locks: a write takes the whole database's lock
        assert seen.captured_queries[0]["sql"].endswith("FOR UPDATE OF t")
        tried: dict[str, Any] = {}

        def from_another_connection() -> None:
            try:
                for name, pk, model in (
                    ("job", first.pk, Job),
                    ("other job", second.pk, Job),
                    ("workspace", first.workspace_id, Workspace),
                ):
                    table = this_thread.ops.quote_name(model._meta.db_table)
                    try:
                        with transaction.atomic(), this_thread.cursor() as cursor:
                            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
                        tried[name] = "free"
                    except DatabaseError as exc:  # 55P03: lock_not_available
                        tried[name] = (
                            "locked" if getattr(exc.__cause__, "sqlstate", "") == "55P03" else repr(exc)
                        )
            finally:
                this_thread.close()

        thread = threading.Thread(target=from_another_connection)
        thread.start()
        thread.join(10)
    assert tried == {"job": "locked", "other job": "free", "workspace": "free"}
    with pytest.raises(transaction.TransactionManagementError):
        fastsql.get(Job, {"pk": first.pk}, for_update=True)  # outside a transaction, as the ORM


@pytest.mark.django_db
def test_insert_stores_what_create_stores(two_jobs: tuple[Job, Job]) -> None:
    import uuid

    from kiln.audit.models import AuditEvent

    original = Job.objects.get(pk=two_jobs[0].pk)
    copy = Job.objects.get(pk=two_jobs[0].pk)
    copy.id, copy._state.adding = uuid.uuid4(), True
    assert fastsql.insert(copy) is copy and not copy._state.adding
    stored = Job.objects.filter(pk=copy.pk).values().get()
    expected = Job.objects.filter(pk=original.pk).values().get()
    for made_different in ("id", "created_at"):  # auto_now_add: set again, as create() does
        stored.pop(made_different), expected.pop(made_different)
    assert stored == expected
    assert copy.created_at > original.created_at

    event = fastsql.insert(
        AuditEvent(workspace_id="main", actor_email="a@b.c", action="x.y", object_type="job", object_id="1")
    )
    assert event.pk is not None and event.created_at is not None  # an auto-numbered key, read back
    again = fastsql.insert(
        AuditEvent(workspace_id="main", actor_email="a@b.c", action="x.y", object_type="job", object_id="2")
    )
    assert again.pk == event.pk + 1
    assert AuditEvent.objects.get(pk=event.pk).object_id == "1"


@pytest.mark.django_db
def test_a_members_groups_are_read_in_one_written_statement(
    workspace: Workspace, owner: User, member: User
) -> None:
    from kiln.accounts.access import Principal, caller
    from kiln.accounts.models import ALL_GROUP, Group, Membership

    other = Workspace.objects.create(id="other", name="Other")
    Membership.objects.create(user=owner, workspace=other, role="admin")
    mine = [Group.objects.create(workspace=workspace, name=name) for name in ("ops", "data")]
    for group in mine:
        group.members.add(owner)
    Group.objects.create(workspace=workspace, name="not-mine").members.add(member)
    Group.objects.create(workspace=other, name="elsewhere").members.add(owner)
    Group.objects.create(workspace=workspace, name="empty")

    assert caller(user=owner, workspace_id="main").groups == {ALL_GROUP, "ops", "data"}
    assert caller(user=owner, workspace_id="other").groups == {ALL_GROUP, "elsewhere"}
    assert caller(user=member, workspace_id="main").groups == {ALL_GROUP, "not-mine"}
    membership = Membership.objects.select_related("user").get(user=owner, workspace=workspace)
    with CaptureQueriesContext(connection) as queries:
        Principal.of_member(membership)
    (statement,) = queries.captured_queries  # the groups, and nothing else
    assert "JOIN" in statement["sql"]


@pytest.mark.django_db
def test_unless_null_replaces_only_a_value_that_is_there(two_jobs: tuple[Job, Job]) -> None:
    reported, silent = two_jobs
    Job.objects.filter(pk=reported.pk).update(progress=40)
    fastsql._SQL.clear()
    with CaptureQueriesContext(connection) as seen:
        for job in two_jobs:
            values = {"attempt": 5, "progress": fastsql.UnlessNull(100)}
            assert fastsql.update(Job, {"pk": job.pk}, values) == 1
    assert len(seen.captured_queries) == 2  # one statement each: nothing read first
    assert Job.objects.values_list("progress", "attempt").get(pk=reported.pk) == (100, 5)
    assert Job.objects.values_list("progress", "attempt").get(pk=silent.pk) == (None, 5)
    # a plain value and UnlessNull are two shapes of the same fields: each its own statement
    assert fastsql.update(Job, {"pk": silent.pk}, {"attempt": 6, "progress": 7}) == 1
    assert Job.objects.values_list("progress", "attempt").get(pk=silent.pk) == (7, 6)
    assert len(fastsql._SQL) == 2
