"""The tenant boundary: nothing of workspace B is reachable from workspace A's people.

Two workspaces: A (`main`, with the conftest owner as admin and member as developer) and B
(`beta-corp`, with its own admin). Every operation of the OpenAPI document whose path has a
parameter is called with B's ids, paths and hashes, by A's admin, A's member and an outsider:
the answer is 403 or 404 in the `{message, detail}` shape, and carries nothing of B beyond what
the URL itself said. Routes under `{workspace}` are also called through A's workspace with B's
ids. A route this table does not know fails `test_the_table_knows_every_route_with_a_parameter`,
so the suite stays complete as the API grows. The log websocket gets the same two calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from kiln.accounts.models import ApiToken, Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.api import api
from kiln.asgi import application
from kiln.jobs.models import Job
from tests.conftest import Api

B_ID = "beta-corp"
B_PATH = "u/bea/quarterly-secret"
B_NAME = "bravo-team"  # a group and a folder of B
B_MARKER = "b-only-marker-7f3a"  # in B's script, so any leak of its content shows
B_SCRIPT = f"def main(name: str = '{B_MARKER}'):\n    return name\n"
OTHER_SCRIPT = "def main():\n  pass\n"
B_FLOW = "u/bea/quarterly-flow"
B_FLOW_VALUE = {
    "modules": [
        {"id": "approve", "value": {"type": "identity"}, "suspend": {"required_events": 1}},
        {"id": "report", "value": {"type": "identity"}},
    ]
}

# operationId -> the JSON body to send (None: no body). A valid body, so a 400 cannot hide the check.
BODIES: dict[str, Any] = {
    "kiln_accounts_api_workspace_settings_get": None,
    "kiln_accounts_api_workspace_settings_put": {"default_network": "none"},
    "kiln_accounts_api_token_delete": None,
    "kiln_accounts_api_webhook_token_list": None,
    "kiln_accounts_api_webhook_token_create": {"label": "stolen", "path": B_PATH},
    "kiln_accounts_api_webhook_token_delete": None,
    "kiln_scripts_api_script_create": {
        "path": B_PATH,
        "language": "python3",
        "content": "def main():\n  pass\n",
    },
    "kiln_scripts_api_script_list": None,
    "kiln_scripts_api_script_infer_schema": {"language": "python3", "content": OTHER_SCRIPT},
    "kiln_scripts_api_script_by_path": None,
    "kiln_scripts_api_script_by_hash": None,
    "kiln_scripts_api_script_versions": None,
    "kiln_scripts_app_api_app_list": None,
    "kiln_scripts_app_api_app_get": None,
    "kiln_scripts_app_api_app_publish": {"published": False},
    "kiln_scripts_api_script_settings_put": {"priority": 1},
    "kiln_scripts_api_script_delete": None,
    "kiln_jobs_api_run_preview": {"language": "python3", "content": OTHER_SCRIPT, "args": {}},
    "kiln_jobs_api_run_by_path": {},
    "kiln_jobs_api_run_by_path_get": None,
    "kiln_jobs_api_run_by_hash": {},
    "kiln_jobs_api_run_by_hash_get": None,
    "kiln_jobs_api_run_wait_by_path_get": None,
    "kiln_jobs_api_run_wait_by_path": {},
    "kiln_jobs_api_run_wait_by_hash_get": None,
    "kiln_jobs_api_run_wait_by_hash": {},
    "kiln_jobs_api_job_cancel": None,
    "kiln_jobs_api_job_rerun": {},
    "kiln_jobs_api_job_list": None,
    "kiln_jobs_api_job_get": None,
    "kiln_jobs_api_job_logs_since": None,
    "kiln_flows_run_api_run_flow": {},
    "kiln_flows_run_api_run_flow_get": None,
    "kiln_flows_run_api_run_wait_flow": {},
    "kiln_flows_run_api_run_wait_flow_get": None,
    "kiln_flows_run_api_flow_restart": {"step": "approve"},
    "kiln_flows_run_api_resume_urls": None,
    "kiln_flows_run_api_approval_get": None,
    "kiln_flows_run_api_approval_resume": {},
    "kiln_flows_run_api_approval_cancel": None,
    "kiln_flows_api_flow_create": {"path": B_FLOW, "value": {"modules": []}},
    "kiln_flows_api_flow_delete": None,
    "kiln_flows_api_flow_list": None,
    "kiln_flows_api_flow_import": {"path": B_FLOW, "content": "value:\n  modules: []\n"},
    "kiln_flows_api_flow_by_path": None,
    "kiln_flows_api_flow_by_hash": None,
    "kiln_flows_api_flow_versions": None,
    "kiln_flows_api_flow_export": None,
    "kiln_audit_api_audit_list": None,
    "kiln_accounts_api_user_password_reset": {"new_password": "stolen-horse-battery-9"},
    "kiln_accounts_access_api_member_list": None,
    "kiln_accounts_access_api_member_add": {"email": "mallory@example.com", "role": "admin"},
    "kiln_accounts_access_api_member_role_set": {"role": "admin"},
    "kiln_accounts_access_api_member_remove": None,
    "kiln_accounts_access_api_group_list": None,
    "kiln_accounts_access_api_group_create": {"name": "stolen", "members": []},
    "kiln_accounts_access_api_group_members_set": {"members": []},
    "kiln_accounts_access_api_group_delete": None,
    "kiln_accounts_access_api_folder_list": None,
    "kiln_accounts_access_api_folder_create": {"name": "stolen"},
    "kiln_accounts_access_api_folder_get": None,
    "kiln_accounts_access_api_folder_grants_set": {"grants": [{"group": "all", "level": "owner"}]},
    "kiln_accounts_access_api_folder_delete": None,
    "kiln_scripts_api_script_webhook_get": None,
    "kiln_scripts_api_script_webhook_put": {"raw_request": False, "signature": None},
    "kiln_schedules_api_schedule_preview": None,
    "kiln_schedules_api_schedule_list": None,
    "kiln_schedules_api_schedule_create": {"path": "u/bea/stolen", "script_path": B_PATH, "cron": "@hourly"},
    "kiln_schedules_api_schedule_get": None,
    "kiln_schedules_api_schedule_update": {"path": B_PATH, "script_path": B_PATH, "cron": "@daily"},
    "kiln_schedules_api_schedule_delete": None,
    "kiln_schedules_api_schedule_enable": {"enabled": False},
    "kiln_schedules_api_schedule_runs": None,
    "kiln_schedules_api_schedule_events": None,
    "kiln_vault_api_variable_list": None,
    "kiln_vault_api_variable_create": {"path": "u/bea/stolen", "value": "x"},
    "kiln_batch_batch": {
        "operations": [
            {"method": "POST", "path": "/variables", "body": {"path": "u/bea/stolen", "value": "x"}}
        ]
    },
    "kiln_vault_api_variable_get": None,
    "kiln_vault_api_variable_value": None,
    "kiln_vault_api_variable_update": {"description": "stolen"},
    "kiln_vault_api_variable_delete": None,
    "kiln_vault_api_resource_type_list": None,
    "kiln_vault_api_resource_type_create": {"name": "stolen", "schema": {"type": "object"}},
    "kiln_vault_api_resource_type_update": {"schema": {"type": "object"}},
    "kiln_vault_api_resource_type_delete": None,
    "kiln_vault_api_resource_list": None,
    "kiln_vault_api_resource_create": {
        "path": "u/bea/stolen_db",
        "resource_type": "http",
        "value": {"base_url": "https://x.test"},
    },
    "kiln_vault_api_resource_get": None,
    "kiln_vault_api_resource_value": None,
    "kiln_vault_api_resource_update": {"description": "stolen"},
    "kiln_vault_api_resource_delete": None,
    "kiln_vault_sdk_api_sdk_progress": {"percent": 5},
    "kiln_vault_sdk_api_sdk_state_get": None,
    "kiln_vault_sdk_api_sdk_state_set": {"value": "stolen"},
    "kiln_vault_sdk_api_sdk_wait": None,
    "kiln_vault_sdk_api_sdk_resume_urls": None,
}
# Routes only a running job's own token may call: the control below uses one of B's jobs'.
JOB_TOKEN_ROUTES = {
    "kiln_vault_sdk_api_sdk_progress",
    "kiln_vault_sdk_api_sdk_state_get",
    "kiln_vault_sdk_api_sdk_state_set",
    "kiln_vault_sdk_api_sdk_resume_urls",
}
# What B's own control gets where success is not possible here: B's job is no flow step; B's
# script is run by B's schedule.
CONTROL_STATUS = {"kiln_vault_sdk_api_sdk_resume_urls": 409, "kiln_scripts_api_script_delete": 409}
# Routes whose {name} is a resource type (B's own) rather than B's group and folder.
TYPE_ROUTES = {"kiln_vault_api_resource_type_update", "kiln_vault_api_resource_type_delete"}
B_TYPE = "bravo_type"
B_SECRET = "b-secret-value-51c9"
# operationId -> a query string the route needs to be a valid request.
QUERIES: dict[str, str] = {
    "kiln_schedules_api_schedule_preview": "?cron=@hourly&tz=UTC",
    "kiln_flows_run_api_approval_get": "?step=approve",
    "kiln_flows_run_api_approval_resume": "?step=approve",
    "kiln_flows_run_api_approval_cancel": "?step=approve",
}
# Routes about a flow: their {path}, {hash} and {job_id} are B's flow, its version and its run
# (a run waiting at its `approve` step).
FLOW_ROUTES = {
    "kiln_flows_run_api_run_flow",
    "kiln_flows_run_api_run_flow_get",
    "kiln_flows_run_api_run_wait_flow",
    "kiln_flows_run_api_run_wait_flow_get",
    "kiln_flows_run_api_flow_restart",
    "kiln_flows_run_api_resume_urls",
    "kiln_flows_run_api_approval_get",
    "kiln_flows_run_api_approval_resume",
    "kiln_flows_run_api_approval_cancel",
    "kiln_flows_api_flow_by_path",
    "kiln_flows_api_flow_by_hash",
    "kiln_flows_api_flow_versions",
    "kiln_flows_api_flow_export",
    "kiln_flows_api_flow_delete",
}
# Routes only a superuser may call: B's own (non-superuser) admin is refused too, so the
# control below asks a superuser instead.
SUPERUSER_ROUTES = {"kiln_accounts_api_user_password_reset"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    operation_id: str
    params: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def routes_with_parameters() -> list[Route]:
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            if params:
                found.append(Route(method.upper(), path, operation["operationId"], params))
    return found


ROUTES = routes_with_parameters()


@dataclass
class TenantB:
    """B's objects, all made through the API by B's admin."""

    workspace: str
    path: str
    hash: str
    job_id: str
    webhook_token_id: int
    personal_token_id: int
    admin: Api  # B's admin: the same calls succeed for them, so the URLs are right
    secrets: dict[str, str]  # what must never show up in an answer to A's people
    flow: dict[str, str]  # B's flow: path, hash and job_id (a run waiting for an approval)

    def fill(self, param: str, route: str = "") -> str:
        if route in FLOW_ROUTES and param in self.flow:
            return self.flow[param]
        if route in TYPE_ROUTES and param == "name":
            return B_TYPE
        return str(FILL[param](self))


# Path parameter -> how to fill it with B's object. A new parameter name needs a line here.
FILL: dict[str, Any] = {
    "workspace": lambda b: b.workspace,
    "path": lambda b: b.path,
    "hash": lambda b: b.hash,
    "job_id": lambda b: b.job_id,
    "token_id": lambda b: b.personal_token_id,
    "email": lambda b: b.secrets["member email"],
    "name": lambda b: B_NAME,  # B's group and B's folder share the name
    # A signed approval URL of B's flow run (FLOW_ROUTES): its resume id and signature.
    "resume_id": lambda b: b.flow["resume_id"],
    "signature": lambda b: b.flow["signature"],
}
# Routes whose {token_id} is a webhook token (the workspace's) rather than a personal one.
WEBHOOK_TOKEN_ROUTES = {"kiln_accounts_api_webhook_token_delete"}


def make_tenant_b(client: Client) -> TenantB:
    workspace = Workspace.objects.create(id=B_ID, name="Beta Corp", settings={"default_network": "none"})
    bea = User.objects.create_user(email="bea@beta.example", password="correct-horse")
    Membership.objects.create(user=bea, workspace=workspace, role=Role.ADMIN)
    bob = User.objects.create_user(email="bob@beta.example", password="correct-horse")
    b = Api(client, token_create(user=bea))
    assert b.post(f"/api/w/{B_ID}/members", {"email": bob.email, "role": "developer"}).status_code == 201
    assert b.post(f"/api/w/{B_ID}/groups", {"name": B_NAME, "members": [bob.email]}).status_code == 201
    assert b.post(f"/api/w/{B_ID}/folders", {"name": B_NAME}).status_code == 201
    saved = b.post(f"/api/w/{B_ID}/scripts", {"path": B_PATH, "language": "python3", "content": B_SCRIPT})
    assert saved.status_code in (200, 201), saved.content
    assert b.put(f"/api/w/{B_ID}/apps/p/{B_PATH}", {"published": True}).status_code == 200
    sched = b.post(f"/api/w/{B_ID}/schedules", {"path": B_PATH, "script_path": B_PATH, "cron": "@hourly"})
    assert sched.status_code == 201, sched.content
    job = b.post(f"/api/w/{B_ID}/jobs/run/p/{B_PATH}", {"name": "q3"})
    assert job.status_code == 201, job.content
    hook = b.post(f"/api/w/{B_ID}/webhook_tokens", {"label": "b hook", "path": B_PATH})
    assert hook.status_code == 201, hook.content
    personal = b.post("/api/tokens", {"label": "b laptop"})
    assert personal.status_code == 201, personal.content
    flow = make_b_flow(b)
    made = [
        b.post(f"/api/w/{B_ID}/variables", {"path": B_PATH, "value": B_SECRET, "is_secret": True}),
        b.post(f"/api/w/{B_ID}/resources/types", {"name": B_TYPE, "schema": {"type": "object"}}),
        b.post(
            f"/api/w/{B_ID}/resources",
            {
                "path": B_PATH,
                "resource_type": "http",
                "value": {"base_url": "https://b.test", "headers": {"x": f"$var:{B_PATH}"}},
            },
        ),
    ]
    assert all(m.status_code == 201 for m in made), [m.content for m in made]
    return TenantB(
        workspace=B_ID,
        path=B_PATH,
        hash=saved.json()["hash"],
        job_id=job.json()["id"],
        webhook_token_id=hook.json()["id"],
        personal_token_id=personal.json()["id"],
        admin=b,
        flow=flow,
        secrets={
            "workspace": B_ID,
            "path": B_PATH,
            "hash": saved.json()["hash"],
            "job_id": job.json()["id"],
            "marker": B_MARKER,
            "email": bea.email,
            "member email": bob.email,
            "group and folder": B_NAME,
            "webhook token": hook.json()["token"],
            "webhook prefix": hook.json()["prefix"],
            "personal token": personal.json()["token"],
            "personal prefix": personal.json()["prefix"],
            "flow path": B_FLOW,
            "flow job": flow["job_id"],
            "flow signature": flow["signature"],
            "secret": B_SECRET,
        },
    )


def make_b_flow(b: Api) -> dict[str, str]:
    """B's flow, and a run of it waiting at its approval step (made to wait by hand: no worker)."""
    from kiln.flows.approvals import signature

    saved = b.post(f"/api/w/{B_ID}/flows", {"path": B_FLOW, "value": B_FLOW_VALUE})
    assert saved.status_code == 201, saved.content
    run = b.post(f"/api/w/{B_ID}/jobs/run/f/{B_FLOW}", {})
    assert run.status_code == 201, run.content
    job_id = run.json()["id"]
    node = {"id": "approve", "type": "identity", "status": "suspended", "approvals": [], "required_events": 1}
    node["resume_deadline"] = "2099-01-01T00:00:00+00:00"
    Job.objects.filter(pk=job_id).update(status="running", flow_status={"steps": {"approve": node}})
    sig = signature(workspace=B_ID, job_id=job_id, step="approve", resume_id="r1", approver="")
    return {
        "path": B_FLOW,
        "hash": saved.json()["hash"],
        "job_id": job_id,
        "resume_id": "r1",
        "signature": sig,
    }


