"""The script studio as people use it, in Debian's Chromium driven by Playwright, against the
platform started as the README starts it: write a script and watch its form follow, run a form
with every common field, watch logs and a result table arrive, re-run with a changed argument,
make a webhook token and call the sync URL, and an operator who sees only the app page."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.harness import ARTIFACTS, Kiln
from tests.e2e.test_browser import open_page, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ORDERS = "u/admin/orders"
ORDERS_CODE = '''"""List the orders of a customer."""
import time
from datetime import date
from typing import Literal


def main(customer: str, count: int, tier: Literal["gold", "silver"], day: date, tags: list[str]):
    for i in range(count):
        print(f"\\x1b[32mrow {i}\\x1b[0m for {customer}", flush=True)
        time.sleep(0.6)
    return [
        {"n": i, "customer": customer, "tier": tier, "day": day.isoformat(), "tags": "+".join(tags)}
        for i in range(count)
    ]
'''
OPERATOR = ("otto@kiln.local", "otto-password-1")
REFUND = "f/ops/refund"
REFUND_CODE = (
    '"""Refund an order."""\n\ndef main(order: str, amount: int = 5):\n'
    '    return {"order": order, "refunded": amount}\n'
)


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    """A Chromium page signed in as the admin."""
    with open_page(kiln, sign_in=True) as opened:
        yield opened


def save(kiln: Kiln, path: str, content: str) -> dict[str, Any]:
    status, body, _ = kiln.request(
        "POST", "/api/w/main/scripts", {"path": path, "language": "python3", "content": content}
    )
    assert status in (200, 201), body
    return dict(body)


def test_a_developer_writes_a_script_and_the_form_gains_a_field_as_they_type(kiln: Kiln, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(kiln.url + "/w/main/scripts/new")
    page.get_by_label("Path").fill("u/admin/typed")
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    preview = page.get_by_test_id("form-preview")
    page.keyboard.type("def main(name: str")
    page.keyboard.type("):\n    return name\n")
    expect(preview.get_by_label("name", exact=True)).to_be_visible()
    expect(preview.get_by_label("count", exact=True)).to_have_count(0)
    # A second parameter typed into the signature: the preview gains its field.
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    for _ in range(2):
        page.keyboard.press("ArrowLeft")  # before "):"
    page.keyboard.type(", count: int = 3")
    expect(preview.get_by_label("count", exact=True)).to_have_value("3")
    shot(page, "editor-live-form")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("Saved"))).to_be_visible()
    status, body, _ = kiln.request("GET", "/api/w/main/scripts/p/u/admin/typed")
    assert status == 200 and list(body["schema"]["properties"]) == ["name", "count"], body


def test_a_form_with_every_common_field_runs_streams_logs_and_shows_a_table(kiln: Kiln, page: Any) -> None:
    from playwright.sync_api import expect

    save(kiln, ORDERS, ORDERS_CODE)
    page.goto(f"{kiln.url}/w/main/scripts/p/{ORDERS}")
    form = page.get_by_role("form", name="Run script")
    form.get_by_label("customer", exact=True).fill("ACME")
    form.get_by_label("count", exact=True).fill("4")
    form.get_by_label("tier", exact=True).select_option("silver")
    form.get_by_label("day", exact=True).fill("2026-12-04")
    form.get_by_role("button", name="Add item to tags").click()
    form.get_by_label("tags 1", exact=True).fill("urgent")
    form.get_by_role("button", name="Add item to tags").click()
    form.get_by_label("tags 2", exact=True).fill("b2b")
    shot(page, "run-form-filled")
    form.get_by_label("customer", exact=True).press("Control+Enter")  # Run from the keyboard
    page.wait_for_url("**/w/main/runs/*")
    first_run = page.url

    # A log line arrives while the job still runs (4 rows, 0.6 s apart).
    logs = page.get_by_test_id("job-logs")
    expect(logs).to_contain_text("row 0 for ACME", timeout=30_000)
    status, job, _ = kiln.request("GET", f"/api/w/main/jobs/{first_run.rsplit('/', 1)[1]}")
    assert job["status"] == "running", job["status"]
    assert "\x1b[" not in logs.inner_text()  # colours rendered, never escape codes
    expect(logs.locator("span[style*='color'], span[class*='ansi']").first).to_be_visible()

    table = page.get_by_test_id("job-result").get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(5, timeout=30_000)  # header + 4
    expect(table).to_contain_text("silver")
    expect(table).to_contain_text("2026-12-04")
    expect(table).to_contain_text("urgent+b2b")
    shot(page, "job-result-table")

    # Re-run with one changed argument: a new job with the others kept.
    page.get_by_role("button", name="Re-run with edited arguments").click()
    rerun = page.get_by_role("form", name=re.compile("Re-run"))
    rerun.get_by_label("count", exact=True).fill("1")
    rerun.get_by_role("button", name=re.compile("Re-run|Run")).last.click()
    page.wait_for_url(lambda url: url != first_run and "/w/main/runs/" in url)
    table = page.get_by_test_id("job-result").get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2, timeout=30_000)
    expect(table).to_contain_text("ACME")
    expect(table).to_contain_text("silver")


def test_a_log_of_100k_lines_stays_light_in_the_page(kiln: Kiln, page: Any) -> None:
    """Only the visible lines are in the DOM, and the last one is reached by scrolling."""
    from playwright.sync_api import expect

    save(kiln, "u/admin/chatty", "def main():\n    print('\\n'.join(str(i) for i in range(100_000)))\n")
    job_id = kiln.request("POST", "/api/w/main/jobs/run/p/u/admin/chatty", {})[1]["id"]
    assert kiln.wait_job(job_id, {"success"}, timeout=60)["log_dropped"] == 0
    page.goto(f"{kiln.url}/w/main/runs/{job_id}")
    expect(page.get_by_test_id("log-line-count")).to_have_text("100,000 lines")
    logs = page.get_by_test_id("job-logs")
    rows = logs.evaluate("el => el.querySelectorAll('.log-row').length")
    assert 0 < rows < 300, rows  # virtualised: a screenful, not 100,000 nodes
    logs.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(logs).to_contain_text("99999")
    logs.evaluate("el => { el.scrollTop = 0; }")
    expect(page.get_by_role("button", name="Jump to latest")).to_be_visible()
    page.get_by_role("button", name="Jump to latest").click()
    expect(logs).to_contain_text("99999")


def test_a_webhook_token_made_in_place_runs_the_sync_url(kiln: Kiln, page: Any) -> None:
    from playwright.sync_api import expect

    save(kiln, "u/admin/double", "def main(x: int = 2):\n    return x * 2\n")
    page.goto(f"{kiln.url}/w/main/scripts/p/u/admin/double?tab=webhook")
    form = page.get_by_role("form", name="New webhook token")
    form.get_by_label("Label").fill("from the browser test")
    form.get_by_role("button", name="Create a webhook token").click()
    token = page.get_by_test_id("new-secret").inner_text().strip()
    assert len(token) > 20, token
    curl = page.get_by_test_id("webhook-curl-sync").inner_text()
    assert token in curl and "/run_wait_result/p/u/admin/double" in curl, curl
    shot(page, "webhook-token")

    answer = requests.post(
        f"{kiln.url}/api/w/main/jobs/run_wait_result/p/u/admin/double",
        json={"x": 21},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 200 and answer.json() == 42, answer.text

    page.goto(f"{kiln.url}/w/main/runs?path=u/admin/double")
    row = page.get_by_role("row").filter(has_text="webhook")
    expect(row.first).to_be_visible()


def test_an_operator_sees_only_the_app_page_and_runs_it(kiln: Kiln, page: Any) -> None:
    from playwright.sync_api import expect

    assert kiln.request("POST", "/api/users", {"email": OPERATOR[0], "password": OPERATOR[1]})[0] == 201
    member = {"email": OPERATOR[0], "role": "operator"}
    assert kiln.request("POST", "/api/w/main/members", member)[0] == 201
    save(kiln, REFUND, REFUND_CODE)
    save(kiln, "f/ops/hidden", "def main():\n    return 'secret'\n")
    grants = {"grants": [{"user": "admin@kiln.local", "level": "owner"}, {"group": "all", "level": "viewer"}]}
    assert kiln.request("PUT", "/api/w/main/folders/ops/grants", grants)[0] == 200
    assert kiln.request("PUT", f"/api/w/main/apps/p/{REFUND}", {"published": True})[0] == 200

    # A second person: a fresh browser context (its own cookies) in the same Chromium.
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(kiln.url + "/login")
        page.get_by_label("Email").fill(OPERATOR[0])
        page.get_by_label("Password").fill(OPERATOR[1])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/apps/main")
        cards = page.get_by_role("list", name="Apps")
        expect(cards.get_by_role("link")).to_have_count(1)  # f/ops/hidden is not published
        cards.get_by_role("link", name=re.compile("Refund an order")).click()
        page.wait_for_url(f"**/apps/main/{REFUND}")
        expect(page.get_by_text("def main")).to_have_count(0)
        page.get_by_label("order", exact=True).fill("A-17")
        page.get_by_role("button", name="Run", exact=True).click()
        result = page.get_by_test_id("app-run")
        expect(result).to_contain_text("refunded", timeout=30_000)
        expect(result).to_contain_text("A-17")
        shot(page, "operator-app")
        # The studio is not theirs: any of its pages sends them back to the apps.
        page.goto(kiln.url + "/w/main/scripts")
        page.wait_for_url("**/apps/main")
        page.goto(kiln.url + "/w/main/runs")
        expect(page.get_by_role("row").filter(has_text=REFUND)).to_have_count(1)
    finally:
        context.close()


SCREENS = {
    "home": "/w/main/home",
    "editor": "/w/main/scripts/edit/u/admin/orders",
    "script": f"/w/main/scripts/p/{ORDERS}",
    "runs": "/w/main/runs",
    "schedules": "/w/main/schedules",
    "settings": "/w/main/settings",
    "apps": "/apps/main",
    "app": f"/apps/main/{REFUND}",
}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_main_page_renders_in_light_and_dark(kiln: Kiln, page: Any, theme: str) -> None:
    """Screenshots of each main page in both themes (test-artifacts/screens/; copied to
    docs/screenshots/ with KILN_SCREENSHOTS_DIR=docs/screenshots)."""
    page.evaluate("theme => localStorage.setItem('kiln.theme', theme)", theme)
    out = Path(os.environ.get("KILN_SCREENSHOTS_DIR") or ARTIFACTS / "screens")
    out.mkdir(parents=True, exist_ok=True)
    jobs = kiln.request("GET", f"/api/w/main/jobs?path={ORDERS}")[1]["items"]
    pages = dict(SCREENS, job=f"/w/main/runs/{jobs[-1]['id']}") if jobs else dict(SCREENS)
    # Something to show: a schedule, and an app with the result of a run.
    schedule = {"path": "u/admin/weekday_double", "script_path": "u/admin/double", "cron": "0 9 * * 1-5"}
    if kiln.request("GET", "/api/w/main/schedules/p/u/admin/weekday_double")[0] == 404:
        made = kiln.request("POST", "/api/w/main/schedules", dict(schedule, timezone="Europe/Paris"))
        assert made[0] == 201, made[1]
    refund = kiln.request("POST", f"/api/w/main/jobs/run/p/{REFUND}", {"order": "A-42"})[1]["id"]
    kiln.wait_job(refund, {"success"}, timeout=60)
    pages["app"] = f"/apps/main/{REFUND}?job={refund}"
    for name, url in pages.items():
        page.goto(kiln.url + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        page.screenshot(path=str(out / f"{name}-{theme}.png"))
    page.evaluate("localStorage.removeItem('kiln.theme')")
