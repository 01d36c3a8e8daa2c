"""A person's path through the UI, in Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import example
from tests.e2e.harness import ADMIN, ARTIFACTS, Kiln

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("KILN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def open_page(kiln: Kiln, *, sign_in: bool = False) -> Iterator[Any]:
    """A Chromium page (signed in as the admin if asked); Chromium must exist in CI."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing, and CI must not skip browser tests (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(20_000)
        if sign_in:
            page.goto(kiln.url + "/login")
            page.get_by_label("Email").fill(ADMIN[0])
            page.get_by_label("Password").fill(ADMIN[1])
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/w/main/home")
        yield page
        browser.close()


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    with open_page(kiln) as opened:
        yield opened


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_user_logs_in_and_sees_their_scripts(kiln: Kiln, page: Any) -> None:
    status, _, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": "u/admin/greet", "language": "python3", "content": example("greet.py")},
    )
    assert status in (200, 201)

    page.goto(kiln.url + "/")
    page.wait_for_url("**/login**")
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert "invalid email or password" in page.get_by_role("alert").inner_text()

    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/w/main/home")
    page.get_by_role("link", name="u/admin/greet").first.wait_for()  # the home page lists it
    page.goto(kiln.url + "/w/main/scripts")
    table = page.get_by_test_id("scripts-table")
    table.get_by_text("u/admin/greet").wait_for()
    shot(page, "scripts-list")


def test_a_user_runs_a_script_from_its_page_and_watches_the_job(kiln: Kiln, page: Any) -> None:
    page.goto(kiln.url + "/w/main/scripts")
    page.get_by_test_id("scripts-table").get_by_role("link", name="u/admin/greet").click()
    page.wait_for_url("**/scripts/p/u/admin/greet")
    # The form generated from main's signature: a text field and an integer field, among others.
    page.get_by_label("name", exact=True).fill("Browser")
    page.get_by_label("count", exact=True).fill("2")
    shot(page, "script-run-form")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**/w/main/runs/*")
    logs = page.get_by_test_id("job-logs")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=job-logs]')?.textContent.includes('(2/2)')"
    )
    assert "greeting Browser (1/2)" in logs.inner_text()
    shot(page, "job-page")


def test_a_user_cancels_a_running_job_from_its_page(kiln: Kiln, page: Any) -> None:
    slow = "import time\n\ndef main():\n    print('working', flush=True)\n    time.sleep(60)\n"
    kiln.request(
        "POST", "/api/w/main/scripts", {"path": "u/admin/forever", "language": "python3", "content": slow}
    )
    job_id = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/forever", {})[1]["id"]
    page.goto(f"{kiln.url}/w/main/runs/{job_id}")
    page.get_by_test_id("job-logs").get_by_text("working").wait_for()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("canceled by admin@kiln.local").first.wait_for()
    assert kiln.request("GET", f"/api/w/main/jobs/{job_id}")[1]["status"] == "canceled"
    shot(page, "job-canceled")


def test_a_user_keeps_a_script_warm_and_its_runs_stay_correct(kiln: Kiln, page: Any) -> None:
    """Settings → Keep warm runners → Save; the next runs are served by the script's warm
    runner, and each still starts clean (module state does not carry over)."""
    counter = (
        "SEEN = []\n\ndef main(n: int = 1):\n    SEEN.append(n)\n    print('seen', SEEN)\n    return SEEN\n"
    )
    kiln.request(
        "POST", "/api/w/main/scripts", {"path": "u/admin/warm", "language": "python3", "content": counter}
    )
    settings_tab = kiln.url + "/w/main/scripts/p/u/admin/warm?tab=settings"
    page.goto(settings_tab)
    keep_warm = page.get_by_role("checkbox", name="Keep warm runners")
    email = page.get_by_label("Email")
    keep_warm.or_(email).first.wait_for()
    if email.is_visible():  # this test alone: the module's page has not signed in yet
        email.fill(ADMIN[0])
        page.get_by_label("Password").fill(ADMIN[1])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/w/main/home")
        page.goto(settings_tab)
    page.get_by_role("checkbox", name="Keep warm runners").check()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Saved.").first.wait_for()
    shot(page, "script-settings-warm")
    assert kiln.request("GET", "/api/w/main/scripts/p/u/admin/warm")[1]["settings"]["warm"] is True
    results = []
    for n in (1, 2, 3, 4):
        status, body, _ = kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/warm", {"n": n})
        assert status == 200, body
        results.append(body)
    assert results == [[1], [2], [3], [4]]
    page.goto(kiln.url + "/w/main/scripts/p/u/admin/warm")
    page.get_by_label("n", exact=True).fill("5")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**/w/main/runs/*")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=job-logs]')?.textContent.includes('seen [5]')"
    )
