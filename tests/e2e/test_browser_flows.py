"""An operator watches a flow run in the browser, approves its suspended step in place, and
restarts it from a step, in Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.harness import Kiln
from tests.e2e.test_browser import open_page, shot
from tests.e2e.test_flows import finished, run_flow, suspended

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

FLOW = "f/browser/digest"


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    with open_page(kiln, sign_in=True) as opened:
        yield opened


def test_a_flow_run_shows_its_steps_and_is_approved_in_place(kiln: Kiln, page: Any) -> None:
    text = (EXAMPLES / "flows" / "order_digest.flow.yaml").read_text()
    status, body, _ = kiln.request("POST", "/api/w/main/flows/import", {"path": FLOW, "content": text})
    assert status in (200, 201), body
    flow_id = run_flow(kiln, FLOW, {"count": 3})
    suspended(kiln, flow_id)

    page.goto(f"{kiln.url}/w/main/runs/{flow_id}")
    steps = page.get_by_role("table").filter(has_text="score_one")
    steps.wait_for()
    for key in ("fetch", "score/0/score_one", "decide/0/approve", "send"):
        assert page.get_by_text(key, exact=True).first.is_visible(), key
    shot(page, "flow-run-waiting-for-approval")

    page.get_by_role("button", name="Approve").click()
    done = finished(kiln, flow_id, 60)
    assert (done["status"], done["result"]) == ("success", {"big": [1, 2, 3]}), done
    page.locator(".page-header [data-status=success]").wait_for()
    shot(page, "flow-run-approved")

    # Restart from the last step: a new run that reuses the earlier results.
    page.get_by_role("combobox", name="Restart from…").select_option("send")
    page.get_by_role("button", name="Restart").click()
    page.wait_for_url(lambda url: flow_id not in url and "/runs/" in url)
    again = page.url.rsplit("/", 1)[-1]
    rerun = finished(kiln, again, 60)
    assert rerun["status"] == "success" and rerun["flow_status"]["steps"]["fetch"].get("reused")
    shot(page, "flow-run-restarted")
