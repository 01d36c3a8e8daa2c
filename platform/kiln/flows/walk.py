"""Advancing one flow run: walk its spec against its status and start whatever may start now.

The status (`Job.flow_status`) holds one node per step that has started, keyed by the step's
place: `fetch`, `score/3/score_one` (iteration 3 of loop `score`), `decide/0/approve` (branch
0 of `decide`), `decide/default/nothing`. Events only record facts on nodes (a child job's
outcome, an approval); `Walk.drive()` does every decision, from the top, each time: finished
nodes just hand their results on, so driving twice is harmless. It runs inside the
transaction that holds the flow row locked (kiln.flows.engine).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kiln.jobs.models import Job

from .expressions import ExpressionError, evaluate, evaluate_many
from .steps import StepError, cache_get, cache_key, cache_put, step_job_create
from .walk_containers import drive_branches, drive_loop, parallelism

log = logging.getLogger(__name__)

RUNNING, SUSPENDED, SLEEPING = "running", "suspended", "sleeping"
SUCCESS, FAILURE, SKIPPED, CANCELED = "success", "failure", "skipped", "canceled"
ACTIVE = frozenset({RUNNING, SUSPENDED, SLEEPING})
JOB_KINDS = frozenset({"rawscript", "script", "flow"})
DEFAULT_APPROVAL_TIMEOUT_S = 24 * 3600


@dataclass
class Scope:
    """What a step's expressions see."""

    flow_input: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)
    previous_result: Any = None
    resume: Any = None
    extra: dict[str, Any] = field(default_factory=dict)  # `error` in the failure module

    def js(self, **more: Any) -> dict[str, Any]:
        return {
            "flow_input": self.flow_input,
            "results": self.results,
            "previous_result": self.previous_result,
            "resume": self.resume,
            **self.extra,
            **more,
        }


@dataclass
class Outcome:
    kind: str  # running | done | failed | stopped | canceled
    result: Any = None
    error: dict[str, Any] | None = None
    skipped: bool = False  # stopped with skip_if_stopped


def iso(moment: datetime) -> str:
    return moment.isoformat()


