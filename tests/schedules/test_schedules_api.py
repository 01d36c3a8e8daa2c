"""The schedules API: create, read, change, pause and delete; the preview; every bad input a 400."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from kiln.accounts.models import Membership, Role, User, Workspace
from kiln.accounts.services import token_create
from kiln.audit.models import AuditEvent
from kiln.schedules.models import Schedule
from tests.conftest import Api

TARGET = "u/ada/report"
SCRIPT = "def main(region: str, days: int = 7):\n    return region * days\n"


@pytest.fixture
def target(api: Api) -> str:
    saved = api.post("/api/w/main/scripts", {"path": TARGET, "language": "python3", "content": SCRIPT})
    assert saved.status_code == 201
    return TARGET


def body(**changes: Any) -> dict[str, Any]:
    base = {"path": "u/ada/nightly", "script_path": TARGET, "cron": "0 30 2 * * *", "args": {"region": "eu"}}
    return {**base, **changes}


def test_a_schedule_is_created_with_its_next_tick_and_read_back(api: Api, target: str) -> None:
    made = api.post("/api/w/main/schedules", body(timezone="Europe/Paris", summary="Nightly report"))
    assert made.status_code == 201, made.json()
    out = made.json()
    assert out["description"] and out["enabled"] and out["access"] == "owner"
    next_fire = datetime.fromisoformat(out["next_fire_at"])
    assert next_fire > datetime.now(UTC)
    local = next_fire.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute, local.second) == (2, 30, 0) or local.hour == 3  # 3:00 on a DST night
    assert api.get("/api/w/main/schedules/p/u/ada/nightly").json() == out
    assert [s["path"] for s in api.get("/api/w/main/schedules").json()] == ["u/ada/nightly"]
    assert api.post("/api/w/main/schedules", body()).status_code == 409
    assert AuditEvent.objects.filter(action="schedule.create", object_id="u/ada/nightly").exists()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cron": "61 * * * *"}, "cron", "61"),
        ({"cron": "* * *"}, "cron", "fields"),
        ({"cron": "0 0 31 2 *"}, "cron", "never"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Mars/Olympus_Mons"),
        ({"script_path": "u/ada/missing"}, "script_path", "not found"),
        ({"args": {}}, "args", "region"),
        ({"args": {"region": "eu", "days": "seven"}}, "args", "days"),
        ({"args": {"region": "eu", "colour": "red"}}, "args", "colour"),
        ({"path": "nightly"}, "path", "invalid"),
        ({"catch_up": "sometimes"}, "catch_up", "catch_up"),
        ({"catch_up_max": 0}, "catch_up_max", "catch_up_max"),
        ({"retry": {"constant": {"attempts": -1}}}, "retry", "retry"),
        ({"on_failure": {"path": "u/ada/missing"}}, "on_failure.path", "not found"),
        ({"on_failure": {"path": TARGET, "times": 0}}, "on_failure.times", "times"),
        ({"on_recovery": {"path": TARGET, "times": 2}}, "on_recovery.times", "on_failure only"),
    ],
)
def test_bad_input_is_a_400_that_says_why_and_stores_nothing(
    api: Api, target: str, changes: dict[str, Any], field: str, words: str
) -> None:
    response = api.post("/api/w/main/schedules", body(**changes))
    assert response.status_code == 400, response.json()
    assert words in response.json()["message"], response.json()
    assert Schedule.objects.count() == 0


def test_a_target_the_user_may_not_run_is_refused_like_a_missing_one(
    api: Api, target: str, member: User
) -> None:
    grace = Api(Client(), token_create(user=member))
    response = grace.post("/api/w/main/schedules", body(path="u/grace/steal"))
    assert response.status_code == 400 and "not found" in response.json()["message"]
    assert grace.post("/api/w/main/schedules", body()).status_code == 403  # ada's space


def test_operators_neither_see_nor_change_schedules(api: Api, target: str, workspace: Workspace) -> None:
    otto = User.objects.create_user(email="otto@example.com", password="correct-horse")
    Membership.objects.create(user=otto, workspace=workspace, role=Role.OPERATOR)
    ops = Api(Client(), token_create(user=otto))
    api.post("/api/w/main/scripts", {"path": "f/ops/report", "language": "python3", "content": SCRIPT})
    api.put("/api/w/main/folders/ops/grants", {"grants": [{"group": "all", "level": "writer"}]})
    assert api.post("/api/w/main/schedules", body(path="f/ops/nightly")).status_code == 201
    # Operators see apps and their own runs: not the schedules behind them.
    assert ops.get("/api/w/main/schedules/p/f/ops/nightly").status_code == 403
    assert ops.get("/api/w/main/schedules").status_code == 403
    assert ops.post("/api/w/main/schedules/enabled/p/f/ops/nightly", {"enabled": False}).status_code == 403
    assert ops.client.delete("/api/w/main/schedules/p/f/ops/nightly", **ops.headers).status_code == 403
    assert api.get("/api/w/main/schedules/p/u/ada/nope").status_code == 404


def test_a_schedule_is_changed_paused_and_deleted(api: Api, target: str) -> None:
    api.post("/api/w/main/schedules", body())
    changed = api.put("/api/w/main/schedules/p/u/ada/nightly", body(cron="*/5 * * * *", no_overlap=True))
    assert (
        changed.status_code == 200
        and changed.json()["cron"] == "*/5 * * * *"
        and changed.json()["no_overlap"]
    )
    assert api.put("/api/w/main/schedules/p/u/ada/nightly", body(path="u/ada/other")).status_code == 400
    assert api.put("/api/w/main/schedules/p/u/ada/nightly", body(cron="bad")).status_code == 400
    assert Schedule.objects.get().cron == "*/5 * * * *"  # the bad update changed nothing
    off = api.post("/api/w/main/schedules/enabled/p/u/ada/nightly", {"enabled": False}).json()
    assert off["enabled"] is False and off["next_fire_at"] is None
    on = api.post("/api/w/main/schedules/enabled/p/u/ada/nightly", {"enabled": True}).json()
    assert on["enabled"] and datetime.fromisoformat(on["next_fire_at"]) > datetime.now(UTC)
    later = datetime(2031, 1, 1, tzinfo=UTC)
    paused = api.put("/api/w/main/schedules/p/u/ada/nightly", body(paused_until=later.isoformat())).json()
    assert datetime.fromisoformat(paused["next_fire_at"]) >= later
    assert api.client.delete("/api/w/main/schedules/p/u/ada/nightly", **api.headers).status_code == 204
    assert api.get("/api/w/main/schedules/p/u/ada/nightly").status_code == 404
    actions = set(AuditEvent.objects.filter(object_type="schedule").values_list("action", flat=True))
    assert actions == {
        "schedule.create",
        "schedule.update",
        "schedule.disable",
        "schedule.enable",
        "schedule.delete",
    }


def test_the_preview_describes_the_expression_and_lists_the_next_ticks(
    api: Api, workspace: Workspace
) -> None:
    out = api.get("/api/w/main/schedules/preview?cron=*/15+9-17+*+*+1-5&tz=America/New_York&count=5")
    assert out.status_code == 200, out.json()
    preview = out.json()
    assert len(preview["next"]) == 5 and preview["description"]
    for local in preview["next_local"]:
        moment = datetime.fromisoformat(local)
        assert moment.minute % 15 == 0 and 9 <= moment.hour <= 17 and moment.isoweekday() <= 5
    bad = api.get("/api/w/main/schedules/preview?cron=0+25+*+*+*")
    assert bad.status_code == 400 and "25" in bad.json()["message"]
    assert api.get("/api/w/main/schedules/preview?cron=@hourly&tz=Nowhere/City").status_code == 400
    assert api.get("/api/w/main/schedules/preview?cron=@hourly&count=0").status_code == 400
