"""The flow spec: the subset of Windmill's OpenFlow that Kiln runs, checked before it is stored.

`validate_flow` is the one gate: it reports every problem at once (up to MAX_ISSUES), each with
the dotted path of the bad field (`value.modules[2].value.iterator`), so the editor can point at
it, and returns the document with its defaults filled, which is what the engine reads. The first
pass here checks the shape; the second (kiln.flows.spec_scope) checks what each expression may
see and what the flow names outside itself. Pure Python: the callers bring the lookups.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from kiln.flows import spec_scope
from kiln.flows.spec_scope import (
    BRANCHES,
    LOOPS,
    ScriptExists,
    SubflowLookup,
    SyntaxCheck,
    module_ids,
    references,
    walk,
)
from kiln.flows.spec_text import (
    MAX_SPEC_BYTES,
    NOT_A_MAPPING,
    SpecError,
    SpecIssue,
    SpecTooLarge,
    dump_text,
    encode_plain,
    load_text,
)
from scripts_runtime import registry

__all__ = [
    "MAX_SPEC_BYTES",
    "SpecError",
    "SpecIssue",
    "SpecTooLarge",
    "dump_text",
    "load_text",
    "module_ids",
    "references",
    "spec_hash",
    "validate_flow",
    "walk",
]

MAX_ISSUES = 50
MAX_NESTING = 16  # loops and branches inside each other
MAX_MODULES = 2000
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
DEFAULT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {},
    "required": [],
}


# --- the document, as a whole -------------------------------------------------------------------


def validate_flow(
    doc: Any,
    *,
    syntax_check: SyntaxCheck | None = None,
    subflow: SubflowLookup | None = None,
    script_exists: ScriptExists | None = None,
    self_path: str | None = None,
) -> dict[str, Any]:
    """Raise SpecError with every issue, or return the normalised document (a deep copy, defaults filled).

    `syntax_check(expr)` returns an error message or None; `subflow(path)` returns a stored flow's
    document or None; `script_exists(path)`; each check is skipped when its callback is None.
    `self_path` is where this flow is (or will be) stored, so a subflow leading back to it is a cycle.
    The user's `language` is kept as written: the engine canonicalises it.
    """
    encoded = encode_plain(doc)
    if not isinstance(doc, dict):
        raise SpecError([SpecIssue("", NOT_A_MAPPING)])
    shape = _Shape()
    shape.document(doc)
    value = doc.get("value")
    if isinstance(value, dict):
        spec_scope.Scopes(shape.add, set(shape.ids), syntax_check).flow(value)
        spec_scope.check_targets(
            value, shape.add, subflow=subflow, script_exists=script_exists, self_path=self_path
        )
    if shape.issues:
        raise SpecError(shape.issues)
    return _normalise(json.loads(encoded))  # a copy that shares nothing, even where YAML aliased


def spec_hash(doc: dict[str, Any]) -> str:
    """The content hash that names a flow version: the same document gives the same hash, key order aside."""
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_DEFAULTS: dict[str, dict[str, Any]] = {
    "rawscript": {"input_transforms": {}},
    "script": {"input_transforms": {}},
    "flow": {"input_transforms": {}},
    "forloopflow": {"skip_failures": False, "parallel": False},
    "whileloopflow": {"skip_failures": False},
    "branchone": {"default": []},
    "branchall": {"parallel": False},
}


def _normalise(doc: dict[str, Any]) -> dict[str, Any]:
    doc.setdefault("summary", "")
    doc.setdefault("description", "")
    doc.setdefault("schema", copy.deepcopy(DEFAULT_SCHEMA))
    for _, module in walk(doc["value"]):
        value = module["value"]
        for key, default in _DEFAULTS.get(value["type"], {}).items():
            value.setdefault(key, copy.deepcopy(default))
        if "suspend" in module:
            module["suspend"].setdefault("required_events", 1)
    return doc


# --- the first pass: the shape ------------------------------------------------------------------

Check = Callable[["_Shape", str, Any], None]
Fields = tuple[dict[str, "Check | None"], tuple[str, ...]]  # known keys with their checks, required keys


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


class _Shape:
    """The first pass: every field's type and range, every module's id, and the size limits."""

    def __init__(self) -> None:
        self.issues: list[SpecIssue] = []
        self.ids: dict[str, str] = {}  # id → path of the module that used it first
        self.modules_seen = 0

    def add(self, path: str, message: str) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(SpecIssue(path, message))

    def fields(self, path: str, value: Any, table: Fields) -> dict[str, Any] | None:
        """An object with known keys; a None check means the caller looks at that key itself."""
        fields, required = table
        if not isinstance(value, dict):
            self.add(path, f"must be an object, not {_kind_of(value)}")
            return None
        for key in value:
            if key not in fields:
                self.add(_join(path, key), f"unknown field '{key}' (allowed: {', '.join(sorted(fields))})")
        for key in required:
            if key not in value:
                self.add(_join(path, key), "is required")
        for key, check in fields.items():
            if check is not None and key in value:
                check(self, _join(path, key), value[key])
        return value

    def document(self, doc: dict[str, Any]) -> None:
        self.fields("", doc, _DOCUMENT)
        if "value" not in doc:
            return
        value = self.fields("value", doc["value"], _FLOW_VALUE)
        if value is None:
            return
        if "modules" in value:
            self.module_list("value.modules", value["modules"], 0)
        if "failure_module" in value:
            self.module("value.failure_module", value["failure_module"], 0)
        if isinstance(value.get("early_return"), str) and isinstance(value.get("modules"), list):
            self.early_return(value["early_return"], value["modules"])

    def early_return(self, target: str, modules: list[Any]) -> None:
        if any(isinstance(m, dict) and m.get("id") == target for m in modules):
            return
        if target in self.ids:
            self.add("value.early_return", f"step '{target}' is not a top-level step (one of value.modules)")
        else:
            self.add("value.early_return", f"no step '{target}' in this flow")

    def module_list(self, path: str, modules: Any, depth: int) -> None:
        if not isinstance(modules, list):
            self.add(path, f"must be a list of modules, not {_kind_of(modules)}")
            return
        for index, module in enumerate(modules):
            self.module(f"{path}[{index}]", module, depth)

    def module(self, path: str, module: Any, depth: int) -> None:
        self.modules_seen += 1
        if self.modules_seen == MAX_MODULES + 1:
            self.add("value", f"the flow has more than {MAX_MODULES} modules")
        if self.fields(path, module, _MODULE) is None:
            return
        if "id" in module:
            self.identify(path, module["id"])
        kind = self.module_value(f"{path}.value", module["value"], depth) if "value" in module else None
        if "stop_after_all_iters_if" in module and kind is not None and kind not in LOOPS:
            self.add(
                f"{path}.stop_after_all_iters_if", "only a forloopflow or whileloopflow module may have it"
            )

    def identify(self, path: str, step_id: Any) -> None:
        if not isinstance(step_id, str) or not ID_PATTERN.fullmatch(step_id):
            shown = repr(step_id) if isinstance(step_id, str) else _kind_of(step_id)
            self.add(
                f"{path}.id",
                f"{shown} is not a valid id (a letter or _, then letters, digits or _; at most 64)",
            )
        elif step_id in self.ids:
            self.add(f"{path}.id", f"duplicate id '{step_id}': {self.ids[step_id]} already has it")
        else:
            self.ids[step_id] = path

    def module_value(self, path: str, value: Any, depth: int) -> str | None:
        """Check a module's value; its type when that is a known one."""
        if not isinstance(value, dict):
            self.add(path, f"must be an object, not {_kind_of(value)}")
            return None
        kind = value.get("type")
        if not isinstance(kind, str) or kind not in _KINDS:
            known = ", ".join(sorted(_KINDS))
            found = "is required" if kind is None else f"unknown module type {kind!r}"
            self.add(f"{path}.type", f"{found} (known: {known})")
            return None
        self.fields(path, value, _KINDS[kind])
        if kind == "script" and ("path" in value) == ("hash" in value):
            self.add(path, "a script module needs exactly one of 'path' and 'hash'")
        if kind in LOOPS or kind in BRANCHES:
            self.body(path, kind, value, depth)
        return kind

    def body(self, path: str, kind: str, value: dict[str, Any], depth: int) -> None:
        """The module lists inside a loop or a branch module, one level deeper."""
        if depth >= MAX_NESTING:
            self.add(path, f"loops and branches are nested more than {MAX_NESTING} levels deep")
            return
        if kind in LOOPS:
            if "modules" in value:
                self.module_list(f"{path}.modules", value["modules"], depth + 1)
            return
        if kind == "branchone" and "default" in value:
            self.module_list(f"{path}.default", value["default"], depth + 1)
        branches = value.get("branches")
        if "branches" in value and not isinstance(branches, list):
            self.add(f"{path}.branches", f"must be a list of branches, not {_kind_of(branches)}")
        elif isinstance(branches, list):
            for index, branch in enumerate(branches):
                where = f"{path}.branches[{index}]"
                if self.fields(where, branch, _BRANCH[kind]) is not None and "modules" in branch:
                    self.module_list(f"{where}.modules", branch["modules"], depth + 1)


