"""Client datetimes with any ISO 8601 offset are accepted on every database (PostgreSQL
refuses offsets past ±15:59), and dates that fall outside the calendar are a 400."""

from __future__ import annotations

from tests.conftest import Api

FAR_OFFSET = "5034-05-01T05:14:53-23:43"  # found by schemathesis: a 500 on PostgreSQL


def test_far_offsets_are_read_as_the_same_instant_in_utc(api: Api) -> None:
    made = api.post("/api/tokens", {"label": "x", "expires_at": FAR_OFFSET})
    assert made.status_code == 201, made.json()
    assert made.json()["expires_at"].startswith("5034-05-02T04:57:53")
    for url in (f"/api/w/main/jobs?created_after={FAR_OFFSET}", f"/api/w/main/audit?since={FAR_OFFSET}"):
        response = api.get(url.replace("+", "%2B"))
        assert response.status_code == 200 and response.json()["items"] == [], url


def test_a_date_that_leaves_the_calendar_in_utc_is_400(api: Api) -> None:
    response = api.get("/api/w/main/jobs?created_before=9999-12-31T23:00:00-05:00")
    assert response.status_code == 400 and "date out of range" in response.json()["message"]


def test_nul_characters_are_refused_on_every_database_and_escaped_text_is_not(api: Api) -> None:
    import json

    from kiln.scripts.models import Script

    for url, body in (
        ("/api/tokens", {"label": "a\x00b"}),
        (
            "/api/w/main/scripts",
            {"path": "u/ada/n", "language": "python3", "content": "x=1\n", "summary": "\x00"},
        ),
    ):
        response = api.post(url, raw=json.dumps(body))
        assert response.status_code == 400 and "NUL" in response.json()["message"], url
    assert api.get("/api/w/main/jobs?path=u/ada/%00").status_code == 400
    # The six characters \u0000 in a script's source are text, not a NUL.
    source = 'def main():\n    return "\\u0000"\n'
    saved = api.post("/api/w/main/scripts", {"path": "u/ada/esc", "language": "python3", "content": source})
    assert saved.status_code == 201 and Script.objects.filter(path="u/ada/esc").exists()
