"""A flow document as text and as plain JSON data: YAML and JSON import and export, the errors
a document can have (with the path of the field), and the size and plain-data check every
document passes before anything else reads it (kiln.flows.spec validates the rest)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

MAX_SPEC_BYTES = 2 * 1024 * 1024
# Far deeper than any real flow, and shallow enough that json and copy never hit the recursion limit.
MAX_JSON_DEPTH = 256
NOT_A_MAPPING = "the flow must be a mapping (an object) at the top level"


@dataclass(frozen=True)
class SpecIssue:
    path: str  # "" for the document as a whole
    message: str


class SpecError(ValueError):
    def __init__(self, issues: Sequence[SpecIssue]) -> None:
        self.issues = list(issues) or [SpecIssue("", "the flow is invalid")]
        super().__init__(self.message)

    @property
    def message(self) -> str:
        first = self.issues[0]
        text = f"{first.path}: {first.message}" if first.path else first.message
        more = len(self.issues) - 1
        return f"{text} (and {more} more)" if more else text

    def as_detail(self) -> dict[str, Any]:
        errors = [{"path": issue.path, "message": issue.message} for issue in self.issues]
        return {"errors": errors, "path": self.issues[0].path}


class SpecTooLarge(SpecError):
    """Over MAX_SPEC_BYTES: the API answers 413 rather than 400."""


class _NotPlain(Exception):
    """A value JSON cannot hold; `where` collects the path while the walk unwinds."""

    def __init__(self, message: str, *, located: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.located = located  # a path 256 levels long helps nobody
        self.where: list[str] = []


class _TooMany(Exception):
    pass


def encode_plain(doc: Any) -> str:
    """The document as JSON text, or SpecError: not plain JSON data, or larger than MAX_SPEC_BYTES.

    The values are counted with a budget before anything encodes the document: YAML aliases let
    a few hundred bytes of text stand for billions of values (or, pointing at themselves, for an
    endless document). Every JSON value takes at least one byte, so the budget loses nothing."""
    try:
        _count(doc, 0, [MAX_SPEC_BYTES])
    except _TooMany:
        raise SpecTooLarge(
            [SpecIssue("", f"the flow is over {MAX_SPEC_BYTES} bytes; the limit is {MAX_SPEC_BYTES}")]
        ) from None
    except _NotPlain as exc:
        path = "".join(reversed(exc.where)).lstrip(".") if exc.located else ""
        raise SpecError([SpecIssue(path, exc.message)]) from None
    encoded = json.dumps(doc, ensure_ascii=False)
    size = len(encoded.encode("utf-8", "surrogatepass"))
    if size > MAX_SPEC_BYTES:
        raise SpecTooLarge([SpecIssue("", f"the flow is {size} bytes; the limit is {MAX_SPEC_BYTES}")])
    return encoded


def _count(value: Any, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooMany
    if depth > MAX_JSON_DEPTH:
        raise _NotPlain(f"the flow is nested more than {MAX_JSON_DEPTH} levels deep", located=False)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotPlain(f"has a key that is not a string: {key!r}")
            try:
                _count(item, depth + 1, budget)
            except _NotPlain as exc:
                exc.where.append(f".{key}")
                raise
    elif isinstance(value, list):
        for index, item in enumerate(value):
            try:
                _count(item, depth + 1, budget)
            except _NotPlain as exc:
                exc.where.append(f"[{index}]")
                raise
    elif isinstance(value, float) and not math.isfinite(value):  # JSON has none; PostgreSQL refuses them
        raise _NotPlain(f"is not JSON data ({value})")
    elif value is not None and not isinstance(value, str | int | float):  # bool is an int
        raise _NotPlain(f"is not JSON data (a Python {type(value).__name__})")


# --- text: YAML and JSON ------------------------------------------------------------------------


# Loading uses PyYAML's own parser: libyaml's recurses in C without a limit, and a line of
# 50,000 "- " crashes the process, where PyYAML's raises RecursionError. Dumping uses libyaml's
# emitter (the document is validated, so shallow): it round-trips every string, where PyYAML's
# mangles U+0085 when allow_unicode is on.
try:
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]


class _Loader(yaml.SafeLoader):
    """yaml.SafeLoader, except that dates stay strings: a flow is JSON data, and a static input
    written `2024-05-01` must reach the script as the text the user wrote."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Dumper(_SafeDumper):
    """Script bodies as literal blocks (`|`), so an exported flow reads like the code it holds;
    shared values written out in full, never as anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: _SafeDumper, data: str) -> yaml.ScalarNode:
    # The emitter falls back to a quoted style by itself where a block cannot hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(str, _represent_str)


def load_text(text: str, fmt: str | None = None) -> Any:
    """Parse a flow document from YAML or JSON (`fmt` None: JSON if it starts with `{`).

    The result is plain JSON data and a mapping at the top level, or SpecError; it is not validated."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SPEC_BYTES:  # before parsing: the parser's own memory grows with the text
        raise SpecTooLarge([SpecIssue("", f"the flow is {size} bytes; the limit is {MAX_SPEC_BYTES}")])
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    try:
        doc = _parse(text, fmt)
    except RecursionError:
        raise SpecError([SpecIssue("", "the document is nested too deeply")]) from None
    if not isinstance(doc, dict):
        raise SpecError([SpecIssue("", NOT_A_MAPPING)])
    encode_plain(doc)  # aliases and YAML-only types (binary, sets) stop here, before anyone encodes it
    return doc


def _parse(text: str, fmt: str) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(
                [SpecIssue("", f"JSON error at line {exc.lineno}, column {exc.colno}: {exc.msg}")]
            ) from None
    if fmt != "yaml":
        raise ValueError(f"unknown format {fmt!r} (yaml or json)")
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: no Python objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SpecError([SpecIssue("", f"YAML error{where}: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([SpecIssue("", f"YAML error: {exc}")]) from None


def dump_text(doc: dict[str, Any], fmt: str) -> str:
    """The document as text; `load_text(dump_text(doc, fmt), fmt) == doc` for either format."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(
            doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30, default_flow_style=False
        )
    raise ValueError(f"unknown format {fmt!r} (yaml or json)")
