"""The visual flow editor as people use it, in Debian's Chromium driven by Playwright, against the
platform started as the README starts it: build the shared `order_digest` flow from an empty
canvas by clicking, deploy and run it, watch its nodes turn green, approve the suspended step in
the run view and see the result; import the YAML file and get the same graph; undo and redo;
reload mid-edit and get the draft back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.harness import Kiln
from tests.e2e.test_browser import open_page, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

EXAMPLE = EXAMPLES / "flows" / "order_digest.flow.yaml"  # the repository's copy of the shared example
FETCH = """def main(count: int):
    print(f"fetching {count} orders")
    return [{"id": i, "total": 20 * i} for i in range(1, count + 1)]
"""
SCORE_ONE = """export async function main(order: { id: number; total: number }, threshold: number) {
  return { id: order.id, big: order.total >= threshold };
}
"""
SEND = """def main(scores: list, approved_by: str = ""):
    big = [s["id"] for s in scores if s["big"]]
    print(f"digest: {len(big)} big orders")
    return {"big": big}
"""


@pytest.fixture(scope="module")
def page(kiln: Kiln) -> Iterator[Any]:
    """A Chromium page signed in as the admin."""
    with open_page(kiln, sign_in=True) as opened:
        yield opened


def steps(page: Any) -> list[str]:
    """The step nodes on the canvas, by accessible name."""
    labels = page.locator("[aria-label^='Step ']").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    return sorted(labels)


def add_step(page: Any, plus: int, kind: str, language: str | None = None) -> None:
    """Click the nth "+" (document order) and pick a kind in the palette."""
    page.get_by_role("button", name="Add a step here").nth(plus).click()
    palette = page.get_by_role("dialog", name="Add a step")
    if language is not None:
        palette.get_by_label("Language").select_option(language)
    palette.get_by_role("button", name=re.compile("^" + re.escape(kind))).first.click()


def set_id(page: Any, step_id: str) -> None:
    field = page.get_by_label("Step id", exact=True)
    field.fill(step_id)
    field.press("Enter")
    page.get_by_role("button", name=f"Step {step_id}", exact=True).wait_for()


def set_code(page: Any, code: str) -> None:
    editor = page.get_by_test_id("step-code").locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)  # one insertion: no auto-indent on top of the code's own


def set_expression(page: Any, name: str, expr: str) -> None:
    from playwright.sync_api import expect

    # The step panel's input (the static value's form widget may be a group of the same name).
    group = page.locator("fieldset.flow-transform").and_(page.get_by_role("group", name=name, exact=True))
    expect(group).to_be_visible(timeout=20_000)  # the parameter appears once the code is read
    group.get_by_role("button", name="Expression", exact=True).click()
    page.get_by_label(f"{name} expression", exact=True).fill(expr)


def build_order_digest(page: Any, kiln: Kiln, path: str) -> None:
    """The shared example, from an empty canvas, by clicking and typing."""
    page.goto(f"{kiln.url}/w/main/flows/new")
    page.get_by_label("Path", exact=True).fill(path)
    page.get_by_label("Flow summary", exact=True).fill("Order digest")
    page.get_by_role("button", name="Edit inputs").click()
    inputs = page.get_by_test_id("inputs-panel")
    for name, kind, default in (("count", "integer", "3"), ("threshold", "number", "50")):
        inputs.get_by_role("button", name="Add input").click()
        field = inputs.get_by_role("group").last.get_by_label("Name", exact=True)
        field.fill(name)
        field.press("Enter")
        group = inputs.get_by_role("group", name=f"Input {name}")
        group.get_by_label("Type", exact=True).select_option(kind)
        group.get_by_label("Default", exact=True).fill(default)

    add_step(page, 0, "Inline script", "python3")  # input → end
    set_id(page, "fetch")
    set_code(page, FETCH)
    set_expression(page, "count", "flow_input.count")

    add_step(page, 1, "For loop")  # fetch → end
    set_id(page, "score")
    page.get_by_label("Iterator expression", exact=True).fill("results.fetch")
    page.get_by_label("Parallel", exact=True).check()
    page.get_by_label("Parallelism", exact=True).fill("4")

    add_step(page, 2, "Inline script", "deno")  # the loop's empty body
    set_id(page, "score_one")
    set_code(page, SCORE_ONE)
    set_expression(page, "order", "flow_input.iter.value")
    set_expression(page, "threshold", "flow_input.threshold")

    add_step(page, 4, "Branch (one)")  # score → end
    set_id(page, "decide")
    page.get_by_label("Branch 1 predicate", exact=True).fill("results.score.some(s => s.big)")
    add_step(page, 5, "Approval")  # branch 1, empty
    set_id(page, "approve")
    add_step(page, 7, "Inline script", "bash")  # the default branch, empty
    set_id(page, "nothing")
    set_code(page, 'echo "no big orders today"\n')

    add_step(page, 9, "Inline script", "python3")  # decide → end
    set_id(page, "send")
    set_code(page, SEND)
    set_expression(page, "scores", "results.score")

    page.locator(".react-flow__pane").click(position={"x": 8, "y": 8})  # nothing selected: the flow
    page.get_by_role("button", name="Add a failure handler").click()
    page.get_by_role("button", name="Step failure", exact=True).wait_for()


def wait_status(page: Any, step: str, status: str) -> None:
    """Wait until the run graph's node for `step` shows `status` (a live websocket update)."""
    page.wait_for_function(
        """([step, status]) => {
            const node = document.querySelector(`[data-testid=flow-run-graph] [aria-label="Step ${step}"]`);
            return node?.closest("[data-status]")?.getAttribute("data-status") === status;
        }""",
        arg=[step, status],
        timeout=60_000,
    )


