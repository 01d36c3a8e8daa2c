"""Secrets and resources as people use them, in Chromium against the platform started as the
README starts it: store a database password as a secret, make a `postgresql` resource that
names it, pick that resource in the big_orders example's run form, and see the rows come
back with the password nowhere on the run page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import example
from tests.e2e.harness import ARTIFACTS, Kiln
from tests.e2e.test_browser import open_page, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PASSWORD = "pg-Secret-7c1e-for-the-e2e"
SECRET = "f/vault_e2e/pg_password"
RESOURCE = "f/vault_e2e/orders_db"
SCRIPT = "f/vault_e2e/big_orders"


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    with open_page(kiln, sign_in=True) as opened:
        yield opened


def test_a_secret_a_resource_and_the_picker_run_big_orders_without_showing_the_password(
    kiln: Kiln, page: Any, pg_schema: str
) -> None:
    from playwright.sync_api import expect

    # A secret, through the Variables page: listed masked, shown only on Reveal.
    page.goto(kiln.url + "/w/main/variables")
    page.get_by_role("button", name="New variable").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Path", exact=True).fill(SECRET)
    dialog.get_by_label("Value", exact=True).fill(PASSWORD)
    dialog.get_by_label("Secret", exact=True).check()
    dialog.get_by_role("button", name="Create").click()
    row = page.get_by_role("row").filter(has_text=SECRET)
    expect(row).to_be_visible()
    expect(page.get_by_text(PASSWORD)).to_have_count(0)
    row.get_by_role("button", name="Reveal").click()
    expect(row.get_by_text(PASSWORD)).to_be_visible()
    row.get_by_role("button", name="Hide").click()
    expect(page.get_by_text(PASSWORD)).to_have_count(0)
    shot(page, "vault-variables")

    # A resource whose password is the secret, through the Resources page's form.
    page.goto(kiln.url + "/w/main/resources")
    page.get_by_role("button", name="New resource").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Type").select_option("postgresql")
    dialog.get_by_label("Path", exact=True).fill(RESOURCE)
    dialog.get_by_label("host", exact=True).fill("127.0.0.1")
    dialog.get_by_label("user", exact=True).fill("postgres")
    dialog.get_by_label("Database", exact=True).fill("test")
    dialog.get_by_label("options", exact=True).fill(f"-c search_path={pg_schema}")
    dialog.get_by_label("password: use a secret").select_option(f"$var:{SECRET}")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("row").filter(has_text=RESOURCE)).to_be_visible()
    status, stored, _ = kiln.request("GET", f"/api/w/main/resources/p/{RESOURCE}")
    assert status == 200 and stored["value"]["password"] == f"$var:{SECRET}", stored
    shot(page, "vault-resources")

    # The example's form picks the resource; the run returns its rows and never shows the password.
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": SCRIPT, "language": "postgresql", "content": example("big_orders.pg.sql")},
    )
    assert status in (200, 201), body
    page.goto(f"{kiln.url}/w/main/scripts/p/{SCRIPT}")
    form = page.get_by_role("form", name="Run script")
    picker = form.get_by_label("database", exact=True)
    expect(picker.locator("option", has_text=RESOURCE)).to_have_count(1)
    picker.select_option(f"$res:{RESOURCE}")
    form.get_by_label("since", exact=True).fill("2026-01-01")
    form.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url("**/runs/**", timeout=15_000)
    job_id = page.url.rstrip("/").rsplit("/", 1)[1]
    job = kiln.wait_job(job_id, {"success", "failure", "crashed"}, timeout=90)
    assert job["status"] == "success", job
    assert job["args"]["database"] == f"$res:{RESOURCE}"
    row = {"id": 1, "customer": "ada", "total": 250, "status": "paid", "created_at": "2026-01-05"}
    assert job["result"] == [row]
    expect(page.get_by_text("1 row(s)")).to_be_visible()
    assert PASSWORD not in page.content()
    shot(page, "vault-run")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_vault_pages_render_in_light_and_dark(kiln: Kiln, page: Any, theme: str) -> None:
    """Screenshots for docs/vault.md (KILN_SCREENSHOTS_DIR=docs/screenshots)."""
    page.evaluate("theme => localStorage.setItem('kiln.theme', theme)", theme)
    out = Path(os.environ.get("KILN_SCREENSHOTS_DIR") or ARTIFACTS / "screens")
    out.mkdir(parents=True, exist_ok=True)
    for name, url in {"variables": "/w/main/variables", "resources": "/w/main/resources"}.items():
        page.goto(kiln.url + url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / f"{name}-{theme}.png"))
    page.evaluate("() => localStorage.removeItem('kiln.theme')")
