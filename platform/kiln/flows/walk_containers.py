"""Loops and branches: how a for-loop, a while-loop or a branchall moves its iterations or
branches on (each one a sequence driven by `Walk.seq`), and what their outcomes mean for the
module as a whole."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from .expressions import ExpressionError

if TYPE_CHECKING:
    from .walk import Outcome, Scope, Walk

RUNNING, SUCCESS, FAILURE, CANCELED = "running", "success", "failure", "canceled"


def drive_loop(
    walk: Walk, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope, count: int | None
) -> None:
    value = module["value"]
    iters: dict[str, dict[str, Any]] = node["iters"]
    width = int(node.get("parallelism") or 1) if value.get("parallel") else 1
    for place, record in list(iters.items()):
        if record["status"] == RUNNING:
            iteration(walk, module, key, node, scope, int(place), record)
            if node["status"] != RUNNING:
                return
    cap = settings.KILN_FLOW_MAX_ITERATIONS
    while not node.get("break") and (count is None or len(iters) < count):
        if sum(1 for r in iters.values() if r["status"] == RUNNING) >= width:
            return
        if len(iters) >= cap:
            walk.end(
                node,
                FAILURE,
                error={
                    "name": "TooManyIterations",
                    "message": f"the loop reached {cap} iterations",
                    "step_id": module["id"],
                },
            )
            return
        record = iters[str(len(iters))] = {"status": RUNNING}
        iteration(walk, module, key, node, scope, len(iters) - 1, record)
        if node["status"] != RUNNING:
            return
    if any(r["status"] == RUNNING for r in iters.values()):
        return
    results = [iters[str(i)].get("result") for i in range(len(iters))]
    walk.settle(module, key, node, scope, results)


def iteration(
    walk: Walk,
    module: dict[str, Any],
    key: str,
    node: dict[str, Any],
    scope: Scope,
    index: int,
    record: dict[str, Any],
) -> None:
    items = node.get("items")
    item = items[index] if items is not None else index
    inner = replace(scope, flow_input={**scope.flow_input, "iter": {"value": item, "index": index}})
    out = walk.seq(module["value"]["modules"], f"{key}/{index}/", inner)
    record_part(
        walk, module, key, node, record, out, skip_failures=bool(module["value"].get("skip_failures"))
    )


def drive_branches(walk: Walk, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope) -> None:
    value = module["value"]
    parts: dict[str, dict[str, Any]] = node["iters"]
    for i, branch in enumerate(value["branches"]):
        record = parts.get(str(i))
        if record is None:
            if not value.get("parallel") and any(r["status"] == RUNNING for r in parts.values()):
                return
            record = parts[str(i)] = {"status": RUNNING}
        if record["status"] != RUNNING:
            continue
        out = walk.seq(branch["modules"], f"{key}/{i}/", scope)
        record_part(walk, module, key, node, record, out, skip_failures=bool(branch.get("skip_failure")))
        if node["status"] != RUNNING:
            return
    if any(r["status"] == RUNNING for r in parts.values()) or len(parts) < len(value["branches"]):
        return
    walk.settle(module, key, node, scope, [parts[str(i)].get("result") for i in range(len(parts))])


def record_part(
    walk: Walk,
    module: dict[str, Any],
    key: str,
    node: dict[str, Any],
    record: dict[str, Any],
    out: Outcome,
    *,
    skip_failures: bool,
) -> None:
    """An iteration's or a branch's outcome, and what it means for the whole module."""
    if out.kind == "running":
        return
    if out.kind == "failed" and skip_failures:
        record |= {"status": FAILURE, "result": out.error}
        return
    if out.kind in ("failed", "canceled"):
        record["status"] = FAILURE if out.kind == "failed" else CANCELED
        walk.to_cancel.append(f"{key}/")  # the other iterations or branches still running
        walk.end(node, FAILURE if out.kind == "failed" else CANCELED, error=out.error)
        return
    record |= {"status": SUCCESS, "result": out.result}
    if out.kind == "stopped":
        node["break"] = True  # a stop inside a loop ends the loop; in branchall, its branch


def parallelism(walk: Walk, value: dict[str, Any], scope: Scope, count: int) -> int:
    raw = value.get("parallelism")
    if raw is None or not value.get("parallel"):
        return max(count, 1) if value.get("parallel") else 1
    width = raw if isinstance(raw, int) else walk.transform_value(raw, scope)
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise ExpressionError(
            "TypeError", f"parallelism must be a whole number of at least 1, not {width!r}", str(raw)
        )
    return width
