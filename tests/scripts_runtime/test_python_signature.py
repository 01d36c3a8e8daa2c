"""Python `main` signatures become JSON Schemas, statically."""

from __future__ import annotations

from typing import Any

import pytest

from scripts_runtime.languages import python
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.registry import UnknownLanguage, get
from tests.conftest import example


def props(source: str) -> dict[str, Any]:
    return python.parse_signature(source)["properties"]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("str", {"type": "string"}),
        ("int", {"type": "integer"}),
        ("float", {"type": "number"}),
        ("bool", {"type": "boolean"}),
        ("list", {"type": "array"}),
        ("list[int]", {"type": "array", "items": {"type": "integer"}}),
        ("typing.List[str]", {"type": "array", "items": {"type": "string"}}),
        ("dict", {"type": "object"}),
        ("dict[str, int]", {"type": "object"}),
        ("'int'", {"type": "integer"}),
        ("Optional[date]", {}),
        ("SomethingUnknown", {}),
        ("numpy.ndarray", {}),
        ("Callable[[int], int]", {}),
    ],
)
def test_each_annotation_maps_to_a_schema(annotation: str, expected: dict[str, Any]) -> None:
    assert props(f"def main(x: {annotation}):\n    pass\n")["x"] == expected


def test_defaults_are_kept_and_make_a_field_optional() -> None:
    schema = python.parse_signature(
        "def main(name: str, count: int = 3, ratio: float = 0.5, on: bool = False, tags: list = [],\n"
        "         opts: dict = {'a': 1}, when=None):\n    pass\n"
    )
    assert schema["required"] == ["name"]
    p = schema["properties"]
    assert p["count"] == {"type": "integer", "default": 3}
    assert p["ratio"]["default"] == 0.5
    assert p["on"] == {"type": "boolean", "default": False}
    assert p["tags"]["default"] == [] and p["opts"]["default"] == {"a": 1}
    assert p["when"] == {}


def test_call_defaults_are_left_to_python() -> None:
    schema = python.parse_signature("import datetime\ndef main(t: str = datetime.datetime.now()):\n  pass\n")
    assert schema["properties"]["t"] == {"type": "string"}
    assert schema["required"] == []


def test_keyword_only_arguments_count() -> None:
    schema = python.parse_signature("def main(a: int, *, b: str, c: str = 'x'):\n  pass\n")
    assert schema["required"] == ["a", "b"]
    assert schema["properties"]["c"]["default"] == "x"


def test_unannotated_arguments_accept_any_json() -> None:
    assert props("def main(x, y=2):\n  pass\n") == {"x": {}, "y": {"default": 2}}


def test_kwargs_allows_extra_arguments_and_otherwise_they_are_refused() -> None:
    assert python.parse_signature("def main(a: int, **kw):\n  pass\n")["additionalProperties"] is True
    assert python.parse_signature("def main(a: int):\n  pass\n")["additionalProperties"] is False


def test_async_main_is_read_too() -> None:
    assert props("async def main(n: int):\n  pass\n") == {"n": {"type": "integer"}}


def test_the_greet_example_parses_without_running() -> None:
    schema = python.parse_signature(example("greet.py"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["name"]
    p = schema["properties"]
    assert list(p) == ["name", "count", "ratio", "verbose", "tags", "mode", "tone", "when", "address"]
    assert p["count"] == {"type": "integer", "default": 3}
    assert p["tags"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert p["mode"]["default"] == "safe"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def main(:\n", "syntax error"),
        ("def helper():\n  pass\n", "no top-level"),
        ("def main(*args):\n  pass\n", r"\*args"),
        ("def main(a, /, b):\n  pass\n", "positional-only"),
    ],
)
def test_unusable_sources_are_refused_with_a_reason(source: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        python.parse_signature(source)


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(SignatureError) as info:
        python.parse_signature("x = 1\ndef main(a:\n")
    assert info.value.line == 2


def test_the_registry_knows_python_and_names_what_it_does_not_know() -> None:
    assert get("python3") is python
    with pytest.raises(UnknownLanguage, match="cobol"):
        get("cobol")