def test_a_developer_builds_the_example_flow_by_clicking_runs_it_and_approves_it(
    kiln: Kiln, page: Any
) -> None:
    from playwright.sync_api import expect

    build_order_digest(page, kiln, "u/admin/digest")
    built = steps(page)
    assert built == [f"Step {s}" for s in sorted(EXPECTED)], built
    shot(page, "flow-editor-built")
    page.get_by_role("button", name="Deploy", exact=True).click()
    expect(page.get_by_test_id("deploy-status")).to_contain_text("Deployed version", timeout=20_000)

    # Run it from its page (count 3: totals 20, 40, 60; threshold 50: one big order).
    page.goto(f"{kiln.url}/w/main/flows/p/u/admin/digest")
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_url("**/w/main/runs/*")
    page.get_by_test_id("flow-run-graph").wait_for()
    wait_status(page, "fetch", "success")
    wait_status(page, "score", "success")
    wait_status(page, "approve", "suspended")
    shot(page, "flow-run-suspended")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Success").first).to_be_visible(timeout=60_000)
    wait_status(page, "send", "success")
    expect(page.get_by_test_id("job-result")).to_contain_text('"big"')
    expect(page.get_by_test_id("job-result")).to_contain_text("3")
    shot(page, "flow-run-done")


EXPECTED = ("fetch", "score", "score_one", "decide", "approve", "nothing", "send", "failure")


def test_importing_the_yaml_file_gives_the_same_graph(kiln: Kiln, page: Any) -> None:
    page.goto(f"{kiln.url}/w/main/flows/new")
    page.get_by_role("button", name="Import", exact=True).click()
    dialog = page.get_by_role("dialog", name="Import a flow")
    dialog.get_by_label("File").set_input_files(str(EXAMPLE))  # a picked file loads at once
    page.get_by_role("button", name="Step send", exact=True).wait_for()
    assert steps(page) == [f"Step {s}" for s in sorted(EXPECTED)]


def test_undo_and_redo_three_edits_a_reload_keeps_the_draft_and_a_drag_reorders(
    kiln: Kiln, page: Any
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{kiln.url}/w/main/flows/new")
    # A fresh start: the import above left its own draft of a new flow in this browser.
    page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('kiln.flowdraft'))"
        ".forEach(k => localStorage.removeItem(k))"
    )
    page.reload()
    page.get_by_label("Path", exact=True).fill("u/admin/scratch")
    add_step(page, 0, "Inline script", "python3")
    add_step(page, 1, "Approval")
    add_step(page, 2, "Inline script", "bash")
    assert steps(page) == ["Step a", "Step b", "Step c"], steps(page)
    undo = page.get_by_role("button", name="Undo", exact=True)
    redo = page.get_by_role("button", name="Redo", exact=True)
    for left in (["Step a", "Step b"], ["Step a"], []):
        undo.click()
        expect(page.locator("[aria-label^='Step ']")).to_have_count(len(left))
        assert steps(page) == left
    for _ in range(3):
        redo.click()
    expect(page.locator("[aria-label^='Step ']")).to_have_count(3)
    assert steps(page) == ["Step a", "Step b", "Step c"]

    page.wait_for_timeout(1_000)  # the draft is written half a second after the last edit
    page.reload()
    page.get_by_role("button", name=re.compile("Restore draft")).click()
    expect(page.get_by_role("button", name="Step c", exact=True)).to_be_visible()
    assert steps(page) == ["Step a", "Step b", "Step c"]

    # Drag c onto a: it moves to the top of the sequence (one more edit, undone like the rest).
    source = page.get_by_role("button", name="Step c", exact=True).bounding_box()
    target = page.get_by_role("button", name="Step a", exact=True).bounding_box()
    assert source is not None and target is not None
    page.mouse.move(source["x"] + 20, source["y"] + source["height"] / 2)
    page.mouse.down()
    # Its middle well above a's: a step goes where its middle passes its neighbours' middles.
    page.mouse.move(target["x"] + 20, target["y"] + target["height"] / 2 - 30, steps=12)
    page.mouse.up()
    page.wait_for_function(
        """() => {
            const y = (id) => document.querySelector(`[aria-label="Step ${id}"]`).getBoundingClientRect().top;
            return y("c") < y("a") && y("a") < y("b");
        }""",
        timeout=10_000,
    )
    page.get_by_role("button", name="Undo", exact=True).click()
    page.wait_for_function(
        """() => {
            const y = (id) => document.querySelector(`[aria-label="Step ${id}"]`).getBoundingClientRect().top;
            return y("a") < y("b") && y("b") < y("c");
        }""",
        timeout=10_000,
    )
