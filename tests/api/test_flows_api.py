"""The flows API: save and import a spec, read it back, export it, run it (a queued job only: no
worker here), who may do what, and every bad spec a 4xx naming the field that stores nothing."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.test import Client

from kiln.accounts.models import Folder, Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.flows.models import Flow, FlowVersion
from kiln.jobs.models import Job, JobKind, JobStatus, Trigger
from kiln.schedules.models import Schedule
from tests.conftest import EXAMPLES, Api, share_folder

FLOWS = "/api/w/main/flows"
JOBS = "/api/w/main/jobs"
PATH = "u/ada/digest"
EXAMPLE = (EXAMPLES / "flows" / "order_digest.flow.yaml").read_text()
SCHEMA = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
PY = "def main(x: int):\n    return x\n"


def step(step_id: str, expr: str = "flow_input.x", **extra: Any) -> dict[str, Any]:
    """An inline python step that takes `x` from an expression."""
    value = {
        "type": "rawscript",
        "language": "python3",
        "content": PY,
        "input_transforms": {"x": {"type": "javascript", "expr": expr}},
    }
    return {"id": step_id, "value": value, **extra}


def subflow(step_id: str, path: str) -> dict[str, Any]:
    return {"id": step_id, "value": {"type": "flow", "path": path, "input_transforms": {}}}


def flow(path: str = PATH, *modules: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "path": path,
        "summary": "Add one",
        "description": "",
        "schema": SCHEMA,
        "value": {"modules": list(modules) or [step("a")]},
    }
    return {**body, **changes}


def save(who: Api, body: dict[str, Any]) -> Any:
    return who.post(FLOWS, body)


def import_text(who: Api, path: str, content: str, fmt: str | None = None) -> Any:
    return who.post(f"{FLOWS}/import", {"path": path, "format": fmt, "content": content})


def errors(response: Any) -> list[dict[str, str]]:
    return list(response.json()["detail"]["errors"])


def person(workspace: Workspace, email: str, role: str) -> Api:
    user = User.objects.create_user(email=email, password="correct-horse")
    Membership.objects.create(user=user, workspace=workspace, role=role)
    return Api(Client(), token_create(user=user))


@pytest.fixture
def saved(api: Api) -> dict[str, Any]:
    """The flow at PATH: one step, an integer input `x`."""
    made = save(api, flow())
    assert made.status_code == 201, made.json()
    return dict(made.json())


@pytest.fixture
def grace(member: User) -> Api:
    """A developer."""
    return Api(Client(), token_create(user=member))


# --- saving, importing, exporting ----------------------------------------------------------


def test_the_example_yaml_imports_and_reads_back_with_the_same_modules(api: Api) -> None:
    made = import_text(api, "f/orders/digest", EXAMPLE)
    assert made.status_code == 201, made.json()
    out = made.json()
    assert out["access"] == "owner" and out["summary"] == "Order digest"
    written = yaml.safe_load(EXAMPLE)
    read = api.get(f"{FLOWS}/p/f/orders/digest")
    assert read.status_code == 200
    assert read.json()["value"]["modules"] == written["value"]["modules"]
    assert read.json()["value"]["failure_module"] == written["value"]["failure_module"]
    assert read.json()["schema"] == written["schema"] and read.json()["hash"] == out["hash"]
    assert api.get(f"{FLOWS}/h/{out['hash']}").json()["path"] == "f/orders/digest"
    # The first save into f/orders/ made the folder, owned by the saver.
    assert Folder.objects.filter(workspace_id="main", name="orders").exists()

    again = import_text(api, "f/orders/digest", EXAMPLE, "yaml")
    assert again.status_code == 200 and again.json()["hash"] == out["hash"]
    assert FlowVersion.objects.filter(flow__path="f/orders/digest").count() == 1
    assert AuditEvent.objects.filter(action="flow.save", object_id="f/orders/digest").count() == 1
    assert AuditEvent.objects.filter(action="folder.create", object_id="orders").count() == 1
    listed = api.get(FLOWS).json()
    assert [(f["path"], f["hash"], f["versions"]) for f in listed] == [("f/orders/digest", out["hash"], 1)]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_an_exported_flow_imports_elsewhere_as_the_same_document(api: Api, fmt: str) -> None:
    original = import_text(api, PATH, EXAMPLE).json()
    exported = api.get(f"{FLOWS}/export/p/{PATH}?format={fmt}")
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == f'attachment; filename="digest.flow.{fmt}"'
    assert exported["Content-Type"].startswith("application/yaml" if fmt == "yaml" else "application/json")
    text = exported.content.decode()
    if fmt == "json":
        assert json.loads(text)["value"] == original["value"]
    copied = import_text(api, "u/ada/digest_copy", text, fmt)
    assert copied.status_code == 201, copied.json()
    assert copied.json()["value"] == original["value"]
    assert copied.json()["schema"] == original["schema"]
    assert copied.json()["hash"] == original["hash"]  # the hash names the document, not its path
    guessed = import_text(api, "u/ada/digest_guessed", text)  # no format: guessed from the text
    assert guessed.status_code == 201 and guessed.json()["value"] == original["value"]


def test_a_changed_save_adds_a_version_and_an_old_one_stays_exportable(
    api: Api, saved: dict[str, Any]
) -> None:
    changed = save(
        api, flow(summary="Add one, twice", value={"modules": [step("a"), step("b", "results.a")]})
    )
    assert changed.status_code == 201 and changed.json()["hash"] != saved["hash"]
    versions = api.get(f"{FLOWS}/versions/p/{PATH}").json()
    assert [v["hash"] for v in versions] == [changed.json()["hash"], saved["hash"]]
    assert versions[0]["summary"] == "Add one, twice" and versions[0]["created_by"] == "ada@example.com"
    assert api.get(f"{FLOWS}/p/{PATH}").json()["hash"] == changed.json()["hash"]
    assert api.get(FLOWS).json()[0]["versions"] == 2
    old = api.get(f"{FLOWS}/export/p/{PATH}?format=json&hash={saved['hash']}")
    assert old.status_code == 200 and json.loads(old.content)["summary"] == "Add one"
    assert api.get(f"{FLOWS}/export/p/{PATH}?format=json&hash=0123456789abcdef").status_code == 404


def test_defaults_are_filled_when_a_flow_is_saved(api: Api) -> None:
    loop = {
        "id": "each",
        "value": {
            "type": "forloopflow",
            "iterator": {"type": "static", "value": [1, 2]},
            "modules": [step("inner", "flow_input.iter.value")],
        },
    }
    made = save(api, flow(PATH, loop, schema=None))
    assert made.status_code == 201, made.json()
    value = made.json()["value"]["modules"][0]["value"]
    assert (value["skip_failures"], value["parallel"]) == (False, False)
    assert made.json()["schema"]["type"] == "object" and made.json()["schema"]["properties"] == {}


def test_a_pinned_export_finds_the_version_of_that_path_when_two_paths_share_a_document(api: Api) -> None:
    first = import_text(api, "u/ada/one", EXAMPLE).json()
    second = import_text(api, "u/ada/two", EXAMPLE).json()
    assert first["hash"] == second["hash"]
    assert api.get(f"{FLOWS}/export/p/u/ada/two?format=json&hash={second['hash']}").status_code == 200


def test_the_full_list_gives_each_flow_as_its_path_read_would(
    api: Api, grace: Api, saved: dict[str, Any], workspace: Workspace, owner: User
) -> None:
    share_folder(workspace, owner, "ops", level="viewer")
    assert save(api, flow("f/ops/digest", summary="Shared")).status_code == 201
    assert save(api, flow(summary="Add two")).status_code == 201  # a second version of PATH
    listed = api.get(FLOWS).json()
    assert set(listed[0]) == {"path", "hash", "summary", "created_by", "created_at", "versions"}
    full = api.get(f"{FLOWS}?full=true").json()
    assert [(f["path"], f["versions"]) for f in full] == [(PATH, 2), ("f/ops/digest", 1)]
    assert [(f["path"], f["versions"]) for f in listed] == [(PATH, 2), ("f/ops/digest", 1)]
    for item in full:
        item.pop("versions")
        assert item == api.get(f"{FLOWS}/p/{item['path']}").json()
    seen = grace.get(f"{FLOWS}?full=true").json()  # ada's own space is not grace's to see
    assert [f["path"] for f in seen] == ["f/ops/digest"] and seen[0]["access"] == "view"
    assert seen[0] == {**grace.get(f"{FLOWS}/p/f/ops/digest").json(), "versions": 1}


# --- bad specs ---------------------------------------------------------------------------------


LOOP_WITHOUT_ITERATOR = {"id": "each", "value": {"type": "forloopflow", "modules": [step("inner")]}}
BAD_MODULES = [
    pytest.param(
        [{"id": "a", "value": {"type": "teleport"}}],
        "value.modules[0].value.type",
        "unknown module type 'teleport'",
        id="unknown-module-type",
    ),
    pytest.param([LOOP_WITHOUT_ITERATOR], "value.modules[0].value.iterator", "is required", id="no-iterator"),
    pytest.param([step("a"), step("a")], "value.modules[1].id", "duplicate id 'a'", id="duplicate-step-id"),
    pytest.param(
        [step("a", "results.b"), step("b")],
        "value.modules[0].value.input_transforms.x.expr",
        "step 'b' does not precede this step",
        id="later-step",
    ),
    pytest.param(
        [step("a", "results.ghost")],
        "value.modules[0].value.input_transforms.x.expr",
        "no step 'ghost' in this flow",
        id="unknown-step",
    ),
    pytest.param(
        [step("a", "flow_input.x +")],
        "value.modules[0].value.input_transforms.x.expr",
        "syntax error in expression",
        id="js-syntax-error",
    ),
    pytest.param(
        [{"id": "a", "value": {**step("a")["value"], "language": "cobol"}}],
        "value.modules[0].value.language",
        "cobol",
        id="unknown-language",
    ),
    pytest.param(
        [subflow("me", "f/reports/bad")], "value.modules[0].value.path", "flow cycle", id="self-cycle"
    ),
    pytest.param(
        [subflow("other", "u/ada/missing")],
        "value.modules[0].value.path",
        "no flow at path 'u/ada/missing'",
        id="missing-subflow",
    ),
    pytest.param(
        [{"id": "s", "value": {"type": "script", "path": "u/ada/missing"}}],
        "value.modules[0].value.path",
        "no script at path 'u/ada/missing'",
        id="missing-script",
    ),
]


@pytest.mark.parametrize(("modules", "where", "words"), BAD_MODULES)
def test_a_bad_spec_is_a_400_naming_the_field_and_saves_nothing(
    api: Api, modules: list[dict[str, Any]], where: str, words: str
) -> None:
    response = save(api, flow("f/reports/bad", *modules))
    assert response.status_code == 400, response.json()
    found = errors(response)
    assert any(e["path"] == where and words in e["message"] for e in found), found
    assert response.json()["detail"]["path"] == found[0]["path"]
    assert words in response.json()["message"] or len(found) > 1
    assert not Flow.objects.exists() and not FlowVersion.objects.exists()
    assert not Folder.objects.filter(name="reports").exists()  # the new folder was rolled back
    assert not AuditEvent.objects.filter(action__in=["folder.create", "flow.save"]).exists()


def test_every_problem_is_listed_at_once(api: Api) -> None:
    modules = [step("a", "results.ghost"), step("a"), {"id": "c", "value": {"type": "teleport"}}]
    found = {e["path"] for e in errors(save(api, flow(PATH, *modules)))}
    assert found >= {
        "value.modules[0].value.input_transforms.x.expr",
        "value.modules[1].id",
        "value.modules[2].value.type",
    }


def test_a_bad_update_leaves_the_latest_version_as_it_was(api: Api, saved: dict[str, Any]) -> None:
    refused = save(api, flow(PATH, step("a", "results.nope")))
    assert refused.status_code == 400
    assert api.get(f"{FLOWS}/p/{PATH}").json()["hash"] == saved["hash"]
    assert FlowVersion.objects.count() == 1
    refused = import_text(api, PATH, "value: [unclosed")
    assert refused.status_code == 400
    assert api.get(f"{FLOWS}/p/{PATH}").json()["hash"] == saved["hash"]


def test_two_flows_that_call_each_other_are_refused(api: Api, saved: dict[str, Any]) -> None:
    caller = save(api, flow("u/ada/caller", subflow("inner", PATH)))
    assert caller.status_code == 201, caller.json()
    loop = save(api, flow(PATH, subflow("back", "u/ada/caller")))
    assert loop.status_code == 400
    found = errors(loop)
    assert found[0]["path"] == "value.modules[0].value.path"
    assert found[0]["message"] == f"flow cycle: {PATH} → u/ada/caller → {PATH}"
    assert api.get(f"{FLOWS}/p/{PATH}").json()["hash"] == saved["hash"]


@pytest.mark.parametrize(
    ("content", "fmt", "words"),
    [
        ("value:\n  modules: [unclosed\n", "yaml", "line"),
        ('{"value": ', "json", "line"),
        ("- one\n- two\n", None, "must be a mapping"),
        ('["a list"]', "json", "must be a mapping"),
        ("just text", "yaml", "must be a mapping"),
    ],
)
def test_text_that_is_not_a_flow_document_is_a_400_that_says_where(
    api: Api, content: str, fmt: str | None, words: str
) -> None:
    response = import_text(api, "f/reports/bad", content, fmt)
    assert response.status_code == 400, response.json()
    assert words in response.json()["message"], response.json()
    assert response.json()["detail"]["errors"][0]["path"] == ""
    assert not Flow.objects.exists() and not Folder.objects.filter(name="reports").exists()


@pytest.mark.parametrize(
    ("schema", "where", "words"),
    [
        ({"type": "string"}, "schema.type", "must be 'object'"),
        ({"type": "object", "properties": []}, "schema.properties", "must be an object"),
        ({"type": "object", "required": "x"}, "schema.required", "list of input names"),
        ({"type": "object", "properties": {"x": {"type": "integr"}}}, "schema", "invalid JSON Schema"),
    ],
)
def test_an_invalid_schema_is_a_400_naming_it(
    api: Api, schema: dict[str, Any], where: str, words: str
) -> None:
    response = save(api, flow("f/reports/bad", schema=schema))
    assert response.status_code == 400, response.json()
    assert response.json()["detail"]["path"] == where
    assert words in response.json()["message"], response.json()
    assert not Flow.objects.exists() and not Folder.objects.filter(name="reports").exists()


def test_an_invalid_json_schema_is_reported_in_the_same_shape_as_other_spec_errors(api: Api) -> None:
    response = save(api, flow(schema={"type": "object", "properties": {"x": {"type": "integr"}}}))
    assert response.status_code == 400
    assert errors(response)[0]["path"] == "schema"


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (10 * 1000 * 1000, "the limit is 2097152"),  # under the 10 MiB request limit: the spec's answers
        (11 * 1024 * 1024, "request body is larger than 10485760 bytes"),  # Django's limit answers first
    ],
)
def test_a_huge_spec_is_a_413_and_saves_nothing(api: Api, size: int, words: str) -> None:
    text = "summary: " + "a" * size + "\nvalue:\n  modules: []\n"
    imported = import_text(api, "f/reports/big", text)
    assert imported.status_code == 413, imported.content[:300]
    assert words in imported.json()["message"], imported.json()["message"][:300]
    posted = save(api, flow("f/reports/big", {**step("a"), "summary": "a" * size}))
    assert posted.status_code == 413, posted.content[:300]
    assert words in posted.json()["message"], posted.json()["message"][:300]
    assert not Flow.objects.exists() and not Folder.objects.filter(name="reports").exists()


def test_a_spec_just_over_two_mib_is_refused_by_the_spec_limit(api: Api) -> None:
    response = save(api, flow(PATH, {**step("a"), "summary": "a" * (2 * 1024 * 1024)}))
    assert response.status_code == 413
    assert response.json()["detail"]["errors"][0]["path"] == ""
    assert "the limit is 2097152" in response.json()["message"]


# --- who may save, read and run ----------------------------------------------------------------


def test_a_member_without_write_access_to_a_folder_cannot_save_there(
    api: Api, grace: Api, owner: User, workspace: Workspace
) -> None:
    share_folder(workspace, owner, "ops", level="viewer")
    assert save(api, flow("f/ops/digest")).status_code == 201
    refused = save(grace, flow("f/ops/digest", summary="mine now"))
    assert refused.status_code == 403 and "writer access" in refused.json()["message"]
    refused = import_text(grace, "f/ops/other", EXAMPLE)
    assert refused.status_code == 403
    assert save(grace, flow("u/ada/digest")).status_code == 403  # a user's space is their own
    assert grace.get(f"{FLOWS}/p/f/ops/digest").json()["access"] == "view"
    assert grace.post(f"{JOBS}/run/f/f/ops/digest", {"x": 1}).status_code == 201  # view is enough to run
    assert Flow.objects.filter(path="f/ops/other").count() == 0
    assert FlowVersion.objects.count() == 1


def test_an_outsider_sees_no_flow_and_cannot_run_one(outsider_api: Api, saved: dict[str, Any]) -> None:
    assert outsider_api.get(f"{FLOWS}/p/{PATH}").status_code == 404
    assert outsider_api.get(f"{FLOWS}/h/{saved['hash']}").status_code == 404
    assert outsider_api.post(f"{JOBS}/run/f/{PATH}", {"x": 1}).status_code == 404
    assert outsider_api.get(f"{JOBS}/run/f/{PATH}?x=1").status_code == 404
    assert not Job.objects.exists()


def test_another_developer_does_not_see_a_flow_in_a_users_space(grace: Api, saved: dict[str, Any]) -> None:
    assert grace.get(f"{FLOWS}/p/{PATH}").status_code == 404
    assert grace.get(f"{FLOWS}/h/{saved['hash']}").status_code == 404
    assert grace.get(f"{FLOWS}/export/p/{PATH}").status_code == 404
    assert grace.get(FLOWS).json() == []
    assert grace.post(f"{JOBS}/run/f/{PATH}", {"x": 1}).status_code == 404


def test_an_operator_may_run_a_flow_published_as_an_app_but_not_save_one(
    api: Api, owner: User, workspace: Workspace
) -> None:
    share_folder(workspace, owner, "ops", level="writer")
    assert save(api, flow("f/ops/digest")).status_code == 201
    otto = person(workspace, "otto@example.com", Role.OPERATOR)
    refused = save(otto, flow("f/ops/digest", summary="changed"))
    assert refused.status_code == 403 and "operator" in refused.json()["message"], refused.json()
    assert import_text(otto, "u/otto/mine", EXAMPLE).status_code == 403
    assert otto.post(f"{JOBS}/run/f/f/ops/digest", {"x": 1}).status_code == 403  # not an app
    assert api.put("/api/w/main/apps/p/f/ops/digest", {"published": True}).status_code == 200
    assert otto.post(f"{JOBS}/run/f/f/ops/digest", {"x": 1}).status_code == 201
    assert FlowVersion.objects.count() == 1


def test_an_anonymous_caller_is_asked_to_authenticate(anonymous_api: Api, saved: dict[str, Any]) -> None:
    assert anonymous_api.get(f"{FLOWS}/p/{PATH}").status_code == 401
    assert anonymous_api.post(FLOWS, flow(summary="x")).status_code == 401
    assert anonymous_api.post(f"{JOBS}/run/f/{PATH}", {"x": 1}).status_code == 401


# --- running -----------------------------------------------------------------------------------


def test_running_a_flow_queues_a_flow_job_with_its_version_and_args(api: Api, saved: dict[str, Any]) -> None:
    ran = api.post(f"{JOBS}/run/f/{PATH}", {"x": 3})
    assert ran.status_code == 201, ran.json()
    job = Job.objects.get(pk=ran.json()["id"])
    assert (job.kind, job.queue, job.status) == (JobKind.FLOW, "flow", JobStatus.QUEUED)
    assert job.flow_version is not None and job.flow_version.hash == saved["hash"]
    assert job.args == {"x": 3} and job.trigger == Trigger.WEBHOOK  # a token is a program calling
    assert job.script_path == PATH and job.flow_status == {"steps": {}}

    read = api.get(f"{JOBS}/{job.id}")
    assert read.status_code == 200
    out = read.json()
    assert out["kind"] == "flow"
    # Nothing started yet: each top-level step is shown waiting.
    steps = out["flow_status"]["steps"]
    assert steps and all(node["status"] == "waiting" for node in steps.values())
    assert list(steps) == [m["id"] for m in saved["value"]["modules"]]
    assert out["script_hash"] == saved["hash"] and out["script_path"] == PATH and out["tag"] == "flow"
    assert [j["id"] for j in api.get(f"{JOBS}?path={PATH}").json()["items"]] == [str(job.id)]


def test_a_run_without_a_required_input_is_a_400_naming_it(api: Api, saved: dict[str, Any]) -> None:
    missing = api.post(f"{JOBS}/run/f/{PATH}", {})
    assert missing.status_code == 400
    assert missing.json()["detail"]["field"] == "x" and "'x'" in missing.json()["message"]
    wrong = api.post(f"{JOBS}/run/f/{PATH}", {"x": "three"})
    assert wrong.status_code == 400 and wrong.json()["detail"]["field"] == "x"
    assert api.post(f"{JOBS}/run/f/{PATH}", raw="[1, 2]").status_code == 400
    assert not Job.objects.exists()


def test_a_get_run_takes_its_inputs_from_the_query_string(api: Api, saved: dict[str, Any]) -> None:
    ran = api.get(f"{JOBS}/run/f/{PATH}?x=7")
    assert ran.status_code == 201, ran.json()
    assert Job.objects.get(pk=ran.json()["id"]).args == {"x": 7}
    assert api.get(f"{JOBS}/run/f/{PATH}").status_code == 400
    assert api.post(f"{JOBS}/run/f/u/ada/missing", {"x": 1}).status_code == 404


def test_an_idempotency_key_replays_the_first_run(api: Api, saved: dict[str, Any]) -> None:
    first = api.post(f"{JOBS}/run/f/{PATH}", {"x": 1}, HTTP_IDEMPOTENCY_KEY="order-42")
    again = api.post(f"{JOBS}/run/f/{PATH}", {"x": 1}, HTTP_IDEMPOTENCY_KEY="order-42")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1
    assert AuditEvent.objects.filter(action="flow.run", object_id=first.json()["id"]).count() == 1
    other = api.post(f"{JOBS}/run/f/{PATH}", {"x": 2}, HTTP_IDEMPOTENCY_KEY="order-42")
    assert other.status_code == 409


def test_a_webhook_token_for_a_flow_runs_it_and_nothing_else(
    api: Api, client: Client, saved: dict[str, Any]
) -> None:
    made = api.post("/api/w/main/webhook_tokens", {"label": "hook", "path": PATH})
    assert made.status_code == 201, made.json()
    token = made.json()["token"]
    by_query = client.post(
        f"{JOBS}/run/f/{PATH}?token={token}", data={"x": 1}, content_type="application/json"
    )
    assert by_query.status_code == 201, by_query.json()
    job = Job.objects.get(pk=by_query.json()["id"])
    assert job.args == {"x": 1} and job.trigger == Trigger.WEBHOOK and job.kind == JobKind.FLOW
    by_get = client.get(f"{JOBS}/run/f/{PATH}?token={token}&x=2")
    assert by_get.status_code == 201 and Job.objects.get(pk=by_get.json()["id"]).args == {"x": 2}

    hook = Api(Client(), token)
    assert hook.post(f"{JOBS}/run/f/{PATH}", {"x": 3}).status_code == 201
    for url in (f"{FLOWS}/p/{PATH}", FLOWS, f"{JOBS}/{job.id}", f"{JOBS}/run/f/u/ada/other"):
        refused = hook.get(url)
        assert refused.status_code == 403 and PATH in refused.json()["message"], url
        assert client.get(f"{url}?token={token}").status_code == 403, url
    assert hook.post(FLOWS, flow(summary="hijack")).status_code == 403
    assert Job.objects.count() == 3


def test_a_script_and_a_flow_cannot_share_a_path(api: Api) -> None:
    script = api.post("/api/w/main/scripts", {"path": "u/ada/both", "language": "python3", "content": PY})
    assert script.status_code == 201
    refused = save(api, flow("u/ada/both"))
    assert refused.status_code == 409 and "a script lives at" in refused.json()["message"]
    assert import_text(api, "u/ada/both", EXAMPLE).status_code == 409
    assert not Flow.objects.exists()


def test_a_script_cannot_be_saved_where_a_flow_lives(api: Api, saved: dict[str, Any]) -> None:
    refused = api.post("/api/w/main/scripts", {"path": PATH, "language": "python3", "content": PY})
    assert refused.status_code == 409


# --- schedules -----------------------------------------------------------------------------------


def schedule(**changes: Any) -> dict[str, Any]:
    base = {
        "path": "u/ada/nightly",
        "script_path": PATH,
        "is_flow": True,
        "cron": "0 2 * * *",
        "args": {"x": 1},
    }
    return {**base, **changes}


def test_a_schedule_can_run_a_flow(api: Api, saved: dict[str, Any]) -> None:
    made = api.post("/api/w/main/schedules", schedule())
    assert made.status_code == 201, made.json()
    assert made.json()["is_flow"] is True and made.json()["script_path"] == PATH
    assert api.get("/api/w/main/schedules/p/u/ada/nightly").json()["is_flow"] is True
    assert Schedule.objects.get().is_flow


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"script_path": "u/ada/missing"}, "flow 'u/ada/missing' not found"),
        ({"is_flow": False}, f"script '{PATH}' not found"),  # a flow is no script
        ({"retry": {"constant": {"attempts": 2, "seconds": 1}}}, "retry"),
        ({"args": {}}, "'x'"),
    ],
)
def test_a_flow_schedule_with_bad_input_is_a_400(
    api: Api, saved: dict[str, Any], changes: dict[str, Any], words: str
) -> None:
    refused = api.post("/api/w/main/schedules", schedule(**changes))
    assert refused.status_code == 400, refused.json()
    assert words in refused.json()["message"], refused.json()
    assert not Schedule.objects.exists()


# --- approvals -----------------------------------------------------------------------------------

SUSPENDED = {
    "steps": {
        "approve": {
            "id": "approve",
            "type": "identity",
            "status": "suspended",
            "approvals": [],
            "required_events": 1,
            "resume_deadline": "2099-01-01T00:00:00+00:00",
        }
    }
}


@pytest.fixture
def waiting(api: Api) -> str:
    """A flow run whose `approve` step waits for one approval (set by hand: no worker runs here)."""
    approve = {
        "id": "approve",
        "value": {"type": "identity"},
        "suspend": {"required_events": 1, "timeout": 60},
    }
    made = save(api, flow(PATH, approve, step("after"), schema=None))
    assert made.status_code == 201, made.json()
    job_id = str(api.post(f"{JOBS}/run/f/{PATH}").json()["id"])
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, flow_status=copy.deepcopy(SUSPENDED))
    return job_id


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_resume_urls_need_a_step_that_waits(api: Api, saved: dict[str, Any]) -> None:
    job_id = api.post(f"{JOBS}/run/f/{PATH}", {"x": 1}).json()["id"]
    refused = api.get(f"{JOBS}/{job_id}/resume_urls")
    assert refused.status_code == 409 and "waits for an approval" in refused.json()["message"]
    assert api.get(f"{JOBS}/{job_id}/resume_urls?step=nope").status_code == 404


def test_a_signed_approval_url_shows_its_step_and_a_tampered_one_is_refused(
    api: Api, anonymous_api: Api, waiting: str
) -> None:
    urls = api.get(f"{JOBS}/{waiting}/resume_urls?approver=bob")
    assert urls.status_code == 200, urls.json()
    resume = local(urls.json()["resume"])
    assert resume.startswith(f"/api/w/main/jobs_u/resume/{waiting}/") and "step=approve" in resume
    assert local(urls.json()["cancel"]).startswith(f"/api/w/main/jobs_u/cancel/{waiting}/")

    info = anonymous_api.get(resume)
    assert info.status_code == 200, info.json()
    assert info.json() == {
        "job_id": waiting,
        "flow": PATH,
        "step": "approve",
        "status": "running",
        "step_status": "suspended",
        "approvals": 0,
        "required_events": 1,
        "resume_form": None,
    }
    path, query = resume.split("?")
    signature = path.rsplit("/", 1)[1]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for bad in (
        f"{path.rsplit('/', 1)[0]}/{flipped}?{query}",  # the signature
        resume.replace("approver=bob", "approver=eve"),  # someone else's URL
        resume.replace("step=approve", "step=after"),  # another step
    ):
        refused = anonymous_api.get(bad)
        assert refused.status_code == 403 and "invalid signature" in refused.json()["message"], bad
        assert anonymous_api.post(bad).status_code == 403
        assert anonymous_api.post(bad.replace("/resume/", "/cancel/")).status_code == 403
    job = Job.objects.get(pk=waiting)
    assert job.status == JobStatus.RUNNING and job.flow_status == SUSPENDED


def test_an_approval_through_its_url_moves_the_run_on_to_the_next_step(
    api: Api, anonymous_api: Api, waiting: str
) -> None:
    resume = local(api.get(f"{JOBS}/{waiting}/resume_urls?approver=bob").json()["resume"])
    approved = anonymous_api.post(resume, {"ok": True})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["approvals"] == 1 and approved.json()["step_status"] == "success"
    steps = (Job.objects.get(pk=waiting).flow_status or {})["steps"]
    assert steps["approve"]["status"] == "success" and steps["approve"]["resume"] == {"ok": True}
    assert [(a["approver"], a["payload"]) for a in steps["approve"]["approvals"]] == [("bob", {"ok": True})]
    # The next step is queued as the run's child job (no worker runs it here).
    child = Job.objects.get(pk=steps["after"]["job"])
    assert (child.kind, child.status, child.flow_step) == (JobKind.INLINE, JobStatus.QUEUED, "after")
    assert str(child.parent_id) == waiting and Job.objects.get(pk=waiting).status == JobStatus.RUNNING
    again = anonymous_api.post(resume)
    assert again.status_code == 409 and "not waiting for an approval" in again.json()["message"]


def test_a_rejection_through_its_url_cancels_the_run(api: Api, anonymous_api: Api, waiting: str) -> None:
    cancel = local(api.get(f"{JOBS}/{waiting}/resume_urls").json()["cancel"])
    rejected = anonymous_api.post(cancel)
    assert rejected.status_code == 200, rejected.json()
    assert Job.objects.get(pk=waiting).status == JobStatus.CANCELED
    assert not Job.objects.filter(parent__pk=waiting).exists()
