"""Flows under stress, each on a platform of its own: a worker killed mid-flow, and a wide
parallel loop that must keep to its `parallelism`."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime

import pytest

from tests.e2e.harness import Kiln
from tests.e2e.test_chaos import worker_pid
from tests.e2e.test_flows import finished, job, py, run_flow, save_flow, step, steps_of

pytestmark = pytest.mark.e2e

SLOW_STEP = (
    "import time\n\ndef main(i: int):\n    print('step', i, flush=True)\n    time.sleep(1)\n    return i\n"
)


def test_a_flow_whose_worker_is_killed_completes_with_every_step_once(new_kiln: Kiln) -> None:
    new_kiln.env.update(KILN_LEASE_SECONDS="6", KILN_SCHEDULER_INTERVAL="1")
    new_kiln.start()
    modules = [step(f"s{i}", py(SLOW_STEP, i=str(i))) for i in range(6)]
    save_flow(new_kiln, "u/admin/six", {"modules": modules})
    flow_id = run_flow(new_kiln, "u/admin/six")
    deadline = time.monotonic() + 60
    while True:  # wait until the third step runs, then kill the worker mid-step
        nodes = (job(new_kiln, flow_id)["flow_status"] or {}).get("steps", {})
        third = nodes.get("s2", {}).get("job")
        if third and "step 2" in job(new_kiln, third)["logs"]:
            break
        assert time.monotonic() < deadline, nodes
        time.sleep(0.1)
    os.killpg(worker_pid(new_kiln), signal.SIGKILL)  # the worker, its pool and their jails

    done = finished(new_kiln, flow_id, 120)
    assert (done["status"], done["result"]) == ("success", 5), done
    children = steps_of(new_kiln, flow_id)
    assert sorted(c["flow_step"] for c in children) == [f"s{i}" for i in range(6)]  # each step once
    assert all(c["status"] == "success" for c in children)
    killed = job(new_kiln, done["flow_status"]["steps"]["s2"]["job"])
    assert killed["attempt"] == 2 and "lost its worker" in killed["logs"]
    assert "restarting it" in new_kiln.output()


def test_a_parallel_loop_of_100_items_never_runs_more_than_its_parallelism(new_kiln: Kiln) -> None:
    new_kiln.env.update(KILN_WORKER_CONCURRENCY="14")  # more slots than the loop may use
    new_kiln.start()
    body = {
        "type": "rawscript",
        "language": "bash",
        "content": 'sleep 0.3\necho "$1"\n',
        "input_transforms": {"i": {"type": "javascript", "expr": "flow_input.iter.index"}},
    }
    loop = {
        "type": "forloopflow",
        "iterator": {"type": "javascript", "expr": "Array.from({length: 100}, (_, i) => i)"},
        "parallel": True,
        "parallelism": {"type": "static", "value": 10},
        "modules": [step("item", body)],
    }
    save_flow(new_kiln, "u/admin/wide", {"modules": [step("fan", loop)]})
    done = finished(new_kiln, run_flow(new_kiln, "u/admin/wide"), 300)
    assert done["status"] == "success", done.get("error")
    assert len(done["result"]) == 100
    children = steps_of(new_kiln, done["id"])
    assert len(children) == 100 and all(c["status"] == "success" for c in children)
    edges = []
    for child in children:
        edges += [
            (datetime.fromisoformat(child["created_at"]), 1),
            (datetime.fromisoformat(child["finished_at"]), -1),
        ]
    running = most = 0
    for _, change in sorted(edges):  # an end sorts before a start at the same instant
        running += change
        most = max(most, running)
    assert most <= 10, most
    assert most >= 4, most  # and it did run in parallel