def url_for(route: Route, b: TenantB, workspace: str, *, credentials: bool = False) -> str:
    """The route's URL with B's objects; a parameter that is itself a credential (an approval
    URL's signature) is B's only for B's own admin (`credentials`): A's people cannot know it,
    and whoever holds it may use it (the signed URL is the credential, as in Windmill)."""
    url = route.path
    for param in route.params:
        if param == "workspace":
            value = workspace
        elif param == "signature" and not credentials:
            value = "0" * 64
        elif param == "token_id" and route.operation_id in WEBHOOK_TOKEN_ROUTES:
            value = str(b.webhook_token_id)
        else:
            value = b.fill(param, route.operation_id)
        url = url.replace("{" + param + "}", value)
    return url + QUERIES.get(route.operation_id, "")


def call(who: Api, route: Route, url: str) -> Any:
    body = BODIES[route.operation_id]
    if route.method == "GET":
        return who.get(url)
    if route.method == "DELETE":
        return who.client.delete(url, **who.headers)
    if route.method == "PUT":
        return who.put(url, body)
    return who.post(url, body)


def test_the_table_knows_every_route_with_a_parameter() -> None:
    ids = {r.operation_id for r in ROUTES}
    assert ids - BODIES.keys() == set(), "new routes: add them to BODIES (and FILL) in test_tenancy.py"
    assert BODIES.keys() - ids == set(), "routes that are gone: remove them from BODIES"
    params = {p for r in ROUTES for p in r.params}
    assert params - FILL.keys() == set(), "new path parameters: say in FILL how to fill them with B's object"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_route_never_crosses_into_another_workspace(
    route: Route, client: Client, owner: User, member: User, outsider: User, settings: Any
) -> None:
    settings.KILN_SYNC_WAIT = 1  # run_wait_result must refuse, never wait; if it waited, not for long
    b = make_tenant_b(client)
    b_jobs, b_tokens = Job.objects.filter(workspace_id=B_ID).count(), ApiToken.objects.filter(revoked_at=None)
    live_tokens = set(b_tokens.values_list("pk", flat=True))
    b_settings = Workspace.objects.get(pk=B_ID).settings
    # Through B's workspace, and (for routes that name an object too) through A's with B's object.
    workspaces = [B_ID] + (["main"] if "workspace" in route.params and len(route.params) > 1 else [])
    problems = []
    for name, user in (("A's admin", owner), ("A's member", member), ("outsider", outsider)):
        who = Api(client, token_create(user=user))
        for workspace in workspaces:
            url = url_for(route, b, workspace)
            response = call(who, route, url)
            body = response.content.decode()
            leaked = [k for k, v in b.secrets.items() if v not in url and v in body]
            if response.status_code not in (403, 404):
                problems.append(f"{name}: {route.method} {url} -> {response.status_code} {body[:300]}")
            elif set(response.json()) != {"message", "detail"}:
                problems.append(f"{name}: {route.method} {url}: not the error shape: {body[:300]}")
            elif leaked:
                problems.append(f"{name}: {route.method} {url}: the answer shows B's {leaked}: {body[:300]}")
    assert problems == []
    # And nothing happened to B: no job started, no token revoked, no setting changed.
    assert Job.objects.filter(workspace_id=B_ID).count() == b_jobs
    assert live_tokens <= set(ApiToken.objects.filter(revoked_at=None).values_list("pk", flat=True))
    assert Workspace.objects.get(pk=B_ID).settings == b_settings
    # The control: B's own admin gets through on the same URL, so the 404s above were not typos.
    controller = b.admin
    if route.operation_id in SUPERUSER_ROUTES:
        root = User.objects.create_superuser(email="root@platform.example", password="correct-horse")
        controller = Api(client, token_create(user=root))
    if route.operation_id in JOB_TOKEN_ROUTES:
        controller = Api(client, b_job_token(b))
    response = call(controller, route, url_for(route, b, B_ID, credentials=True))
    expected = CONTROL_STATUS.get(route.operation_id)
    assert response.status_code < 400 or response.status_code == expected, (
        route,
        response.status_code,
        response.content[:300],
    )


