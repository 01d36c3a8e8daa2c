"""Scripts as third-party webhooks: GitHub, Stripe and plain HMAC signatures, tokens in the query
string for senders that cannot set headers, and scripts that receive the raw request."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.jobs.models import Job, Trigger
from kiln.scripts.models import Script
from tests.conftest import Api

PATH = "u/ada/on_push"
SECRET = "whsec-0123456789abcdef"
ARGS_SCRIPT = "def main(ref: str = 'main', commits: int = 0):\n    return ref\n"
RAW_SCRIPT = "def main(request: dict):\n    return request['headers'].get('x-github-event')\n"
BODY = json.dumps({"ref": "refs/heads/main", "commits": 3}).encode()


def sign(payload: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


@pytest.fixture
def script(api: Api) -> str:
    saved = api.post("/api/w/main/scripts", {"path": PATH, "language": "python3", "content": ARGS_SCRIPT})
    assert saved.status_code == 201
    return PATH


@pytest.fixture
def hook_token(api: Api, script: str) -> str:
    made = api.post("/api/w/main/webhook_tokens", {"label": "github", "path": script})
    return str(made.json()["token"])


def configure(api: Api, body: dict[str, Any]) -> Any:
    return api.put(f"/api/w/main/scripts/webhook/p/{PATH}", body)


def post(client: Client, url: str, body: bytes, **headers: str) -> Any:
    return client.post(url, data=body, content_type="application/json", **headers)


RUN = f"/api/w/main/jobs/run/p/{PATH}"


def test_a_github_signature_is_required_and_checked_over_the_exact_body(
    api: Api, client: Client, hook_token: str
) -> None:
    made = configure(api, {"signature": {"scheme": "github", "secret": SECRET}})
    assert made.status_code == 200
    assert made.json()["signature"] == {
        "scheme": "github",
        "header": "X-Hub-Signature-256",
        "tolerance_s": 300,
    }
    assert made.json()["has_secret"] and SECRET not in made.content.decode()
    url = f"{RUN}?token={hook_token}"
    good = post(client, url, BODY, HTTP_X_HUB_SIGNATURE_256=f"sha256={sign(BODY)}")
    assert good.status_code == 201, good.json()
    job = Job.objects.get(pk=good.json()["id"])
    assert job.args == {"ref": "refs/heads/main", "commits": 3} and job.trigger == Trigger.WEBHOOK
    for headers in (
        {},
        {"HTTP_X_HUB_SIGNATURE_256": f"sha256={sign(BODY, 'another-secret')}"},
        {"HTTP_X_HUB_SIGNATURE_256": f"sha256={sign(BODY + b' ')}"},  # signed a different body
        {"HTTP_X_HUB_SIGNATURE_256": "sha256=zz"},
    ):
        refused = post(client, url, BODY, **headers)
        assert refused.status_code == 401 and "webhook signature" in refused.json()["message"], headers
    # Even the workspace's admin with a personal token needs the signature: a leaked token is not enough.
    assert api.post(RUN, json.loads(BODY)).status_code == 401
    assert Job.objects.count() == 1


def test_a_stripe_signature_carries_its_time_and_an_old_one_is_refused(
    api: Api, client: Client, hook_token: str
) -> None:
    configure(api, {"signature": {"scheme": "stripe", "secret": SECRET, "tolerance_s": 60}})
    url = f"{RUN}?token={hook_token}"
    now = int(time.time())
    signed = sign(f"{now}.".encode() + BODY)
    good = post(client, url, BODY, HTTP_STRIPE_SIGNATURE=f"t={now},v1={'0' * 64},v1={signed}")
    assert good.status_code == 201, good.json()
    old = now - 600
    stale = post(client, url, BODY, HTTP_STRIPE_SIGNATURE=f"t={old},v1={sign(f'{old}.'.encode() + BODY)}")
    assert stale.status_code == 401 and "too far" in stale.json()["message"]
    assert post(client, url, BODY, HTTP_STRIPE_SIGNATURE=f"v1={signed}").status_code == 401
    assert post(client, url, BODY, HTTP_STRIPE_SIGNATURE=f"t={now},v1={sign(BODY)}").status_code == 401


def test_a_plain_hmac_signature_may_use_a_header_of_ones_choice(
    api: Api, client: Client, hook_token: str
) -> None:
    configure(api, {"signature": {"scheme": "hmac-sha256", "secret": SECRET, "header": "X-Signature"}})
    url = f"{RUN}?token={hook_token}"
    assert post(client, url, BODY, HTTP_X_SIGNATURE=sign(BODY)).status_code == 201
    assert post(client, url, BODY, HTTP_X_SIGNATURE=f"sha256={sign(BODY).upper()}").status_code == 201
    assert post(client, url, BODY, HTTP_X_KILN_SIGNATURE=sign(BODY)).status_code == 401


def test_the_secret_is_stored_encrypted_kept_on_edit_and_forgotten_when_signing_stops(
    api: Api, script: str
) -> None:
    assert configure(api, {"signature": {"scheme": "github"}}).status_code == 400  # no secret yet
    configure(api, {"signature": {"scheme": "github", "secret": SECRET}})
    stored = Script.objects.get(path=PATH)
    assert (
        stored.webhook_secret
        and SECRET not in stored.webhook_secret
        and SECRET not in json.dumps(stored.webhook)
    )
    kept = configure(api, {"signature": {"scheme": "hmac-sha256"}})  # no secret: keep the current one
    assert kept.json()["has_secret"] and Script.objects.get(path=PATH).webhook_secret == stored.webhook_secret
    off = configure(api, {"signature": None})
    assert off.json()["signature"] is None and not off.json()["has_secret"]
    assert Script.objects.get(path=PATH).webhook_secret == ""
    events = AuditEvent.objects.filter(action="script.webhook")
    assert events.count() == 3 and all(SECRET not in json.dumps(e.detail) for e in events)


def test_webhook_settings_are_checked(api: Api, member: User, script: str) -> None:
    for bad in (
        {"signature": {"scheme": "md5", "secret": SECRET}},
        {"signature": {"scheme": "github", "secret": "short"}},
        {"signature": {"scheme": "stripe", "secret": SECRET, "tolerance_s": 1}},
        {"other": True},
    ):
        assert configure(api, bad).status_code == 400, bad
    assert api.put("/api/w/main/scripts/webhook/p/u/ada/nothing", {}).status_code == 404
    grace = Api(Client(), token_create(user=member))
    assert grace.get(f"/api/w/main/scripts/webhook/p/{PATH}").status_code == 404  # ada's space
    assert Script.objects.get(path=PATH).webhook == {}


def test_only_webhook_tokens_go_in_the_query_string_and_the_token_is_no_argument(
    api: Api, client: Client, owner: User, hook_token: str
) -> None:
    personal = token_create(user=owner)
    refused = client.post(f"{RUN}?token={personal}", data=b"{}", content_type="application/json")
    assert refused.status_code == 401 and "only webhook tokens" in refused.json()["message"]
    assert client.get(f"{RUN}?token=kiln_nonsense").status_code == 401
    ran = client.get(f"{RUN}?token={hook_token}&ref=v1&commits=2")
    assert ran.status_code == 201, ran.json()
    assert Job.objects.get(pk=ran.json()["id"]).args == {"ref": "v1", "commits": 2}
    # The token opens the run URLs of its path only.
    assert client.get(f"/api/w/main/jobs?token={hook_token}").status_code == 403


def test_a_raw_request_script_receives_the_request_without_credentials(
    api: Api, client: Client, hook_token: str, workspace: Workspace
) -> None:
    refused = configure(api, {"raw_request": True})
    assert refused.status_code == 400 and "`request` parameter" in refused.json()["message"]
    api.post("/api/w/main/scripts", {"path": PATH, "language": "python3", "content": RAW_SCRIPT})
    assert configure(api, {"raw_request": True}).json()["raw_request"] is True
    response = client.post(
        f"{RUN}?token={hook_token}&delivery=42",
        data=b"payload=not+json",
        content_type="application/x-www-form-urlencoded",
        HTTP_X_GITHUB_EVENT="push",
        HTTP_COOKIE="sessionid=secret-session",
    )
    assert response.status_code == 201, response.json()
    request = Job.objects.get(pk=response.json()["id"]).args["request"]
    assert request["method"] == "POST" and request["path"] == RUN
    assert request["query"] == {"delivery": "42"}  # the token is not passed on
    assert (
        request["body"] == "payload=not+json"
        and request["body_encoding"] == "utf-8"
        and request["json"] is None
    )
    assert request["headers"]["x-github-event"] == "push"
    assert "cookie" not in request["headers"] and "authorization" not in request["headers"]
    binary = api.post(RUN, raw='{"a": 1}', HTTP_X_GITHUB_EVENT="ping")
    args = Job.objects.get(pk=binary.json()["id"]).args["request"]
    assert args["json"] == {"a": 1} and "authorization" not in args["headers"]
    # A later version without `request` is refused at run time with the reason, not run wrongly.
    api.post("/api/w/main/scripts", {"path": PATH, "language": "python3", "content": ARGS_SCRIPT})
    later = client.post(f"{RUN}?token={hook_token}", data=b"{}", content_type="application/json")
    assert later.status_code == 400 and "`request` parameter" in later.json()["message"]


def test_a_cookie_less_webhook_needs_no_csrf_token_but_a_session_still_does(
    api: Api, hook_token: str, owner: User
) -> None:
    sender = Client(enforce_csrf_checks=True)  # as GitHub: no cookie, no CSRF token
    assert post(sender, f"{RUN}?token={hook_token}", b"{}").status_code == 201
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    refused = post(browser, RUN, b"{}")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
