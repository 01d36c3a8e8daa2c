"""The second pass over a flow spec: what each expression may see, and what the flow names outside itself.

kiln.flows.spec checks the document's shape; this module walks the (possibly still malformed)
document again, so it reads every field defensively and skips what the first pass already
reported. It mirrors the engine (kiln.flows.walk): a sequence hands each step the results of the
steps before it, a container's inner results stay inside it, and the failure module may see
anything because any step may have run before the failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

AddIssue = Callable[[str, str], None]
SyntaxCheck = Callable[[str], str | None]
SubflowLookup = Callable[[str], Mapping[str, Any] | None]
ScriptExists = Callable[[str], bool]

LOOPS = frozenset({"forloopflow", "whileloopflow"})
BRANCHES = frozenset({"branchone", "branchall"})

# One pass over the text, leftmost match first: a comment or a string literal is consumed whole,
# so a `results.x` inside it is never seen; a template literal is kept for its ${...} parts.
_TOKENS = re.compile(
    r"""
      (?P<comment> //[^\n]* | /\*.*?\*/ )
    | (?P<string> "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*' )
    | (?P<template> `(?:[^`\\]|\\.)*` )
    | (?<![\w$.]) results \s* (?:\?\.|\.) \s* (?P<name>[A-Za-z_$][\w$]*)
    | (?<![\w$.]) results \s* (?:\?\.)? \s* \[ \s*
      (?P<quote>["']) (?P<key>(?:(?!(?P=quote))[^\\\n])*) (?P=quote) \s* \]
    """,
    re.VERBOSE | re.DOTALL,
)


def references(expr: str) -> set[str]:
    """The step ids an expression reads through `results`: `results.a`, `results?.a`, `results["a"]`."""
    found: set[str] = set()
    for match in _TOKENS.finditer(expr):
        if match["template"] is not None:
            for part in _interpolations(match["template"]):
                found |= references(part)
        elif match["name"] is not None:
            found.add(match["name"])
        elif match["key"] is not None:
            found.add(match["key"])
    return found


def _interpolations(template: str) -> Iterator[str]:
    """The code inside each ${...} of a template literal (braces counted, strings inside not)."""
    start = template.find("${")
    while start != -1:
        depth, end = 1, start + 2
        while end < len(template) and depth:
            depth += {"{": 1, "}": -1}.get(template[end], 0)
            end += 1
        yield template[start + 2 : end - 1]
        start = template.find("${", end)


# --- walking the modules ------------------------------------------------------------------------


def walk(value: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every module of a flow value, depth first and in order, the failure module last, with its path."""
    yield from _walk_list(value.get("modules"), "value.modules")
    failure = value.get("failure_module")
    if isinstance(failure, dict):
        yield from _walk_module(failure, "value.failure_module")


def module_ids(value: Mapping[str, Any]) -> list[str]:
    return [module["id"] for _, module in walk(value) if isinstance(module.get("id"), str)]


def _walk_list(modules: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(modules, list):
        for index, module in enumerate(modules):
            if isinstance(module, dict):
                yield from _walk_module(module, f"{path}[{index}]")


def _walk_module(module: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, module
    for inner_path, inner in children(module.get("value"), f"{path}.value"):
        yield from _walk_list(inner, inner_path)


def children(value: Any, path: str) -> list[tuple[str, Any]]:
    """The module lists directly inside a container's value (loop body, branches, default), with paths."""
    if not isinstance(value, dict):
        return []
    kind = value.get("type")
    if kind in LOOPS:
        return [(f"{path}.modules", value.get("modules"))]
    if kind not in BRANCHES:
        return []
    lists: list[tuple[str, Any]] = []
    branches = value.get("branches")
    if isinstance(branches, list):
        for index, branch in enumerate(branches):
            if isinstance(branch, dict):
                lists.append((f"{path}.branches[{index}].modules", branch.get("modules")))
    if kind == "branchone":
        lists.append((f"{path}.default", value.get("default")))
    return lists


# --- what each expression sees ------------------------------------------------------------------


class Scopes:
    """Checks every javascript expression against the ids visible where it runs."""

    def __init__(self, add: AddIssue, all_ids: set[str], syntax_check: SyntaxCheck | None) -> None:
        self.add = add
        self.all_ids = all_ids
        self.syntax_check = syntax_check

    def flow(self, value: Mapping[str, Any]) -> None:
        self.expr(value.get("skip_expr"), "value.skip_expr", frozenset())  # runs before any step
        self.sequence(value.get("modules"), "value.modules", frozenset())
        failure = value.get("failure_module")
        if isinstance(failure, dict):
            ran_before = frozenset(module_ids({"modules": value.get("modules")}))
            self.module(failure, "value.failure_module", ran_before)

    def sequence(self, modules: Any, path: str, outer: frozenset[str]) -> None:
        if not isinstance(modules, list):
            return
        seen = set(outer)
        for index, module in enumerate(modules):
            if isinstance(module, dict):
                self.module(module, f"{path}[{index}]", frozenset(seen))
                if isinstance(module.get("id"), str):
                    seen.add(module["id"])

    def module(self, module: dict[str, Any], path: str, visible: frozenset[str]) -> None:
        own = module.get("id")
        # stop_after_if(s) run once the step has its result, so they may read it by id.
        after = visible | {own} if isinstance(own, str) else visible
        self.condition(module.get("skip_if"), f"{path}.skip_if", visible)
        self.condition(module.get("stop_after_if"), f"{path}.stop_after_if", after)
        self.condition(module.get("stop_after_all_iters_if"), f"{path}.stop_after_all_iters_if", after)
        # The engine sleeps after the step but evaluates `sleep` in the scope its inputs had.
        self.transform(module.get("sleep"), f"{path}.sleep", visible)
        self.value(module.get("value"), f"{path}.value", visible)

    def value(self, value: Any, path: str, visible: frozenset[str]) -> None:
        if not isinstance(value, dict):
            return
        transforms = value.get("input_transforms")
        if isinstance(transforms, dict):
            for name, transform in transforms.items():
                self.transform(transform, f"{path}.input_transforms.{name}", visible)
        self.transform(value.get("iterator"), f"{path}.iterator", visible)
        self.transform(value.get("parallelism"), f"{path}.parallelism", visible)
        branches = value.get("branches")
        if value.get("type") == "branchone" and isinstance(branches, list):  # branchall ignores expr
            for index, branch in enumerate(branches):
                if isinstance(branch, dict):
                    self.expr(branch.get("expr"), f"{path}.branches[{index}].expr", visible)
        for inner_path, inner in children(value, path):
            self.sequence(inner, inner_path, visible)

    def condition(self, rule: Any, path: str, visible: frozenset[str]) -> None:
        if isinstance(rule, dict):
            self.expr(rule.get("expr"), f"{path}.expr", visible)

    def transform(self, transform: Any, path: str, visible: frozenset[str]) -> None:
        if isinstance(transform, dict) and transform.get("type") == "javascript":
            self.expr(transform.get("expr"), f"{path}.expr", visible)

    def expr(self, expr: Any, path: str, visible: frozenset[str]) -> None:
        if not isinstance(expr, str):
            return
        if self.syntax_check is not None:
            problem = self.syntax_check(expr)
            if problem:
                self.add(path, f"syntax error in expression: {problem}")
        for name in sorted(references(expr) - visible):
            if name in self.all_ids:
                self.add(path, f"results.{name}: step '{name}' does not precede this step")
            else:
                self.add(path, f"results.{name}: no step '{name}' in this flow")


# --- what the flow names outside itself ---------------------------------------------------------


def check_targets(
    value: Mapping[str, Any],
    add: AddIssue,
    *,
    subflow: SubflowLookup | None,
    script_exists: ScriptExists | None,
    self_path: str | None,
) -> None:
    """Scripts that must exist; subflows that must exist and must not lead back (the run would never end)."""
    cycles = Subflows(subflow, self_path) if subflow is not None else None
    scripts: dict[str, bool] = {}  # one lookup per path, however many steps call it
    for path, module in walk(value):
        target_value = module.get("value")
        if not isinstance(target_value, dict) or not isinstance(target_value.get("path"), str):
            continue
        target, kind = target_value["path"], target_value.get("type")
        if kind == "script" and script_exists is not None:
            if target not in scripts:
                scripts[target] = script_exists(target)
            if not scripts[target]:
                add(f"{path}.value.path", f"no script at path '{target}'")
        elif kind == "flow" and cycles is not None:
            problem = cycles.problem(target)
            if problem:
                add(f"{path}.value.path", problem)


class Subflows:
    """Finds cycles through `flow` modules; each stored flow is looked up at most once."""

    def __init__(self, lookup: SubflowLookup, self_path: str | None) -> None:
        self.lookup = lookup
        self.self_path = self_path
        self.docs: dict[str, Mapping[str, Any] | None] = {}
        self.acyclic: set[str] = set()  # explored to the end without meeting a cycle

    def problem(self, target: str) -> str | None:
        if target == self.self_path:  # the flow may not be stored yet: no lookup
            return f"flow cycle: {target} → {target}"
        if self.doc(target) is None:
            return f"no flow at path '{target}'"
        cycle = self.find(target, [self.self_path] if self.self_path else [])
        return "flow cycle: " + " → ".join(cycle) if cycle else None

    def doc(self, path: str) -> Mapping[str, Any] | None:
        if path not in self.docs:
            self.docs[path] = self.lookup(path)
        return self.docs[path]

    def targets(self, path: str) -> list[str]:
        doc = self.doc(path)
        value = doc.get("value") if doc is not None else None
        if not isinstance(value, Mapping):
            return []
        return [
            module["value"]["path"]
            for _, module in walk(value)
            if isinstance(module.get("value"), dict)
            and module["value"].get("type") == "flow"
            and isinstance(module["value"].get("path"), str)
        ]

    def find(self, start: str, prefix: list[str]) -> list[str] | None:
        """Depth-first from `start`; the first cycle met, closed (`a → b → a`), or None.

        Iterative, with an explicit stack: a chain of stored flows can be longer than Python's
        recursion limit."""
        chain = list(prefix)
        stack: list[Iterator[str]] = []
        pending: str | None = start
        while True:
            if pending is not None:
                if pending in chain:
                    return [*chain[chain.index(pending) :], pending]
                if pending not in self.acyclic:
                    if self.doc(pending) is None:
                        self.acyclic.add(pending)  # a missing subflow of a subflow: its own save reported it
                    else:
                        chain.append(pending)
                        stack.append(iter(self.targets(pending)))
            if not stack:
                return None
            pending = next(stack[-1], None)
            if pending is None:
                stack.pop()
                self.acyclic.add(chain.pop())
