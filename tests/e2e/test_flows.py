"""Flows on a real platform: every module kind and option, run by real workers in the sandbox."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e

TERMINAL = {"success", "failure", "canceled", "timeout", "crashed"}


def py(content: str, **transforms: str) -> dict[str, Any]:
    """An inline Python step whose arguments are JavaScript expressions."""
    return {
        "type": "rawscript",
        "language": "python3",
        "content": content,
        "input_transforms": {k: {"type": "javascript", "expr": v} for k, v in transforms.items()},
    }


def step(id: str, value: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"id": id, "value": value, **options}


def save_flow(kiln: Kiln, path: str, value: dict[str, Any], schema: dict[str, Any] | None = None) -> None:
    body: dict[str, Any] = {"path": path, "summary": path, "value": value}
    if schema is not None:
        body["schema"] = schema
    status, response, _ = kiln.request("POST", "/api/w/main/flows", body)
    assert status in (200, 201), response


def run_flow(kiln: Kiln, path: str, args: dict[str, Any] | None = None) -> str:
    status, body, _ = kiln.request("POST", f"/api/w/main/jobs/run/f/{path}", args or {})
    assert status == 201, body
    return str(body["id"])


def job(kiln: Kiln, job_id: str) -> dict[str, Any]:
    return kiln.request("GET", f"/api/w/main/jobs/{job_id}")[1]


def steps_of(kiln: Kiln, job_id: str) -> list[dict[str, Any]]:
    return kiln.request("GET", f"/api/w/main/jobs?parent={job_id}&limit=500")[1]["items"]


def wait_until(kiln: Kiln, job_id: str, done: Any, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        found = job(kiln, job_id)
        if done(found):
            return found
        assert time.monotonic() < deadline, (found["status"], found.get("flow_status"))
        time.sleep(0.2)


def finished(kiln: Kiln, job_id: str, timeout: float = 120) -> dict[str, Any]:
    return wait_until(kiln, job_id, lambda j: j["status"] in TERMINAL, timeout)


def suspended(kiln: Kiln, job_id: str) -> dict[str, Any]:
    def waiting(j: dict[str, Any]) -> bool:
        assert j["status"] not in TERMINAL, j
        return any(n["status"] == "suspended" for n in (j["flow_status"] or {}).get("steps", {}).values())

    return wait_until(kiln, job_id, waiting)


def node(flow_job: dict[str, Any], key: str) -> dict[str, Any]:
    return flow_job["flow_status"]["steps"][key]


def test_the_example_flow_imports_and_runs_through_its_approval(kiln: Kiln) -> None:
    text = (EXAMPLES / "flows" / "order_digest.flow.yaml").read_text()
    status, saved, _ = kiln.request(
        "POST", "/api/w/main/flows/import", {"path": "f/demo/digest", "content": text}
    )
    assert status == 201, saved
    flow_id = run_flow(kiln, "f/demo/digest", {"count": 3})
    waiting = suspended(kiln, flow_id)
    assert node(waiting, "decide")["branch"] == 0
    scored = [k for k, n in waiting["flow_status"]["steps"].items() if k.startswith("score/")]
    assert sorted(scored) == ["score/0/score_one", "score/1/score_one", "score/2/score_one"]
    _, urls, _ = kiln.request("GET", f"/api/w/main/jobs/{flow_id}/resume_urls?approver=ops")
    resume = local(urls["resume"])
    status, body, _ = kiln.request("POST", tamper(resume), {}, token="")
    assert status == 403, body
    status, body, _ = kiln.request("POST", resume, {}, token="")
    assert status == 200 and body["approvals"] == 1, body
    done = finished(kiln, flow_id)
    assert (done["status"], done["result"]) == ("success", {"big": [1, 2, 3]}), done
    assert node(done, "decide/0/approve")["approvals"][0]["approver"] == "ops"

    # Nothing big: the default branch (Bash) runs and no approval is asked.
    small = finished(kiln, run_flow(kiln, "f/demo/digest", {"count": 2, "threshold": 1000}))
    assert (small["status"], small["result"]) == ("success", {"big": []}), small
    assert node(small, "decide")["branch"] == "default"
    assert node(small, "decide/default/nothing")["status"] == "success"


def kiln_public(url: str) -> str:
    return url.split("/api/", 1)[0]


def tamper(url: str) -> str:
    """The same URL with one character of its signature changed."""
    path, query = url.split("?", 1)
    head, sig = path.rsplit("/", 1)
    return f"{head}/{sig[:-1]}{'0' if sig[-1] != '0' else '1'}?{query}"


ADD = "def main(a: int, b: int = 0):\n    return a + b\n"


def test_every_module_kind_hands_its_result_on(kiln: Kiln) -> None:
    kiln.save_script("f/kinds/add", ADD)
    _, script, _ = kiln.request("GET", "/api/w/main/scripts/p/f/kinds/add")
    save_flow(
        kiln,
        "f/kinds/double",
        {"modules": [step("twice", py("def main(x: int):\n    return 2 * x\n", x="flow_input.x"))]},
    )
    save_flow(
        kiln,
        "f/kinds/all",
        {
            "modules": [
                step(
                    "raw", py("def main(n: int):\n    print('raw', n)\n    return n + 1\n", n="flow_input.n")
                ),
                step(
                    "shell",
                    {
                        "type": "rawscript",
                        "language": "bash",
                        "content": 'n="$1"\necho "got $n"\necho "{\\"seen\\": $n}"\n',
                        "input_transforms": {"n": {"type": "javascript", "expr": "previous_result"}},
                    },
                ),
                step(
                    "by_path",
                    {
                        "type": "script",
                        "path": "f/kinds/add",
                        "input_transforms": {
                            "a": {"type": "javascript", "expr": "results.raw"},
                            "b": {"type": "static", "value": 10},
                        },
                    },
                ),
                step(
                    "by_hash",
                    {
                        "type": "script",
                        "hash": script["hash"],
                        "input_transforms": {"a": {"type": "javascript", "expr": "results.by_path"}},
                    },
                ),
                step(
                    "sub",
                    {
                        "type": "flow",
                        "path": "f/kinds/double",
                        "input_transforms": {"x": {"type": "javascript", "expr": "results.by_hash"}},
                    },
                ),
                step("same", {"type": "identity"}),
                step(
                    "all",
                    {
                        "type": "branchall",
                        "branches": [
                            {
                                "modules": [
                                    step(
                                        "left", py("def main(v: int):\n    return v - 1\n", v="results.same")
                                    )
                                ]
                            },
                            {"modules": [step("right", {"type": "identity"})]},
                        ],
                    },
                ),
                step(
                    "both",
                    {
                        "type": "branchall",
                        "parallel": True,
                        "branches": [
                            {
                                "modules": [
                                    step("up", py("def main(v: int):\n    return v + 1\n", v="results.same"))
                                ]
                            },
                            {
                                "modules": [
                                    step(
                                        "down", py("def main(v: int):\n    return v - 1\n", v="results.same")
                                    )
                                ]
                            },
                        ],
                    },
                ),
                step(
                    "pick",
                    {
                        "type": "branchone",
                        "branches": [
                            {
                                "expr": "results.all[0] > 1000",
                                "modules": [step("never", {"type": "identity"})],
                            }
                        ],
                        "default": [
                            step(
                                "fallback",
                                py("def main(pair: list):\n    return sum(pair)\n", pair="results.all"),
                            )
                        ],
                    },
                ),
            ]
        },
        schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
    )
    done = finished(kiln, run_flow(kiln, "f/kinds/all", {"n": 4}))
    assert done["status"] == "success", (done["error"], done["flow_status"])
    steps = done["flow_status"]["steps"]
    # raw 5 → shell {"seen": 5} → by_path 15 → by_hash 15 → sub 30 → same 30 → all [29, 30] → 59
    assert steps["shell"]["result"] == {"seen": 5}
    assert [steps[k]["result"] for k in ("raw", "by_path", "by_hash", "sub", "same")] == [5, 15, 15, 30, 30]
    assert steps["all"]["result"] == [29, 30]
    assert steps["both"]["result"] == [31, 29]  # parallel branches: each branch's result, in order
    assert done["result"] == 59
    assert steps["pick"]["branch"] == "default"
    children = {c["flow_step"]: c for c in steps_of(kiln, done["id"])}
    assert set(children) == {
        "raw",
        "shell",
        "by_path",
        "by_hash",
        "sub",
        "all/0/left",
        "both/0/up",
        "both/1/down",
        "pick/default/fallback",
    }
    assert children["raw"]["kind"] == "inline" and children["by_path"]["kind"] == "script"
    assert children["sub"]["kind"] == "flow" and children["sub"]["status"] == "success"
    assert all(c["trigger"] == "flow" and c["root_id"] == done["id"] for c in children.values())
    assert "raw 4" in job(kiln, children["raw"]["id"])["logs"]
    # The subflow's own step is a child of the subflow, whose top run is this one.
    inner = steps_of(kiln, children["sub"]["id"])
    assert [(c["flow_step"], c["root_id"]) for c in inner] == [("twice", done["id"])]


def test_for_loops_run_each_item_in_order_or_in_parallel_and_skip_failures(kiln: Kiln) -> None:
    body = (
        "def main(x: int, i: int):\n    if x < 0:\n        raise ValueError('negative')\n"
        "    return x * 10 + i\n"
    )
    each = step("each", py(body, x="flow_input.iter.value", i="flow_input.iter.index"))
    save_flow(
        kiln,
        "f/loops/for",
        {
            "modules": [
                step(
                    "seq",
                    {
                        "type": "forloopflow",
                        "iterator": {"type": "javascript", "expr": "flow_input.items"},
                        "modules": [each],
                        "skip_failures": True,
                    },
                ),
                step(
                    "par",
                    {
                        "type": "forloopflow",
                        "iterator": {"type": "static", "value": [1, 2, 3, 4]},
                        "parallel": True,
                        "parallelism": {"type": "static", "value": 2},
                        "modules": [{**each, "id": "each2"}],
                    },
                ),
            ]
        },
    )
    done = finished(kiln, run_flow(kiln, "f/loops/for", {"items": [3, -1, 5]}))
    assert done["status"] == "success", done
    seq = node(done, "seq")["result"]
    assert seq[0] == 30 and seq[2] == 52
    assert seq[1]["name"] == "ValueError" and seq[1]["step_id"] == "each"  # skipped failure: its error
    assert done["result"] == [10, 21, 32, 43]

    # Without skip_failures a failing item fails the loop and the flow.
    save_flow(
        kiln,
        "f/loops/strict",
        {
            "modules": [
                step(
                    "seq",
                    {
                        "type": "forloopflow",
                        "iterator": {"type": "javascript", "expr": "flow_input.items"},
                        "modules": [each],
                    },
                )
            ]
        },
    )
    failed = finished(kiln, run_flow(kiln, "f/loops/strict", {"items": [1, -1, 2]}))
    assert failed["status"] == "failure" and failed["error"]["step_id"] == "each", failed
    assert "seq/2/each" not in failed["flow_status"]["steps"]  # the loop stopped at the failure


def test_a_while_loop_runs_until_stop_after_if(kiln: Kiln) -> None:
    save_flow(
        kiln,
        "f/loops/while",
        {
            "modules": [
                step(
                    "count",
                    {
                        "type": "whileloopflow",
                        "modules": [
                            step(
                                "tick",
                                py("def main(i: int):\n    return i * i\n", i="flow_input.iter.index"),
                                stop_after_if={"expr": "result >= 9"},
                            )
                        ],
                    },
                ),
                step("after", py("def main(xs: list):\n    return len(xs)\n", xs="results.count")),
            ]
        },
    )
    done = finished(kiln, run_flow(kiln, "f/loops/while"))
    assert (done["status"], node(done, "count")["result"], done["result"]) == ("success", [0, 1, 4, 9], 4), (
        done
    )


def test_a_loop_in_a_branch_in_a_loop(kiln: Kiln) -> None:
    inner = step(
        "inner",
        {
            "type": "forloopflow",
            "iterator": {"type": "javascript", "expr": "[1, 2].map(k => k * flow_input.iter.value)"},
            "modules": [step("leaf", py("def main(v: int):\n    return v + 1\n", v="flow_input.iter.value"))],
        },
    )
    save_flow(
        kiln,
        "f/loops/nested",
        {
            "modules": [
                step(
                    "outer",
                    {
                        "type": "forloopflow",
                        "iterator": {"type": "static", "value": [1, 2, 3]},
                        "parallel": True,
                        "modules": [
                            step(
                                "odd",
                                {
                                    "type": "branchone",
                                    "branches": [
                                        {"expr": "flow_input.iter.value % 2 == 1", "modules": [inner]}
                                    ],
                                    "default": [step("even", {"type": "identity"})],
                                },
                            )
                        ],
                    },
                ),
            ]
        },
    )
    done = finished(kiln, run_flow(kiln, "f/loops/nested"))
    assert done["status"] == "success", done
    # item 1 → [2, 3]; item 2 → the default branch (identity of the result before: null); item 3 → [4, 7]
    assert done["result"] == [[2, 3], None, [4, 7]]
    assert node(done, "outer/2/odd/0/inner/1/leaf")["result"] == 7


def test_step_options_retry_timeout_skip_continue_stop_sleep_cache_and_mock(kiln: Kiln) -> None:
    flaky = "def main():\n    raise RuntimeError('always')\n"
    save_flow(
        kiln,
        "f/options/all",
        {
            "modules": [
                step(
                    "retried",
                    py(flaky),
                    retry={"constant": {"attempts": 2, "seconds": 0}},
                    continue_on_error=True,
                ),
                step(
                    "slow",
                    py("import time\n\ndef main():\n    time.sleep(30)\n"),
                    timeout=2,
                    continue_on_error=True,
                ),
                step("skipped", py("def main():\n    return 'ran'\n"), skip_if={"expr": "flow_input.skip"}),
                step("nap", {"type": "identity"}, sleep={"type": "javascript", "expr": "1"}),
                step(
                    "cached",
                    py("import random\n\ndef main(k: int):\n    return random.random()\n", k="flow_input.k"),
                    cache_ttl=600,
                ),
                step(
                    "mocked",
                    py("def main():\n    raise SystemExit(1)\n"),
                    mock={"enabled": True, "return_value": {"fake": True}},
                ),
                step(
                    "stop",
                    {"type": "identity"},
                    stop_after_if={"expr": "flow_input.stop", "skip_if_stopped": True},
                ),
                step("last", py("def main():\n    return 'end'\n")),
            ]
        },
    )
    first = finished(kiln, run_flow(kiln, "f/options/all", {"skip": True, "k": 1, "stop": False}))
    assert first["status"] == "success", first
    steps = first["flow_status"]["steps"]
    retried = job(kiln, steps["retried"]["job"])
    assert (retried["status"], retried["retries"]) == ("failure", 2)  # ran three times, then gave up
    assert steps["retried"]["result"]["message"] == "always"  # continue_on_error: the error is its result
    assert job(kiln, steps["slow"]["job"])["status"] == "timeout" and steps["slow"]["status"] == "failure"
    assert steps["skipped"]["status"] == "skipped"
    from datetime import datetime

    napped = datetime.fromisoformat(steps["nap"]["finished_at"]) - datetime.fromisoformat(
        steps["nap"]["started_at"]
    )
    assert napped.total_seconds() >= 1
    assert steps["mocked"]["result"] == {"fake": True} and "job" not in steps["mocked"]
    assert first["result"] == "end"

    again = finished(kiln, run_flow(kiln, "f/options/all", {"skip": False, "k": 1, "stop": True}))
    steps2 = again["flow_status"]["steps"]
    assert steps2["skipped"]["result"] == "ran"
    assert steps2["cached"]["result"] == steps["cached"]["result"] and steps2["cached"].get("cached")
    assert "job" not in steps2["cached"]  # served from the cache: no job ran
    assert (again["status"], again["flow_status"]["stopped"], again["flow_status"]["skipped"]) == (
        "success",
        True,
        True,
    )
    assert steps2["last"]["status"] == "waiting"  # never started: the run stopped before it


def test_a_failure_module_gets_the_error_and_the_flow_fails(kiln: Kiln) -> None:
    save_flow(
        kiln,
        "f/errors/handled",
        {
            "modules": [
                step("ok", py("def main():\n    return 1\n")),
                step(
                    "boom", py("def main(x: int):\n    raise KeyError('missing ' + str(x))\n", x="results.ok")
                ),
                step("never", py("def main():\n    return 0\n")),
            ],
            "failure_module": step(
                "failure",
                py(
                    "def main(error: dict):\n    print('handling', error['step_id'])\n"
                    "    return {'alerted': error['step_id'], 'name': error['name']}\n",
                    error="error",
                ),
            ),
        },
    )
    done = finished(kiln, run_flow(kiln, "f/errors/handled"))
    assert done["status"] == "failure", done
    assert done["error"]["step_id"] == "boom" and "missing 1" in done["error"]["message"]
    assert done["result"] == {"alerted": "boom", "name": "KeyError"}
    assert done["flow_status"]["steps"]["never"]["status"] == "waiting"


def test_an_expression_error_fails_the_step_with_the_expression_and_a_runaway_one_times_out(
    kiln: Kiln,
) -> None:
    save_flow(
        kiln,
        "f/errors/expr",
        {
            "modules": [
                step("bad", py("def main(x: int):\n    return x\n", x="flow_input.missing.deeper")),
            ]
        },
    )
    done = finished(kiln, run_flow(kiln, "f/errors/expr"))
    assert done["status"] == "failure"
    assert done["error"]["name"] == "ExpressionError" and done["error"]["expr"] == "flow_input.missing.deeper"
    assert "TypeError" in done["error"]["message"]

    save_flow(
        kiln,
        "f/errors/forever",
        {
            "modules": [
                step("spin", py("def main(x: int):\n    return x\n", x="(() => { while (true) {} })()")),
            ]
        },
    )
    spun = finished(kiln, run_flow(kiln, "f/errors/forever"))
    assert spun["status"] == "failure" and "Timeout" in spun["error"]["message"], spun["error"]


def test_early_return_answers_the_sync_call_while_the_rest_goes_on(kiln: Kiln) -> None:
    save_flow(
        kiln,
        "f/sync/early",
        {
            "early_return": "quick",
            "modules": [
                step("quick", py("def main(n: int):\n    return {'accepted': n}\n", n="flow_input.n")),
                step("slow", py("import time\n\ndef main():\n    time.sleep(3)\n    return 'later'\n")),
            ],
        },
    )
    started = time.monotonic()
    status, body, headers = kiln.request("POST", "/api/w/main/jobs/run_wait_result/f/f/sync/early", {"n": 7})
    assert (status, body) == (200, {"accepted": 7}), body
    assert time.monotonic() - started < 3
    flow_id = headers["x-kiln-job-id"]
    assert job(kiln, flow_id)["status"] == "running"  # the rest goes on
    done = finished(kiln, flow_id)
    assert (done["status"], done["result"]) == ("success", "later")
    # Without early_return the sync call waits for the end.
    save_flow(kiln, "f/sync/plain", {"modules": [step("one", py("def main():\n    return [1]\n"))]})
    assert kiln.request("POST", "/api/w/main/jobs/run_wait_result/f/f/sync/plain", {})[:2] == (200, [1])
    # With early_return, the answer is that step's result even when the rest ends first.
    quick = {"early_return": "first", "modules": [step("first", {"type": "identity"}), step("then", py(ONE))]}
    save_flow(kiln, "f/sync/both_quick", quick)
    assert kiln.request("POST", "/api/w/main/jobs/run_wait_result/f/f/sync/both_quick", {})[:2] == (200, None)


ONE = "def main():\n    return 1\n"


def test_cancel_stops_the_running_step_and_restart_reuses_earlier_results(kiln: Kiln) -> None:
    save_flow(
        kiln,
        "f/ops/long",
        {
            "modules": [
                step("first", py("import random\n\ndef main():\n    return random.random()\n")),
                step(
                    "second",
                    py(
                        "import time\n\ndef main(x: float):\n    time.sleep(60)\n    return x\n",
                        x="results.first",
                    ),
                ),
            ]
        },
    )
    flow_id = run_flow(kiln, "f/ops/long")
    wait_until(
        kiln, flow_id, lambda j: (j["flow_status"] or {}).get("steps", {}).get("second", {}).get("job")
    )
    status, body, _ = kiln.request("POST", f"/api/w/main/jobs/{flow_id}/cancel")
    assert status == 200, body
    done = finished(kiln, flow_id, 10)
    assert done["status"] == "canceled"
    second = finished(kiln, node(done, "second")["job"], 15)
    assert second["status"] == "canceled"

    status, body, _ = kiln.request("POST", f"/api/w/main/jobs/{flow_id}/restart", {"step": "second"})
    assert status == 201, body
    again = suspended_or_running(kiln, body["id"], "second")
    assert node(again, "first")["result"] == node(done, "first")["result"] and node(again, "first")["reused"]
    kiln.request("POST", f"/api/w/main/jobs/{body['id']}/cancel")
    assert kiln.request("POST", f"/api/w/main/jobs/{flow_id}/restart", {"step": "nope"})[0] == 400


def suspended_or_running(kiln: Kiln, flow_id: str, key: str) -> dict[str, Any]:
    return wait_until(kiln, flow_id, lambda j: key in ((j["flow_status"] or {}).get("steps") or {}))


def test_an_approval_holds_no_worker_resumes_with_form_values_and_times_out(kiln: Kiln) -> None:
    form = {"type": "object", "properties": {"note": {"type": "string"}}, "required": ["note"]}
    save_flow(
        kiln,
        "f/approve/form",
        {
            "modules": [
                step(
                    "ask",
                    {"type": "identity"},
                    suspend={"required_events": 2, "timeout": 600, "resume_form": {"schema": form}},
                ),
                step("use", py("def main(note: str):\n    return 'approved: ' + note\n", note="resume.note")),
            ]
        },
    )
    waiting = [run_flow(kiln, "f/approve/form") for _ in range(3)]  # more than the 2 worker slots
    for flow_id in waiting:
        suspended(kiln, flow_id)
    # All three wait, and still a job runs at once: no worker slot is held by a waiting flow.
    kiln.save_script("u/admin/quick", "def main():\n    return 'quick'\n")
    assert kiln.request("POST", "/api/w/main/jobs/run_wait_result/p/u/admin/quick", {})[:2] == (200, "quick")

    flow_id = waiting[0]
    urls = [
        kiln.request("GET", f"/api/w/main/jobs/{flow_id}/resume_urls?approver={who}")[1]
        for who in ("ann", "bob")
    ]
    first = local(urls[0]["resume"])
    assert kiln.request("POST", first, {}, token="")[0] == 400  # the form's `note` is required
    assert kiln.request("POST", first, {"note": "one"}, token="")[1]["approvals"] == 1
    assert (
        kiln.request("POST", first, {"note": "one"}, token="")[1]["approvals"] == 1
    )  # the same URL counts once
    assert job(kiln, flow_id)["status"] == "running"
    info = kiln.request("GET", local(urls[1]["resume"]), token="")[1]
    assert info["resume_form"] == form and info["required_events"] == 2
    kiln.request("POST", local(urls[1]["resume"]), {"note": "two"}, token="")
    done = finished(kiln, flow_id)
    assert (done["status"], done["result"]) == ("success", "approved: two")

    # A rejection through the cancel URL cancels the run.
    cancel = kiln.request("GET", f"/api/w/main/jobs/{waiting[1]}/resume_urls")[1]["cancel"]
    assert kiln.request("POST", local(cancel), token="")[0] == 200
    rejected = finished(kiln, waiting[1])
    assert rejected["status"] == "canceled" and "rejected" in rejected["error"]["message"]
    kiln.request("POST", f"/api/w/main/jobs/{waiting[2]}/cancel")

    save_flow(
        kiln, "f/approve/short", {"modules": [step("ask", {"type": "identity"}, suspend={"timeout": 1})]}
    )
    timed_out = finished(kiln, run_flow(kiln, "f/approve/short"), 30)
    assert timed_out["status"] == "canceled" and timed_out["error"]["name"] == "ApprovalTimeout", timed_out


def local(url: str) -> str:
    """A signed URL's path and query (its public URL names another port than the test's)."""
    return url.replace(kiln_public(url), "")


def test_flows_run_from_webhook_tokens_and_schedules(kiln: Kiln) -> None:
    save_flow(
        kiln,
        "f/hooks/flow",
        {"modules": [step("echo", py("def main(v: str = 'none'):\n    return v\n", v="flow_input.v"))]},
        schema={"type": "object", "properties": {"v": {"type": "string"}}},
    )
    _, made, _ = kiln.request("POST", "/api/w/main/webhook_tokens", {"label": "flow", "path": "f/hooks/flow"})
    status, body, _ = kiln.request(
        "POST",
        f"/api/w/main/jobs/run_wait_result/f/f/hooks/flow?token={made['token']}",
        {"v": "hook"},
        token="",
    )
    assert (status, body) == (200, "hook"), body
    status, body, _ = kiln.request("POST", "/api/w/main/jobs/run/p/f/hooks/other", {}, token=made["token"])
    assert status == 403

    schedule = {
        "path": "f/hooks/every_second",
        "script_path": "f/hooks/flow",
        "is_flow": True,
        "cron": "* * * * * *",
        "args": {"v": "tick"},
    }
    status, body, _ = kiln.request("POST", "/api/w/main/schedules", schedule)
    assert status == 201, body
    try:
        deadline = time.monotonic() + 30
        while True:
            runs = kiln.request("GET", "/api/w/main/jobs?trigger=schedule&path=f/hooks/flow")[1]["items"]
            done = [r for r in runs if r["status"] == "success"]
            if done:
                break
            assert time.monotonic() < deadline, runs
            time.sleep(0.5)
        assert job(kiln, done[0]["id"])["result"] == "tick" and done[0]["kind"] == "flow"
    finally:
        kiln.request("DELETE", "/api/w/main/schedules/p/f/hooks/every_second")


def test_a_concurrency_limit_queues_the_next_run(kiln: Kiln) -> None:
    save_flow(
        kiln,
        "f/limits/one",
        {
            "concurrent_limit": 1,
            "modules": [
                step("hold", py("import time\n\ndef main():\n    time.sleep(1.5)\n    return time.time()\n"))
            ],
        },
    )
    ids = [run_flow(kiln, "f/limits/one") for _ in range(2)]
    runs = [finished(kiln, i) for i in ids]
    assert [r["status"] for r in runs] == ["success", "success"]
    spans = sorted((r["started_at"], r["finished_at"]) for r in runs)
    assert spans[0][1] <= spans[1][0], spans  # the second run started after the first ended


def test_a_flow_runs_steps_are_pushed_to_its_websocket_as_they_move(kiln: Kiln) -> None:
    import json

    from websockets.sync.client import connect

    nap = "import time\n\ndef main():\n    time.sleep(0.5)\n    return 1\n"
    save_flow(kiln, "f/live/three", {"modules": [step(f"s{i}", py(nap)) for i in range(3)]})
    flow_id = run_flow(kiln, "f/live/three")
    url = f"{kiln.url.replace('http://', 'ws://')}/ws/w/main/jobs/{flow_id}/logs?from=0&token={kiln.token}"
    seen: list[dict[str, Any]] = []
    with connect(url, open_timeout=10) as ws:
        while True:
            message = json.loads(ws.recv(timeout=60))
            if message["type"] == "done":
                assert message["status"] == "success"
                break
            if message["type"] == "flow":
                seen.append(message["flow_status"]["steps"])
    # Each later step was pushed while running (its child job known), then as a success.
    for key in ("s1", "s2"):
        states = [steps[key]["status"] for steps in seen if key in steps]
        started = [state for state in states if state != "waiting"]  # shown before it starts, too
        assert started[0] == "running" and started[-1] == "success", (key, states)
        assert any(steps.get(key, {}).get("job") for steps in seen)
    assert "result" not in seen[-1]["s2"]  # viewers get statuses; results are read from the job
