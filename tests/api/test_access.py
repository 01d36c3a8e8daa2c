"""Every object's access follows its path: user spaces, folders with grants to users and groups,
roles that cap what a grant gives, and jobs that run with their author's (or a group's) access."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from kiln.accounts.access import Access, path_access, principal_for_job
from kiln.accounts.models import Folder, FolderGrant, Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.asgi import application
from kiln.audit.models import AuditEvent
from kiln.jobs.models import Job
from tests.conftest import Api

SCRIPT = "def main(x: int = 1):\n    return x\n"


def save(who: Api, path: str, content: str = SCRIPT, **extra: Any) -> Any:
    return who.post("/api/w/main/scripts", {"path": path, "language": "python3", "content": content, **extra})


def person(workspace: Workspace, email: str, role: str) -> Api:
    user = User.objects.create_user(email=email, password="correct-horse")
    Membership.objects.create(user=user, workspace=workspace, role=role)
    return Api(Client(), token_create(user=user))


@pytest.fixture
def grace(member: User) -> Api:
    """A developer."""
    return Api(Client(), token_create(user=member))


@pytest.fixture
def linus(workspace: Workspace) -> Api:
    """Another developer."""
    return person(workspace, "linus@example.com", Role.DEVELOPER)


@pytest.fixture
def otto(workspace: Workspace) -> Api:
    """An operator."""
    return person(workspace, "otto@example.com", Role.OPERATOR)


def paths(listing: Any) -> list[str]:
    return sorted(s["path"] for s in listing.json())


# --- user spaces -------------------------------------------------------------------------


def test_a_users_space_is_theirs_and_the_admins(api: Api, grace: Api, linus: Api) -> None:
    assert save(grace, "u/grace/notes").status_code == 201
    assert linus.get("/api/w/main/scripts/p/u/grace/notes").status_code == 404
    assert linus.post("/api/w/main/jobs/run/p/u/grace/notes", {}).status_code == 404
    assert paths(linus.get("/api/w/main/scripts")) == []
    refused = save(linus, "u/grace/notes", SCRIPT + "\n")
    assert refused.status_code == 403 and "a user's space is their own" in refused.json()["message"]
    # The admin sees and may change everything.
    assert api.get("/api/w/main/scripts/p/u/grace/notes").json()["access"] == "owner"
    assert paths(api.get("/api/w/main/scripts")) == ["u/grace/notes"]
    assert grace.get("/api/w/main/scripts/p/u/grace/notes").json()["access"] == "owner"


def test_a_pinned_hash_is_hidden_like_its_path(grace: Api, linus: Api) -> None:
    digest = save(grace, "u/grace/notes").json()["hash"]
    assert linus.get(f"/api/w/main/scripts/h/{digest}").status_code == 404
    assert linus.post(f"/api/w/main/jobs/run/h/{digest}", {}).status_code == 404
    assert grace.post(f"/api/w/main/jobs/run/h/{digest}", {}).status_code == 201


# --- folders and grants ------------------------------------------------------------------


def test_a_first_save_into_a_new_folder_makes_the_saver_its_owner(grace: Api, linus: Api) -> None:
    assert save(grace, "f/billing/invoice").status_code == 201
    folder = grace.get("/api/w/main/folders/billing").json()
    assert folder["access"] == "owner" and folder["grants"] == [
        {"user": "grace@example.com", "level": "owner"}
    ]
    # Nobody else was granted anything: the folder and what is in it do not exist for linus.
    assert linus.get("/api/w/main/folders/billing").status_code == 404
    assert linus.get("/api/w/main/scripts/p/f/billing/invoice").status_code == 404
    assert save(linus, "f/billing/other").status_code == 403


def test_grants_to_users_and_groups_open_a_folder_level_by_level(
    api: Api, grace: Api, linus: Api, otto: Api
) -> None:
    save(grace, "f/billing/invoice")
    assert (
        api.post("/api/w/main/groups", {"name": "finance", "members": ["linus@example.com"]}).status_code
        == 201
    )
    url = "/api/w/main/folders/billing/grants"
    owner_grant = {"user": "grace@example.com", "level": "owner"}

    assert (
        grace.put(url, {"grants": [owner_grant, {"group": "finance", "level": "viewer"}]}).status_code == 200
    )
    assert linus.get("/api/w/main/scripts/p/f/billing/invoice").json()["access"] == "view"
    assert linus.post("/api/w/main/jobs/run/p/f/billing/invoice", {}).status_code == 201
    refused = save(linus, "f/billing/invoice", SCRIPT + "\n")
    assert refused.status_code == 403 and "writer access" in refused.json()["message"]
    assert linus.put(url, {"grants": []}).status_code == 403  # only owners change grants
    assert grace.put("/api/w/main/apps/p/f/billing/invoice", {"published": True}).status_code == 200
    assert otto.get("/api/w/main/apps/p/f/billing/invoice").status_code == 404  # not in finance

    assert (
        grace.put(url, {"grants": [owner_grant, {"group": "finance", "level": "writer"}]}).status_code == 200
    )
    assert save(linus, "f/billing/invoice", SCRIPT + "\n").status_code == 201

    # `all` is every member; an operator's role caps any grant at view-and-run (of apps).
    assert grace.put(url, {"grants": [owner_grant, {"group": "all", "level": "owner"}]}).status_code == 200
    assert otto.get("/api/w/main/apps/p/f/billing/invoice").status_code == 200
    assert otto.post("/api/w/main/jobs/run/p/f/billing/invoice", {}).status_code == 201
    assert save(otto, "f/billing/invoice", SCRIPT + "\n\n").status_code == 403
    assert otto.put(url, {"grants": []}).status_code == 403
    assert AuditEvent.objects.filter(action="folder.grants", object_id="billing").count() == 3


def test_the_script_and_job_lists_show_only_what_the_caller_may_see(
    api: Api, grace: Api, linus: Api, workspace: Workspace
) -> None:
    save(grace, "u/grace/mine")
    save(grace, "f/shared/tool")
    grace.put("/api/w/main/folders/shared/grants", {"grants": [{"group": "all", "level": "viewer"}]})
    save(api, "u/ada/admin-only")
    for path in ("u/grace/mine", "f/shared/tool", "u/ada/admin-only"):
        assert api.post(f"/api/w/main/jobs/run/p/{path}", {}).status_code == 201
    assert paths(linus.get("/api/w/main/scripts")) == ["f/shared/tool"]
    assert paths(grace.get("/api/w/main/scripts")) == ["f/shared/tool", "u/grace/mine"]
    assert len(api.get("/api/w/main/scripts").json()) == 3
    seen = sorted(j["script_path"] for j in linus.get("/api/w/main/jobs").json()["items"])
    assert seen == ["f/shared/tool"]
    hidden = Job.objects.get(script_path="u/ada/admin-only")
    for url in (f"/api/w/main/jobs/{hidden.id}", f"/api/w/main/jobs/{hidden.id}/logs"):
        assert linus.get(url).status_code == 404
    assert linus.post(f"/api/w/main/jobs/{hidden.id}/cancel").status_code == 404
    assert linus.post(f"/api/w/main/jobs/{hidden.id}/rerun", {}).status_code == 404


def test_whoever_started_a_job_still_sees_it_after_losing_the_folder(grace: Api, linus: Api) -> None:
    save(grace, "f/shared/tool")
    grants = {
        "grants": [{"user": "grace@example.com", "level": "owner"}, {"group": "all", "level": "viewer"}]
    }
    grace.put("/api/w/main/folders/shared/grants", grants)
    job_id = linus.post("/api/w/main/jobs/run/p/f/shared/tool", {}).json()["id"]
    grace.put(
        "/api/w/main/folders/shared/grants", {"grants": [{"user": "grace@example.com", "level": "owner"}]}
    )
    assert linus.get(f"/api/w/main/jobs/{job_id}").status_code == 200
    assert [j["id"] for j in linus.get("/api/w/main/jobs").json()["items"]] == [job_id]
    assert linus.post(f"/api/w/main/jobs/{job_id}/rerun", {}).status_code == 404  # running needs the path


def test_the_log_websocket_follows_the_path_too(grace: Api, linus: Api) -> None:
    save(grace, "u/grace/mine")
    job_id = grace.post("/api/w/main/jobs/run/p/u/grace/mine", {}).json()["id"]
    token = linus.headers["HTTP_AUTHORIZATION"].split()[1]

    async def code() -> int:
        comm = WebsocketCommunicator(application, f"/ws/w/main/jobs/{job_id}/logs?token={token}")
        connected, _ = await comm.connect()
        assert connected
        message = await comm.receive_output(5)
        return int(message["code"])

    assert async_to_sync(code)() == 4404


def test_grant_inputs_are_checked_and_nothing_changes_on_a_bad_one(
    api: Api, grace: Api, outsider: User
) -> None:
    save(grace, "f/billing/invoice")
    url = "/api/w/main/folders/billing/grants"
    bad = [
        ([{"user": "grace@example.com", "group": "all", "level": "viewer"}], "not both"),
        ([{"level": "viewer"}], "a user or a group"),
        ([{"group": "nope", "level": "viewer"}], "group 'nope' not found"),
        ([{"user": outsider.email, "level": "viewer"}], "is not a member"),
        ([{"group": "all", "level": "viewer"}, {"group": "all", "level": "owner"}], "appears twice"),
    ]
    for grants, message in bad:
        response = grace.put(url, {"grants": grants})
        assert response.status_code == 400 and message in response.json()["message"], (
            grants,
            response.json(),
        )
    assert grace.put(url, {"grants": [{"group": "all", "level": "admin"}]}).status_code == 400
    assert list(FolderGrant.objects.values_list("level", flat=True)) == ["owner"]


def test_folders_are_created_by_developers_and_deleted_only_when_empty(
    api: Api, grace: Api, otto: Api
) -> None:
    made = grace.post("/api/w/main/folders", {"name": "reports", "summary": "Monthly"})
    assert made.status_code == 201 and made.json()["access"] == "owner"
    assert grace.post("/api/w/main/folders", {"name": "reports"}).status_code == 409
    assert grace.post("/api/w/main/folders", {"name": "Bad Name"}).status_code == 400
    assert otto.post("/api/w/main/folders", {"name": "ops"}).status_code == 403
    save(grace, "f/reports/monthly")
    assert grace.client.delete("/api/w/main/folders/reports", **grace.headers).status_code == 409
    assert grace.post("/api/w/main/folders", {"name": "empty"}).status_code == 201
    assert grace.client.delete("/api/w/main/folders/empty", **grace.headers).status_code == 204
    assert not Folder.objects.filter(name="empty").exists()
    assert [f["name"] for f in api.get("/api/w/main/folders").json()] == ["reports"]


def test_a_folder_that_still_holds_flows_schedules_variables_or_resources_is_not_deleted(
    api: Api, member: User, workspace: Workspace
) -> None:
    """Deleting it would drop its grants, and whoever made the folder again would own what was
    left in it (a secret, say)."""
    from kiln.flows.services import flow_delete, flow_save
    from kiln.schedules.models import Schedule
    from kiln.vault.models import Resource, Variable

    assert api.post("/api/w/main/folders", {"name": "vault"}).status_code == 201
    own = {"workspace": workspace, "created_by": member, "updated_by": member}
    variable = Variable.objects.create(path="f/vault/token", value="x", **own)
    resource = Resource.objects.create(path="f/vault/db", resource_type="object", value={}, **own)
    flow = flow_save(
        workspace=workspace, user=member, path="f/vault/etl", doc={"value": {"modules": []}}
    ).version.flow
    schedule = Schedule.objects.create(
        workspace=workspace, path="f/vault/nightly", script_path="u/ada/x", cron="0 0 * * *", edited_by=member
    )
    Variable.objects.create(path="f/vaults/other", value="y", **own)  # another folder whose name starts alike

    refused = api.client.delete("/api/w/main/folders/vault", **api.headers)
    assert refused.status_code == 409
    assert refused.json()["message"] == (
        "folder 'vault' is not empty: it holds 1 flow, 1 schedule, 1 variable, 1 resource; "
        "move or delete them first"
    )
    assert refused.json()["detail"]["holds"] == {"flows": 1, "schedules": 1, "variables": 1, "resources": 1}
    assert Folder.objects.filter(name="vault").exists() and FolderGrant.objects.filter(folder__name="vault")

    for gone in (variable, resource, schedule):
        gone.delete()
    assert api.client.delete("/api/w/main/folders/vault", **api.headers).status_code == 409  # the flow
    flow_delete(flow=flow)  # a deleted flow's versions stay for its runs; it no longer counts
    assert api.client.delete("/api/w/main/folders/vault", **api.headers).status_code == 204
    assert not Folder.objects.filter(name="vault").exists()


# --- groups, members, users, workspaces --------------------------------------------------


def test_groups_are_managed_by_admins_and_all_is_built_in(api: Api, grace: Api, outsider: User) -> None:
    assert grace.post("/api/w/main/groups", {"name": "ops"}).status_code == 403
    assert api.post("/api/w/main/groups", {"name": "all"}).status_code == 409
    assert api.post("/api/w/main/groups", {"name": "ops", "members": [outsider.email]}).status_code == 400
    assert (
        api.post("/api/w/main/groups", {"name": "ops", "members": ["grace@example.com"]}).status_code == 201
    )
    assert api.post("/api/w/main/groups", {"name": "ops"}).status_code == 409
    listed = {g["name"]: g for g in grace.get("/api/w/main/groups").json()}
    assert listed["all"]["builtin"] and listed["all"]["members"] == ["ada@example.com", "grace@example.com"]
    assert listed["ops"]["members"] == ["grace@example.com"]
    assert api.put("/api/w/main/groups/ops/members", {"members": []}).json()["members"] == []
    assert api.put("/api/w/main/groups/all/members", {"members": []}).status_code == 403
    assert api.client.delete("/api/w/main/groups/ops", **api.headers).status_code == 204
    assert api.client.delete("/api/w/main/groups/ops", **api.headers).status_code == 404


def test_members_are_added_changed_and_removed_by_admins_and_one_admin_stays(
    api: Api, grace: Api, outsider: User
) -> None:
    url = "/api/w/main/members"
    assert grace.post(url, {"email": outsider.email, "role": "operator"}).status_code == 403
    assert api.post(url, {"email": "nobody@example.com"}).status_code == 404
    added = api.post(url, {"email": outsider.email, "role": "operator"})
    assert added.status_code == 201 and added.json()["role"] == "operator"
    assert api.post(url, {"email": outsider.email}).status_code == 409
    assert api.put(f"{url}/{outsider.email}", {"role": "superhero"}).status_code == 400
    assert api.put(f"{url}/{outsider.email}", {"role": "developer"}).json()["role"] == "developer"
    # The only admin cannot step down or leave.
    assert api.put(f"{url}/ada@example.com", {"role": "developer"}).status_code == 409
    assert api.client.delete(f"{url}/ada@example.com", **api.headers).status_code == 409
    assert api.client.delete(f"{url}/{outsider.email}", **api.headers).status_code == 204
    assert sorted(m["email"] for m in grace.get(url).json()) == ["ada@example.com", "grace@example.com"]


def test_superusers_create_users_and_workspaces(client: Client, api: Api, owner: User) -> None:
    assert api.post("/api/users", {"email": "new@example.com"}).status_code == 403  # ada is no superuser
    root = User.objects.create_superuser(email="root@example.com", password="correct-horse")
    su = Api(client, token_create(user=root))
    made = su.post("/api/users", {"email": "New@Example.com", "name": "New"})
    assert made.status_code == 201 and made.json()["email"] == "new@example.com" and made.json()["password"]
    assert su.post("/api/users", {"email": "new@example.com"}).status_code == 409
    assert su.post("/api/users", {"email": "not-an-email"}).status_code == 400
    assert su.post("/api/users", {"email": "weak@example.com", "password": "123"}).status_code == 400
    assert su.post("/api/workspaces", {"id": "Bad_Id"}).status_code == 400
    ws = su.post("/api/workspaces", {"id": "acme", "name": "Acme"})
    assert ws.status_code == 201 and ws.json()["role"] == "admin"
    assert su.post("/api/workspaces", {"id": "acme"}).status_code == 409
    assert [w["id"] for w in su.get("/api/workspaces").json()] == ["acme"]


# --- whose access a job has --------------------------------------------------------------


def test_a_job_runs_with_its_authors_access_not_the_callers(
    api: Api, grace: Api, workspace: Workspace
) -> None:
    save(grace, "f/tools/report")
    grace.put(
        "/api/w/main/folders/tools/grants",
        {"grants": [{"user": "grace@example.com", "level": "owner"}, {"group": "all", "level": "viewer"}]},
    )
    save(api, "u/ada/payroll")
    job = Job.objects.get(pk=api.post("/api/w/main/jobs/run/p/f/tools/report", {}).json()["id"])
    assert job.run_as == "u/grace" and job.created_by.email == "ada@example.com"
    principal = principal_for_job(workspace_id="main", run_as=job.run_as, run_as_user_id=job.run_as_user_id)
    assert path_access(principal, "f/tools/report") == Access.OWNER
    assert path_access(principal, "u/ada/payroll") == Access.NONE  # the admin who clicked run is not lent
    assert api.get(f"/api/w/main/jobs/{job.id}").status_code == 200


def test_a_script_may_run_as_a_group_that_only_its_members_choose(
    api: Api, grace: Api, linus: Api, workspace: Workspace
) -> None:
    api.post("/api/w/main/groups", {"name": "ops", "members": ["grace@example.com"]})
    save(grace, "f/tools/deploy")
    everyone = {
        "grants": [{"user": "grace@example.com", "level": "owner"}, {"group": "all", "level": "writer"}]
    }
    grace.put("/api/w/main/folders/tools/grants", everyone)
    refused = linus.put("/api/w/main/scripts/settings/p/f/tools/deploy", {"run_as": "g/ops"})
    assert refused.status_code == 403 and "g/ops" in refused.json()["message"]
    assert grace.put("/api/w/main/scripts/settings/p/f/tools/deploy", {"run_as": "g/nope"}).status_code == 400
    assert grace.put("/api/w/main/scripts/settings/p/f/tools/deploy", {"run_as": "ops"}).status_code == 400
    assert grace.put("/api/w/main/scripts/settings/p/f/tools/deploy", {"run_as": "g/ops"}).status_code == 200
    job = Job.objects.get(pk=linus.post("/api/w/main/jobs/run/p/f/tools/deploy", {}).json()["id"])
    assert (job.run_as, job.run_as_user_id) == ("g/ops", None)
    # A writer outside the group may not change the code it runs with the group's access.
    changed = save(linus, "f/tools/deploy", SCRIPT + "# borrowed rights\n")
    assert changed.status_code == 403 and "only that group's members" in changed.json()["message"]
    # A group that is gone makes the script refuse to run until it is changed, with the reason.
    api.client.delete("/api/w/main/groups/ops", **api.headers)
    gone = linus.post("/api/w/main/jobs/run/p/f/tools/deploy", {})
    assert gone.status_code == 409 and "no longer exists" in gone.json()["message"]


def test_a_webhook_token_is_only_made_for_a_path_its_creator_may_run(grace: Api, linus: Api) -> None:
    save(grace, "u/grace/mine")
    made = linus.post("/api/w/main/webhook_tokens", {"label": "x", "path": "u/grace/mine"})
    assert made.status_code == 404
    assert grace.post("/api/w/main/webhook_tokens", {"label": "x", "path": "u/grace/mine"}).status_code == 201
    assert linus.get("/api/w/main/webhook_tokens").json() == []


def test_two_emails_with_one_local_part_get_spaces_of_their_own(workspace: Workspace, owner: User) -> None:
    twin = User.objects.create_user(email="ada@elsewhere.example", password="correct-horse")
    third = User.objects.create_user(email="Ada@third.example", password="correct-horse")
    assert (owner.username, twin.username, third.username) == ("ada", "ada2", "ada3")
    Membership.objects.create(user=twin, workspace=workspace, role=Role.DEVELOPER)
    twin_api = Api(Client(), token_create(user=twin))
    assert save(Api(Client(), token_create(user=owner)), "u/ada/private").status_code == 201
    assert twin_api.get("/api/w/main/scripts/p/u/ada/private").status_code == 404
    assert save(twin_api, "u/ada2/mine").status_code == 201


def test_a_failed_first_save_into_a_new_folder_leaves_no_folder(grace: Api) -> None:
    refused = save(grace, "f/newfolder/broken", "def main(:\n")
    assert refused.status_code == 400
    assert not Folder.objects.filter(name="newfolder").exists()
    assert grace.get("/api/w/main/folders/newfolder").status_code == 404


def test_a_members_email_may_come_percent_encoded_in_the_url(api: Api, member: User) -> None:
    changed = api.put("/api/w/main/members/grace%40example.com", {"role": "operator"})
    assert changed.status_code == 200 and changed.json()["role"] == "operator"