# --- field checks -------------------------------------------------------------------------------


def _anything(shape: _Shape, path: str, value: Any) -> None:
    """Accepted (Windmill writes it) and ignored."""


def _string(shape: _Shape, path: str, value: Any) -> None:
    if not isinstance(value, str):
        shape.add(path, f"must be a string, not {_kind_of(value)}")


def _boolean(shape: _Shape, path: str, value: Any) -> None:
    if not isinstance(value, bool):
        shape.add(path, f"must be true or false, not {_kind_of(value)}")


def _mapping(shape: _Shape, path: str, value: Any) -> None:
    if not isinstance(value, dict):
        shape.add(path, f"must be an object, not {_kind_of(value)}")


def _integer(minimum: int, maximum: int | None = None) -> Check:
    def check(shape: _Shape, path: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            shown = value if isinstance(value, float) else _kind_of(value)
            shape.add(path, f"must be a whole number, not {shown}")
        elif value < minimum or (maximum is not None and value > maximum):
            bounds = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            shape.add(path, f"must be {bounds}, not {value}")

    return check


def _number(shape: _Shape, path: str, value: Any) -> None:
    """A non-negative count of seconds (or a multiplier)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        shape.add(path, f"must be a number, not {_kind_of(value)}")
    elif value < 0:
        shape.add(path, f"must be at least 0, not {value}")


def _fields(required: str = "", ignored: str = "", **checks: Check | None) -> Fields:
    """A table of an object's known keys. `required` and `ignored` (accepted because Windmill writes
    them, and otherwise ignored) are space-separated names; a None check is a key the caller reads."""
    return {**checks, **dict.fromkeys(ignored.split(), _anything)}, tuple(required.split())


def _obj(fields: Fields) -> Check:
    def check(shape: _Shape, path: str, value: Any) -> None:
        shape.fields(path, value, fields)

    return check


def _language(shape: _Shape, path: str, value: Any) -> None:
    if not isinstance(value, str):
        shape.add(path, f"must be a string, not {_kind_of(value)}")
        return
    try:
        registry.canonical(value)
    except registry.UnknownLanguage as exc:
        shape.add(path, str(exc.args[0]))


_TRANSFORM_KINDS: dict[str, Fields] = {
    # A static transform without `value` is what Windmill exports for an input left unset.
    "static": _fields("", type=None, value=_anything),
    "javascript": _fields("expr", type=None, expr=_string),
}


def _transform(shape: _Shape, path: str, value: Any) -> None:
    if not isinstance(value, dict):
        shape.add(path, f"must be an input transform (static or javascript), not {_kind_of(value)}")
        return
    kind = value.get("type")
    if not isinstance(kind, str) or kind not in _TRANSFORM_KINDS:
        found = "is required" if kind is None else f"unknown input transform type {kind!r}"
        shape.add(_join(path, "type"), f"{found} (known: javascript, static)")
        return
    shape.fields(path, value, _TRANSFORM_KINDS[kind])


def _transforms(shape: _Shape, path: str, value: Any) -> None:
    if not isinstance(value, dict):
        shape.add(path, f"must be an object of input name → input transform, not {_kind_of(value)}")
        return
    for name, transform in value.items():
        _transform(shape, _join(path, name), transform)


def _or_transform(plain: Check) -> Check:
    """A plain value, or an input transform that computes it when the step runs."""

    def check(shape: _Shape, path: str, value: Any) -> None:
        (_transform if isinstance(value, dict) else plain)(shape, path, value)

    return check


def _schema(shape: _Shape, path: str, value: Any) -> None:
    """The flow's inputs: any JSON Schema object; only the parts Kiln reads are checked."""
    if not isinstance(value, dict):
        shape.add(path, f"must be a JSON Schema object, not {_kind_of(value)}")
        return
    if "type" in value and value["type"] != "object":
        shape.add(f"{path}.type", "a flow's inputs are an object: the type must be 'object'")
    if "properties" in value and not isinstance(value["properties"], dict):
        shape.add(f"{path}.properties", f"must be an object, not {_kind_of(value['properties'])}")
    required = value.get("required", [])
    if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
        shape.add(f"{path}.required", "must be a list of input names")


