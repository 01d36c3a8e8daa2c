"""An admin shares a folder and signs a script's webhooks, in Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import example
from tests.e2e.harness import ADMIN, Kiln
from tests.e2e.test_browser import open_page, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCRIPT = "u/admin/hooked"


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    """A Chromium page signed in as the admin."""
    with open_page(kiln, sign_in=True) as opened:
        yield opened


def test_an_admin_shares_a_new_folder_with_everyone_as_viewers(kiln: Kiln, page: Any) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access").click()
    page.wait_for_url("**/w/main/access")
    page.get_by_test_id("members-table").get_by_text(ADMIN[0]).wait_for()
    shot(page, "access-members")

    page.get_by_role("tab", name="Folders").click()
    form = page.get_by_role("form", name="New folder")
    form.get_by_label("Name", exact=True).fill("reports")
    form.get_by_label("Summary", exact=True).fill("Monthly reports")
    form.get_by_role("button", name="Create folder").click()
    folder = page.get_by_role("region", name="Folder reports")
    # Its creator is its first owner.
    assert folder.get_by_label("Grant 1 email").input_value() == ADMIN[0]
    assert folder.get_by_label("Grant 1 level").input_value() == "owner"

    folder.get_by_role("button", name="Add grant").click()
    folder.get_by_label("Grant 2 kind").select_option("group")
    folder.get_by_label("Grant 2 group").fill("all")
    folder.get_by_label("Grant 2 level").select_option("viewer")
    folder.get_by_role("button", name="Save grants").click()
    folder.get_by_role("status").get_by_text("Saved.").wait_for()

    page.reload()
    folder = page.get_by_role("region", name="Folder reports")
    assert folder.get_by_label("Grant 2 group").input_value() == "all"
    assert folder.get_by_label("Grant 2 level").input_value() == "viewer"
    shot(page, "access-folders")

    status, body, _ = kiln.request("GET", "/api/w/main/folders/reports")
    assert status == 200, body
    assert {"group": "all", "level": "viewer"} in body["grants"]

    # A folder with a script in it is not deleted, and the page says why.
    kiln.save_script("f/reports/monthly", example("greet.py"))
    page.once("dialog", lambda dialog: dialog.accept())
    folder.get_by_role("button", name="Delete folder reports").click()
    assert "is not empty" in folder.get_by_role("alert").inner_text()
    shot(page, "access-folder-not-empty")

    page.get_by_role("tab", name="Groups").click()
    page.get_by_test_id("groups-table").get_by_text("Every member", exact=True).wait_for()
    shot(page, "access-groups")


def test_an_admin_signs_a_scripts_webhooks_with_github(kiln: Kiln, page: Any) -> None:
    kiln.save_script(SCRIPT, example("greet.py"))
    page.goto(f"{kiln.url}/w/main/scripts/p/{SCRIPT}")
    page.get_by_role("tab", name="Webhook").click()
    form = page.get_by_role("form", name="Webhook settings")
    assert form.get_by_label("Signature", exact=True).input_value() == "none"
    async_url = page.get_by_test_id("webhook-url-async").inner_text()
    assert async_url == f"{kiln.url}/api/w/main/jobs/run/p/{SCRIPT}"

    form.get_by_label("Signature", exact=True).select_option("github")
    form.get_by_label("Secret", exact=True).fill("e2e-webhook-secret")
    form.get_by_role("button", name="Save webhook").click()
    form.get_by_role("status").get_by_text("Saved.").wait_for()

    page.reload()
    form = page.get_by_role("form", name="Webhook settings")
    assert form.get_by_label("Signature", exact=True).input_value() == "github"
    secret = form.get_by_label("Secret", exact=True)
    assert secret.input_value() == ""
    assert secret.get_attribute("placeholder") == "unchanged"
    shot(page, "script-webhook")

    status, body, _ = kiln.request("GET", f"/api/w/main/scripts/webhook/p/{SCRIPT}")
    assert status == 200, body
    assert body["has_secret"] is True
    assert body["signature"]["scheme"] == "github"
