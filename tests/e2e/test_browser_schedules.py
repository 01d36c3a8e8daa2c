"""A developer schedules a script every two seconds in Paris time, watches its runs come in
and switches it off, in Debian's Chromium driven by Playwright."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.harness import Kiln
from tests.e2e.test_browser import open_page, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCRIPT = "u/admin/ticker"
SCRIPT_CONTENT = "def main(name: str):\n    return f'tick {name}'\n"
SCHEDULE = "u/admin/every_two_seconds"
CRON = "*/2 * * * * *"
ZONE = "Europe/Paris"
RUNS_WITHIN_S = 20


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    """A Chromium page signed in as the admin."""
    with open_page(kiln, sign_in=True) as opened:
        yield opened


def preview(kiln: Kiln, cron: str, zone: str) -> dict[str, Any]:
    status, body, _ = kiln.request(
        "GET", f"/api/w/main/schedules/preview?cron={quote(cron)}&tz={quote(zone)}&count=5"
    )
    assert status == 200, body
    return dict(body)


def test_a_developer_schedules_a_script_and_switches_it_off(kiln: Kiln, page: Any) -> None:
    from playwright.sync_api import expect

    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": SCRIPT, "language": "python3", "content": SCRIPT_CONTENT},
    )
    assert status in (200, 201), body

    try:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedules").click()
        page.wait_for_url("**/w/main/schedules")
        page.get_by_role("link", name="New schedule").click()
        page.wait_for_url("**/w/main/schedules/new")

        form = page.get_by_role("form", name="New schedule")
        form.get_by_label("Path", exact=True).fill(SCHEDULE)
        form.get_by_label("Script or flow path", exact=True).select_option(SCRIPT)
        form.get_by_label("Arguments (JSON)").fill('{"name": "paris"}')
        form.get_by_label("Time zone", exact=True).fill(ZONE)
        cron = form.get_by_label("Cron", exact=True)
        preview_box = form.get_by_test_id("cron-preview")

        # A mistake is explained under the field while typing...
        cron.press_sequentially("61 * * * *", delay=40)
        expect(preview_box.get_by_test_id("cron-preview-error")).to_contain_text("61")
        shot(page, "schedule-form-bad-cron")

        # ...and a good expression reads in words, with its next times in Paris.
        cron.fill("")
        cron.press_sequentially(CRON, delay=40)
        expected = preview(kiln, CRON, ZONE)
        expect(preview_box.get_by_test_id("cron-description")).to_have_text(expected["description"])
        expect(preview_box.get_by_test_id("cron-times").get_by_role("listitem")).to_have_count(5)
        expect(preview_box).to_contain_text(f"Next, in {ZONE}")
        assert "UTC+0" in preview_box.get_by_test_id("cron-times").inner_text()  # +01:00 or +02:00
        shot(page, "schedule-form-preview")

        form.get_by_role("button", name="Create schedule").click()
        page.wait_for_url(f"**/w/main/schedules/p/{SCHEDULE}")
        facts = page.get_by_test_id("schedule-facts")
        expect(facts).to_contain_text(CRON)
        expect(facts).to_contain_text(ZONE)

        # The page polls its runs: the first ticks' jobs show up on their own.
        runs = page.get_by_test_id("runs-table").locator("tbody tr")
        runs.first.wait_for(timeout=RUNS_WITHIN_S * 1000)
        expect(runs.first.get_by_test_id("run-tick").locator("time")).to_have_count(1)
        expect(runs.first.get_by_role("cell").nth(2)).to_contain_text(SCRIPT)
        deadline = time.monotonic() + RUNS_WITHIN_S
        while "Success" not in runs.first.inner_text() and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        shot(page, "schedule-detail")

        switch = page.get_by_role("switch", name=f"Enabled: {SCHEDULE}")
        expect(switch).to_be_checked()
        switch.click()
        expect(switch).not_to_be_checked()
        expect(page.get_by_test_id("schedule-next")).to_contain_text("disabled")
        status, body, _ = kiln.request("GET", f"/api/w/main/schedules/p/{SCHEDULE}")
        assert status == 200, body
        assert body["enabled"] is False

        page.reload()
        expect(page.get_by_role("switch", name=f"Enabled: {SCHEDULE}")).not_to_be_checked()
        expect(page.get_by_test_id("schedule-next")).to_contain_text("disabled")
        runs.first.wait_for()
        page.get_by_test_id("schedule-events-empty").or_(page.get_by_test_id("schedule-events")).wait_for()
        shot(page, "schedule-disabled")

        page.get_by_role("link", name="Schedules", exact=True).first.click()
        row = page.get_by_test_id("schedules-table").locator(f'tr[data-schedule="{SCHEDULE}"]')
        expect(row.get_by_role("switch")).not_to_be_checked()
        shot(page, "schedules-list")
    finally:
        # Whatever happened above, leave no schedule ticking for the other tests.
        kiln.request("POST", f"/api/w/main/schedules/enabled/p/{SCHEDULE}", {"enabled": False})