_CONDITION = _obj(_fields("expr", expr=_string, skip_if_stopped=_boolean, error_message=_string))
_RETRY = _obj(
    _fields(
        constant=_obj(_fields(attempts=_integer(0), seconds=_number)),
        exponential=_obj(
            _fields(attempts=_integer(0), multiplier=_number, seconds=_number, random_factor=_integer(0, 100))
        ),
    )
)
_SUSPEND = _obj(
    _fields(
        "",
        "user_groups_required",
        required_events=_integer(1),
        timeout=_integer(1),
        resume_form=_obj(_fields("schema", schema=_mapping)),
        user_auth_required=_boolean,
        hide_cancel=_boolean,
        self_approval_disabled=_boolean,
        continue_on_disapprove_timeout=_boolean,
    )
)
_MODULE = _fields(
    "id value",
    "priority delete_after_use",
    id=None,
    value=None,
    summary=_string,
    stop_after_if=_CONDITION,
    stop_after_all_iters_if=_CONDITION,
    skip_if=_obj(_fields("expr", expr=_string)),
    sleep=_or_transform(_number),
    cache_ttl=_integer(0),
    timeout=_integer(1),
    retry=_RETRY,
    continue_on_error=_boolean,
    suspend=_SUSPEND,
    mock=_obj(_fields(enabled=_boolean, return_value=_anything)),
)
_DOCUMENT = _fields("value", summary=_string, description=_string, schema=_schema, value=None)
_FLOW_VALUE = _fields(
    "modules",
    "concurrency_time_window_s same_worker priority",
    modules=None,
    failure_module=None,
    early_return=_string,
    concurrent_limit=_integer(1),
    concurrency_key=_string,
    skip_expr=_string,
)
# Every kind lists `type` (checked by the caller); a None check is a module list walked by _Shape.body.
_KINDS: dict[str, Fields] = {
    "rawscript": _fields(
        "content language",
        "concurrent_limit concurrency_time_window_s is_trigger custom_concurrency_key",
        type=None,
        content=_string,
        language=_language,
        input_transforms=_transforms,
        tag=_string,
        lock=_string,
        path=_string,
    ),
    "script": _fields(
        "",
        "is_trigger",
        type=None,
        path=_string,
        hash=_string,
        input_transforms=_transforms,
        tag_override=_string,
    ),
    "flow": _fields("path", type=None, path=_string, input_transforms=_transforms),
    "forloopflow": _fields(
        "iterator modules",
        type=None,
        iterator=_transform,
        modules=None,
        skip_failures=_boolean,
        parallel=_boolean,
        parallelism=_or_transform(_integer(1)),
    ),
    "whileloopflow": _fields("modules", type=None, modules=None, skip_failures=_boolean),
    "branchone": _fields("branches", type=None, branches=None, default=None),
    "branchall": _fields("branches", type=None, branches=None, parallel=_boolean),
    "identity": _fields("", type=None, flow=_boolean),
}
_BRANCH: dict[str, Fields] = {
    "branchone": _fields("expr modules", summary=_string, expr=_string, modules=None),
    "branchall": _fields("modules", "expr", summary=_string, skip_failure=_boolean, modules=None),
}