def b_job_token(b: TenantB) -> str:
    """The token of one of B's jobs, made to look running (no worker runs in this test)."""
    from kiln.vault.job_tokens import job_token

    Job.objects.filter(pk=b.job_id).update(status="running", attempt=1)
    return job_token(Job.objects.get(pk=b.job_id))


async def close_code(path: str) -> int:
    comm = WebsocketCommunicator(application, path)
    connected, _ = await comm.connect()
    assert connected  # refusals accept, then close with a code that says why
    message = await comm.receive_output(5)
    assert message["type"] == "websocket.close", message
    return int(message["code"])


@pytest.mark.django_db(transaction=True)
def test_the_log_websocket_never_crosses_into_another_workspace(
    client: Client, owner: User, member: User, outsider: User
) -> None:
    b = make_tenant_b(client)
    tokens = [token_create(user=user) for user in (owner, member, outsider)]

    async def scenario() -> list[int]:
        codes = []
        for token in tokens:
            for workspace in (B_ID, "main"):  # B's URL, and A's URL with B's job id
                codes.append(await close_code(f"/ws/w/{workspace}/jobs/{b.job_id}/logs?token={token}"))
                codes.append(await close_code(f"/ws/w/{workspace}/jobs/{b.job_id}/logs?from=0&token={token}"))
        return codes

    assert async_to_sync(scenario)() == [4404] * 12
