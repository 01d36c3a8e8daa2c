"""Script settings, workspace maximums, idempotent runs, re-runs and the filtered job list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.jobs.models import IdempotencyKey, Job, JobStatus, Worker
from kiln.scripts.models import Script
from tests.conftest import Api, share_folder

ECHO = "def main(name: str = 'x'):\n    return name\n"
SETTINGS = {
    "limits": {"timeout_s": 30, "memory_mb": 256},
    "network": "internet",
    "retry": {"constant": {"attempts": 2, "seconds": 1}},
    "tag": "reports",
    "priority": 70,
    "concurrency": {"limit": 2, "key": "customer-$args[name]"},
}


def save(api: Api, path: str = "u/ada/echo", settings: dict | None = None) -> dict:
    body = {"path": path, "language": "python3", "content": ECHO}
    if settings is not None:
        body["settings"] = settings
    response = api.post("/api/w/main/scripts", body)
    assert response.status_code in (200, 201), response.json()
    return response.json()


def run(api: Api, path: str = "u/ada/echo", args: dict | None = None, **headers: str) -> str:
    response = api.post(f"/api/w/main/jobs/run/p/{path}", args or {}, **headers)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.fixture
def operator_api(client: Client, workspace: Workspace) -> Api:
    user = User.objects.create_user(email="otto@example.com", password="x")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OPERATOR)
    return Api(client, token_create(user=user))


# --- script settings ---------------------------------------------------------------


def test_settings_saved_with_the_script_are_copied_onto_each_job(api: Api) -> None:
    saved = save(api, settings=SETTINGS)
    assert saved["settings"]["limits"] == {"timeout_s": 30, "memory_mb": 256}
    assert saved["settings"]["tag"] == "reports"
    job = api.get(f"/api/w/main/jobs/{run(api, args={'name': 'acme'})}").json()
    assert (job["tag"], job["priority"], job["network"], job["trigger"]) == (
        "reports",
        70,
        "internet",
        "webhook",
    )
    assert job["limits"]["timeout_s"] == 30 and job["limits"]["memory_mb"] == 256
    assert job["limits"]["cpu_s"] == 30  # follows the timeout when not set
    assert job["retry"] == {"constant": {"attempts": 2, "seconds": 1.0}}
    assert (job["concurrency_key"], job["concurrency_limit"]) == ("main:customer-acme", 2)
    # Changing the settings later never changes an accepted job.
    assert api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"priority": 5}).status_code == 200
    assert api.get(f"/api/w/main/jobs/{job['id']}").json()["priority"] == 70


def test_saving_without_settings_keeps_them_and_a_settings_change_makes_no_version(api: Api) -> None:
    first = save(api, settings={"priority": 9})
    again = save(api)  # same content, no settings: unchanged
    assert again["settings"] == first["settings"] == {"limits": {}, "priority": 9, "warm": False}
    updated = api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"network": "none"})
    assert updated.json() == {"limits": {}, "network": "none", "priority": 0, "warm": False}
    assert Script.objects.get(path="u/ada/echo").versions.count() == 1


def test_a_script_without_settings_gets_the_platform_defaults_and_the_workspace_network(
    api: Api, workspace: Workspace
) -> None:
    save(api)
    job = api.get(f"/api/w/main/jobs/{run(api)}").json()
    assert job["limits"]["timeout_s"] == settings.KILN_JOB_TIMEOUT
    assert job["limits"]["memory_mb"] == settings.KILN_JOB_MEMORY_MB
    assert (job["network"], job["tag"], job["priority"], job["retry"]) == ("none", "python3", 0, None)


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({"colour": "red"}, "settings", "Extra inputs are not permitted"),
        ({"network": "lan"}, "settings", "network"),
        ({"tag": "Bad Tag!"}, "settings.tag", "tag 'Bad Tag!'"),
        ({"priority": 101}, "settings", "priority"),
        ({"limits": {"memory_mb": 4}}, "settings.limits.memory_mb", "memory_mb must be at least 16"),
        ({"limits": {"timeout_s": 10**6}}, "settings.limits.timeout_s", "maximum of 86400"),
        ({"retry": {"constant": {"attempts": -1}}}, "settings", "attempts"),
        ({"retry": {"exponential": {"attempts": 2, "random_factor": 150}}}, "settings", "random_factor"),
        ({"concurrency": {"limit": 0}}, "settings", "limit"),
    ],
)
def test_bad_settings_are_400_and_store_nothing(api: Api, settings: dict, field: str, message: str) -> None:
    save(api, settings={"priority": 3})
    for response in (
        api.post(
            "/api/w/main/scripts",
            {"path": "u/ada/echo", "language": "python3", "content": ECHO + "#2\n", "settings": settings},
        ),
        api.put("/api/w/main/scripts/settings/p/u/ada/echo", settings),
    ):
        assert response.status_code == 400, response.json()
        body = response.json()
        assert message in body["message"] or message in str(body["detail"]), body
        if field != "settings":
            assert body["detail"]["field"] == field
    script = Script.objects.get(path="u/ada/echo")
    assert script.settings["priority"] == 3 and script.versions.count() == 1


def test_settings_of_a_missing_script_are_404_and_operators_may_not_change_them(
    api: Api, operator_api: Api
) -> None:
    assert api.put("/api/w/main/scripts/settings/p/u/ada/nothing", {}).status_code == 404
    save(api)
    response = operator_api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"priority": 1})
    assert response.status_code == 403 and "operator" in response.json()["message"]


# --- workspace settings ------------------------------------------------------------


def test_workspace_maximums_bound_script_limits_and_lowering_them_caps_jobs(api: Api) -> None:
    got = api.get("/api/w/main/settings").json()
    assert got["effective_max_limits"]["timeout_s"] == 86400
    assert got["default_limits"]["timeout_s"] == settings.KILN_JOB_TIMEOUT
    save(api, settings={"limits": {"timeout_s": 3600}})
    put = api.put("/api/w/main/settings", {"default_network": "internet", "max_limits": {"timeout_s": 600}})
    assert put.status_code == 200 and put.json()["effective_max_limits"]["timeout_s"] == 600
    # A new save above the maximum is refused ...
    response = api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"limits": {"timeout_s": 3600}})
    assert response.status_code == 400 and "maximum of 600" in response.json()["message"]
    # ... and a script saved before runs at the maximum, saying so in its log.
    job = api.get(f"/api/w/main/jobs/{run(api)}").json()
    assert job["limits"]["timeout_s"] == 600 and job["limits"]["cpu_s"] == 600
    assert "[kiln] timeout_s lowered from 3600 to the workspace maximum 600" in job["logs"]
    # A script that sets no network takes the workspace's default.
    assert job["network"] == "internet"


def test_only_admins_change_workspace_settings_and_bad_ones_are_400(
    api: Api, operator_api: Api, outsider_api: Api, workspace: Workspace
) -> None:
    assert operator_api.get("/api/w/main/settings").status_code == 200
    assert operator_api.put("/api/w/main/settings", {"default_network": "none"}).status_code == 403
    assert outsider_api.get("/api/w/main/settings").status_code == 404
    for bad in ({"default_network": "lan"}, {"max_limits": {"memory_mb": 0}}, {"other": 1}):
        assert api.put("/api/w/main/settings", bad).status_code == 400, bad
    workspace.refresh_from_db()
    assert workspace.settings == {"default_network": "none"}


# --- idempotency ---------------------------------------------------------------------


def test_the_same_idempotency_key_returns_the_same_job(api: Api) -> None:
    save(api)
    first = api.post("/api/w/main/jobs/run/p/u/ada/echo", {"name": "a"}, HTTP_IDEMPOTENCY_KEY="order-17")
    again = api.post("/api/w/main/jobs/run/p/u/ada/echo", {"name": "a"}, HTTP_IDEMPOTENCY_KEY="order-17")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    other = api.post("/api/w/main/jobs/run/p/u/ada/echo", {"name": "a"}, HTTP_IDEMPOTENCY_KEY="order-18")
    assert other.json()["id"] != first.json()["id"]
    assert Job.objects.count() == 2


def test_an_idempotency_key_reused_with_other_arguments_is_409_and_bad_keys_are_400(api: Api) -> None:
    save(api)
    run(api, args={"name": "a"}, HTTP_IDEMPOTENCY_KEY="k1")
    response = api.post("/api/w/main/jobs/run/p/u/ada/echo", {"name": "b"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409 and "Idempotency-Key" in response.json()["message"]
    too_long = api.post("/api/w/main/jobs/run/p/u/ada/echo", {}, HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert too_long.status_code == 400
    assert Job.objects.count() == 1


def test_an_idempotency_key_older_than_a_day_starts_a_new_job(api: Api) -> None:
    save(api)
    first = run(api, HTTP_IDEMPOTENCY_KEY="daily")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert run(api, HTTP_IDEMPOTENCY_KEY="daily") != first


# --- re-run --------------------------------------------------------------------------


def test_rerun_with_the_same_or_edited_arguments(api: Api) -> None:
    save(api)
    original = run(api, args={"name": "a"})
    same = api.post(f"/api/w/main/jobs/{original}/rerun")
    assert same.status_code == 201
    edited = api.post(f"/api/w/main/jobs/{original}/rerun", {"args": {"name": "b"}})
    jobs = {j.pk.hex: j for j in Job.objects.all()}
    first, second = (api.get(f"/api/w/main/jobs/{r.json()['id']}").json() for r in (same, edited))
    assert (first["args"], first["trigger"], first["rerun_of"]) == ({"name": "a"}, "rerun", original)
    assert second["args"] == {"name": "b"}
    assert len(jobs) == 3


def test_rerun_pins_the_version_unless_asked_for_the_latest(api: Api) -> None:
    old_hash = save(api)["hash"]
    original = run(api)
    api.post("/api/w/main/scripts", {"path": "u/ada/echo", "language": "python3", "content": ECHO + "#v2\n"})
    pinned = api.post(f"/api/w/main/jobs/{original}/rerun").json()["id"]
    latest = api.post(f"/api/w/main/jobs/{original}/rerun", {"latest": True}).json()["id"]
    assert api.get(f"/api/w/main/jobs/{pinned}").json()["script_hash"] == old_hash
    assert api.get(f"/api/w/main/jobs/{latest}").json()["script_hash"] != old_hash


def test_bad_reruns(api: Api, outsider_api: Api) -> None:
    save(api)
    original = run(api)
    response = api.post(f"/api/w/main/jobs/{original}/rerun", {"args": {"nope": 1}})
    assert response.status_code == 400 and "unknown argument 'nope'" in response.json()["message"]
    assert api.post("/api/w/main/jobs/00000000-0000-0000-0000-000000000000/rerun").status_code == 404
    assert outsider_api.post(f"/api/w/main/jobs/{original}/rerun").status_code == 404
    assert Job.objects.count() == 1


# --- listing ---------------------------------------------------------------------------


def test_the_job_list_filters_and_pages_without_gaps_or_repeats(api: Api) -> None:
    save(api)
    save(api, path="f/billing/invoice")
    ids = [run(api) for _ in range(7)] + [run(api, path="f/billing/invoice") for _ in range(3)]
    Job.objects.filter(pk__in=ids[:2]).update(status=JobStatus.SUCCESS, finished_at=timezone.now())
    Job.objects.filter(pk=ids[2]).update(status=JobStatus.FAILURE)

    seen: list[str] = []
    cursor = None
    while True:
        url = "/api/w/main/jobs?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(url).json()
        seen += [j["id"] for j in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))

    def listed(query: str) -> set[str]:
        response = api.get(f"/api/w/main/jobs?{query}")
        assert response.status_code == 200, response.json()
        return {j["id"] for j in response.json()["items"]}

    assert listed("status=success") == set(ids[:2])
    assert listed("status=success,failure") == set(ids[:3])
    assert listed("path=f/billing/invoice") == set(ids[7:])
    assert listed("path_prefix=f/billing/") == set(ids[7:])
    assert listed("trigger=webhook") == set(ids)
    assert listed("trigger=schedule") == set()
    assert listed("tag=python3") == set(ids)
    future = (timezone.now() + timedelta(hours=1)).isoformat().replace("+", "%2B")
    assert listed(f"created_before={future}") == set(ids)
    assert listed(f"created_after={future}") == set()


@pytest.mark.parametrize(
    "query", ["status=exploded", "trigger=cron", "cursor=not-a-cursor", "limit=0", "created_after=yesterday"]
)
def test_bad_list_queries_are_400(api: Api, query: str) -> None:
    response = api.get(f"/api/w/main/jobs?{query}")
    assert response.status_code == 400, response.json()
    assert response.json()["message"]


def test_a_queued_job_says_when_no_live_worker_serves_its_tag(api: Api) -> None:
    save(api, settings={"tag": "gpu"})
    job_id = run(api)
    job = api.get(f"/api/w/main/jobs/{job_id}").json()
    assert job["waiting_reason"] == "no live worker serves the tag 'gpu': the job waits until one does"
    assert api.get("/api/w/main/jobs").json()["items"][0]["waiting_reason"] == job["waiting_reason"]
    Worker.objects.create(id="h:1", hostname="h", tags=["gpu"])
    assert api.get(f"/api/w/main/jobs/{job_id}").json()["waiting_reason"] is None
    Worker.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=5))  # it went silent
    assert "no live worker" in api.get(f"/api/w/main/jobs/{job_id}").json()["waiting_reason"]


def test_operators_run_published_scripts_but_cannot_read_or_save_them(
    api: Api, operator_api: Api, workspace: Workspace, owner: User
) -> None:
    share_folder(workspace, owner, "ops", level="writer")  # a writer grant: operators still only run
    save(api, "f/ops/echo")
    response = operator_api.post(
        "/api/w/main/scripts", {"path": "u/otto/x", "language": "python3", "content": ECHO}
    )
    assert response.status_code == 403 and "needs admin or developer" in response.json()["message"]
    assert not Script.objects.filter(path="u/otto/x").exists()
    assert operator_api.post("/api/w/main/jobs/run/p/f/ops/echo", {}).status_code == 403  # not an app
    assert api.put("/api/w/main/apps/p/f/ops/echo", {"published": True}).status_code == 200
    assert operator_api.post("/api/w/main/jobs/run/p/f/ops/echo", {}).status_code == 201
    assert operator_api.get("/api/w/main/scripts/p/f/ops/echo").status_code == 403
    again = operator_api.post(
        "/api/w/main/scripts", {"path": "f/ops/echo", "language": "python3", "content": ""}
    )
    assert again.status_code == 403


def test_a_script_is_marked_warm_in_its_settings_and_a_bad_value_is_refused(api: Api) -> None:
    save(api)
    marked = api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"warm": True})
    assert marked.status_code == 200 and marked.json()["warm"] is True
    bad = api.put("/api/w/main/scripts/settings/p/u/ada/echo", {"warm": [1]})
    assert bad.status_code == 400, bad.json()
    assert "warm" in bad.json()["message"]
    assert api.get("/api/w/main/scripts/p/u/ada/echo").json()["settings"]["warm"] is True  # unchanged
