"""What a person writes comes back in the order written. PostgreSQL's jsonb sorts an object's
keys (shortest first): a form listed `id` before `customer_name` whatever the code declared, and
a result came back reordered. These fields are `json` there (kiln.fields.OrderedJSONField)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection

from kiln.accounts.models import User, Workspace
from kiln.fields import OrderedJSONField
from kiln.flows.models import FlowVersion, StepCache
from kiln.jobs.models import Job
from kiln.jobs.services import job_create, queued_job
from kiln.schedules.models import Schedule
from kiln.scripts.models import ScriptVersion
from kiln.scripts.services import script_save
from kiln.vault.models import Resource, ResourceType, ScriptState
from tests.conftest import Api

CODE = "def main(customer_name: str, id: int, zip_code: str = ''):\n    return id\n"
DECLARED = ["customer_name", "id", "zip_code"]
JSONB_ORDER = ["id", "zip_code", "customer_name"]  # what jsonb made of it

ORDERED = [
    (ScriptVersion, "schema"),
    (FlowVersion, "schema"),
    (FlowVersion, "value"),
    (StepCache, "result"),
    (ResourceType, "schema"),
    (Resource, "value"),
    (ScriptState, "value"),
    (Job, "args"),
    (Job, "result"),
    (Schedule, "args"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), ORDERED, ids=[f"{m.__name__}.{n}" for m, n in ORDERED])
def test_each_field_a_person_reads_back_keeps_its_order(model: Any, name: str) -> None:
    field = model._meta.get_field(name)
    assert isinstance(field, OrderedJSONField)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
                [model._meta.db_table, field.column],
            )
            assert cursor.fetchone() == ("json",)


def test_a_scripts_form_lists_its_parameters_in_the_codes_order(api: Api) -> None:
    saved = api.post(
        "/api/w/main/scripts", {"path": "u/ada/customer", "language": "python3", "content": CODE}
    )
    assert saved.status_code == 201, saved.json()
    assert list(saved.json()["schema"]["properties"]) == DECLARED
    read = api.get("/api/w/main/scripts/p/u/ada/customer")
    assert list(read.json()["schema"]["properties"]) == DECLARED
    assert read.json()["schema"]["required"] == ["customer_name", "id"]


@pytest.mark.django_db
def test_a_jobs_args_and_result_come_back_as_written(workspace: Workspace, owner: User) -> None:
    version = script_save(
        workspace=workspace, user=owner, path="u/ada/c", language="python3", content=CODE
    ).version
    job = job_create(workspace=workspace, user=owner, version=version, args={"customer_name": "Ada", "id": 7})
    assert list(Job.objects.get(pk=job.pk).args) == ["customer_name", "id"]
    read = queued_job(str(job.pk))  # the claim's own SQL
    assert read is not None and list(read.args) == ["customer_name", "id"]

    result = {"customer_name": "Ada", "id": 7, "address": {"street": "1 Main St", "zip": "02139"}}
    Job.objects.filter(pk=job.pk).update(result=result)
    stored = Job.objects.get(pk=job.pk).result
    assert list(stored) == ["customer_name", "id", "address"] and list(stored["address"]) == ["street", "zip"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["123", "", "null", 0, 1.5, True, [3, 1, 2], {}, "é ✓"])
def test_a_result_that_is_not_an_object_comes_back_as_itself(
    workspace: Workspace, owner: User, value: Any
) -> None:
    version = script_save(
        workspace=workspace, user=owner, path="u/ada/c", language="python3", content=CODE
    ).version
    job = job_create(workspace=workspace, user=owner, version=version, args={"customer_name": "Ada", "id": 7})
    Job.objects.filter(pk=job.pk).update(result=value)
    stored = Job.objects.get(pk=job.pk).result
    assert stored == value and type(stored) is type(value)  # "123" stays a string


@pytest.mark.django_db
def test_the_migration_puts_a_jsonb_sorted_schema_back_in_the_codes_order(
    workspace: Workspace, owner: User
) -> None:
    """Versions stored in jsonb had their properties sorted; the migration to `json` restores
    the code's order, and leaves alone a schema that names its own (`order`)."""
    migration = importlib.import_module("kiln.scripts.migrations.0008_ordered_json")
    sorted_one = script_save(
        workspace=workspace, user=owner, path="u/ada/a", language="python3", content=CODE
    ).version
    reordered = script_save(
        workspace=workspace, user=owner, path="u/ada/b", language="python3", content=CODE + "\n"
    ).version
    for version, extra in [(sorted_one, {}), (reordered, {"order": JSONB_ORDER})]:
        schema = version.schema
        schema = {**schema, **extra, "properties": {n: schema["properties"][n] for n in JSONB_ORDER}}
        ScriptVersion.objects.filter(pk=version.pk).update(schema=schema)

    as_on_postgresql = SimpleNamespace(connection=SimpleNamespace(vendor="postgresql"))
    migration.restore_declared_order(django_apps, as_on_postgresql)

    assert list(ScriptVersion.objects.get(pk=sorted_one.pk).schema["properties"]) == DECLARED
    assert list(ScriptVersion.objects.get(pk=reordered.pk).schema["properties"]) == JSONB_ORDER