class Walk:
    def __init__(self, job: Job) -> None:
        self.job = job
        self.status: dict[str, Any] = job.flow_status or {}
        self.nodes: dict[str, dict[str, Any]] = self.status.setdefault("steps", {})
        self.value: dict[str, Any] = job.flow_version.value  # type: ignore[union-attr]
        self.now = timezone.now()
        self.early_result: dict[str, Any] | None = None  # set when the early_return step ends now
        self.to_cancel: list[str] = []  # key prefixes whose child jobs must be canceled

    # --- sequences -------------------------------------------------------------------------

    def seq(self, modules: list[dict[str, Any]], prefix: str, scope: Scope) -> Outcome:
        """Drive a list of modules in order; the outcome of the list as a whole."""
        results = dict(scope.results)  # this level's ids stay at this level
        prev, resume = scope.previous_result, scope.resume
        for module in modules:
            key = prefix + module["id"]
            here = replace(scope, results=results, previous_result=prev, resume=resume)
            node = self.nodes.get(key)
            if node is None:
                node = self.start(module, key, here)
            elif node["status"] in ACTIVE:
                self.drive(module, key, node, here)
            status = node["status"]
            if status in ACTIVE:
                return Outcome("running")
            if status == CANCELED:
                return Outcome("canceled", error=node.get("error"))
            if status == FAILURE and not node.get("continued"):
                return Outcome("failed", error=node.get("error"))
            results[module["id"]] = node.get("result")
            if status == SKIPPED:
                continue  # a skipped step hands on the result before it
            prev, resume = node.get("result"), node.get("resume")
            if node.get("stopped"):
                return Outcome("stopped", result=prev, skipped=node["stopped"] == "skip")
        return Outcome("done", result=prev)

    # --- one module ------------------------------------------------------------------------

    def start(self, module: dict[str, Any], key: str, scope: Scope) -> dict[str, Any]:
        value = module["value"]
        node: dict[str, Any] = {"id": module["id"], "type": value["type"], "status": RUNNING}
        node["started_at"] = iso(self.now)
        self.nodes[key] = node
        mock = module.get("mock") or {}
        if mock.get("enabled"):
            self.settle(module, key, node, scope, mock.get("return_value"))
            return node
        skip = module.get("skip_if")
        if skip:
            try:
                if evaluate(skip["expr"], scope.js()):
                    self.end(node, SKIPPED, result=None)
                    return node
            except ExpressionError as exc:
                self.fail_expr(node, exc, "skip_if.expr")
                return node
        try:
            self.begin(module, key, node, scope)
        except ExpressionError as exc:
            self.fail_expr(node, exc)
        except StepError as exc:
            self.end(node, FAILURE, error={"name": exc.name, "message": exc.message, "step_id": module["id"]})
        return node

    def begin(self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope) -> None:
        value = module["value"]
        kind = value["type"]
        if kind == "identity":
            self.settle(module, key, node, scope, scope.previous_result)
        elif kind in JOB_KINDS:
            args = self.transforms(value.get("input_transforms") or {}, scope)
            ttl = int(module.get("cache_ttl") or 0)
            if ttl and kind != "flow":
                node["cache_key"] = cache_key(self.job, module, args)
                hit, cached = cache_get(self.job, node["cache_key"])
                if hit:
                    node["cached"] = True
                    self.settle(module, key, node, scope, cached)
                    return
            child = step_job_create(flow_job=self.job, key=key, module=module, args=args)
            node["job"] = str(child.id)
        elif kind == "forloopflow":
            items = (
                evaluate(value["iterator"]["expr"], scope.js())
                if value["iterator"]["type"] == "javascript"
                else value["iterator"].get("value")
            )
            if not isinstance(items, list):
                raise ExpressionError(
                    "TypeError",
                    f"the iterator must be a list, not {type(items).__name__}",
                    value["iterator"].get("expr", "static"),
                )
            node |= {"items": items, "parallelism": parallelism(self, value, scope, len(items)), "iters": {}}
            self.drive(module, key, node, scope)
        elif kind == "whileloopflow":
            node["iters"] = {}
            self.drive(module, key, node, scope)
        elif kind == "branchone":
            node["branch"] = "default"
            for i, branch in enumerate(value["branches"]):
                try:
                    chosen = evaluate(branch["expr"], scope.js())
                except ExpressionError as exc:
                    self.fail_expr(node, exc, f"branches[{i}].expr")
                    return
                if chosen:
                    node["branch"] = i
                    break
            self.drive(module, key, node, scope)
        elif kind == "branchall":
            node["iters"] = {}
            self.drive(module, key, node, scope)

    def drive(self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope) -> None:
        """Move an active node on, if anything it waits for has happened."""
        status, kind = node["status"], module["value"]["type"]
        if status == SLEEPING:
            if self.now >= datetime.fromisoformat(node["wake_at"]):
                self.succeed(module, key, node)
        elif status == SUSPENDED:
            self.drive_suspended(module, key, node, scope)
        elif kind in JOB_KINDS or kind == "identity":
            outcome = node.pop("outcome", None)  # recorded by the child's end (engine.child_ended)
            if outcome is not None:
                self.job_ended(module, key, node, scope, outcome)
        elif kind == "forloopflow":
            drive_loop(self, module, key, node, scope, count=len(node["items"]))
        elif kind == "whileloopflow":
            drive_loop(self, module, key, node, scope, count=None)
        elif kind == "branchone":
            body = (
                module["value"]["branches"][node["branch"]]["modules"]
                if node["branch"] != "default"
                else module["value"]["default"]
            )
            self.after_body(module, key, node, scope, self.seq(body, f"{key}/{node['branch']}/", scope))
        elif kind == "branchall":
            drive_branches(self, module, key, node, scope)

    def job_ended(
        self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope, outcome: dict[str, Any]
    ) -> None:
        if outcome["status"] == SUCCESS:
            self.settle(module, key, node, scope, outcome.get("result"))
            return
        error = {**(outcome.get("error") or {}), "step_id": module["id"], "job": node.get("job")}
        error.setdefault("name", "Error")
        error.setdefault("message", f"the step ended {outcome['status']}")
        if module.get("continue_on_error"):
            node["continued"] = True
            self.end(node, FAILURE, result=error, error=error)
        else:
            self.end(node, FAILURE, error=error)

    def after_body(
        self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope, out: Outcome
    ) -> None:
        """A branch's body ended (or not yet): the module's outcome is the body's."""
        if out.kind == "running":
            return
        if out.kind == "failed":
            self.end(node, FAILURE, error=out.error)
        elif out.kind == "canceled":
            self.end(node, CANCELED, error=out.error)
        else:
            if out.kind == "stopped":
                node["stopped"] = "skip" if out.skipped else "stop"
            self.settle(module, key, node, scope, out.result)

    # --- after a module's work: stop_after_if, suspend, sleep ------------------------------

    def settle(
        self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope, result: Any
    ) -> None:
        node["result"] = result
        for name in ("stop_after_if", "stop_after_all_iters_if"):
            rule = module.get(name)
            if not rule or node.get("stopped"):
                continue
            results = {**scope.results, module["id"]: result}
            try:
                stop = evaluate(rule["expr"], scope.js(result=result, results=results))
            except ExpressionError as exc:
                self.fail_expr(node, exc, f"{name}.expr")
                return
            if stop:
                if rule.get("error_message"):
                    self.end(
                        node,
                        FAILURE,
                        error={"name": "Stopped", "message": rule["error_message"], "step_id": module["id"]},
                    )
                    return
                node["stopped"] = "skip" if rule.get("skip_if_stopped") else "stop"
        suspend = module.get("suspend")
        if suspend and not node.get("stopped"):
            timeout = int(suspend.get("timeout") or DEFAULT_APPROVAL_TIMEOUT_S)
            node |= {
                "status": SUSPENDED,
                "approvals": [],
                "required_events": int(suspend.get("required_events") or 1),
                "resume_deadline": iso(self.now + timedelta(seconds=timeout)),
            }
            return
        self.after_suspend(module, key, node, scope)

    def after_suspend(self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope) -> None:
        sleep = module.get("sleep")
        if sleep is not None:
            try:
                seconds = self.transform_value(sleep, scope) if isinstance(sleep, dict) else sleep
            except ExpressionError as exc:
                self.fail_expr(node, exc, "sleep.expr")
                return
            if isinstance(seconds, (int, float)) and seconds > 0:
                node |= {"status": SLEEPING, "wake_at": iso(self.now + timedelta(seconds=float(seconds)))}
                return
        self.succeed(module, key, node)

    def succeed(self, module: dict[str, Any], key: str, node: dict[str, Any]) -> None:
        ttl = int(module.get("cache_ttl") or 0)
        if ttl and node.get("cache_key") and not node.get("cached"):
            cache_put(self.job, node["cache_key"], node.get("result"), ttl)
        self.end(node, SUCCESS, result=node.get("result"))
        if key == self.value.get("early_return") and "early_return" not in self.status:
            self.status["early_return"] = {"result": node.get("result")}
            self.early_result = self.status["early_return"]

    def drive_suspended(self, module: dict[str, Any], key: str, node: dict[str, Any], scope: Scope) -> None:
        if node.get("rejected"):
            by = node["rejected"]
            self.end(
                node,
                CANCELED,
                error={
                    "name": "Canceled",
                    "message": f"rejected by {by} at step '{module['id']}'",
                    "step_id": module["id"],
                },
            )
        elif len(node["approvals"]) >= node["required_events"]:
            node["resume"] = node["approvals"][-1].get("payload")
            node["status"] = RUNNING
            self.after_suspend(module, key, node, scope)
        elif self.now >= datetime.fromisoformat(node["resume_deadline"]):
            message = f"no approval of step '{module['id']}' arrived before its timeout"
            self.end(
                node, CANCELED, error={"name": "ApprovalTimeout", "message": message, "step_id": module["id"]}
            )

    # --- helpers ---------------------------------------------------------------------------

    def transforms(self, transforms: dict[str, Any], scope: Scope) -> dict[str, Any]:
        args = {name: t.get("value") for name, t in transforms.items() if t.get("type") == "static"}
        exprs = [(name, t["expr"]) for name, t in transforms.items() if t.get("type") == "javascript"]
        if exprs:
            args |= evaluate_many(exprs, scope.js())
        return {name: args[name] for name in transforms}  # the spec's order

    def transform_value(self, transform: dict[str, Any], scope: Scope) -> Any:
        if transform.get("type") == "javascript":
            return evaluate(transform["expr"], scope.js())
        return transform.get("value")

    def fail_expr(self, node: dict[str, Any], exc: ExpressionError, where: str = "") -> None:
        field_name = where or getattr(exc, "field", "") or ""
        error = {
            "name": "ExpressionError",
            "message": str(exc),
            "step_id": node["id"],
            "expr": exc.expr,
            "field": field_name,
        }
        self.end(node, FAILURE, error=error)

    def end(
        self, node: dict[str, Any], status: str, *, result: Any = None, error: dict[str, Any] | None = None
    ) -> None:
        node["status"] = status
        node["finished_at"] = iso(self.now)
        if result is not None or status == SUCCESS:
            node["result"] = result
        if error is not None:
            node["error"] = error

    def next_timer(self) -> datetime | None:
        """When the flow must be looked at again with no event: a sleep's end, an approval's timeout."""
        times = []
        for node in self.nodes.values():
            if node["status"] == SLEEPING:
                times.append(datetime.fromisoformat(node["wake_at"]))
            elif node["status"] == SUSPENDED:
                times.append(datetime.fromisoformat(node["resume_deadline"]))
        return min(times) if times else None
