"""The wrappers' JSON (python_wrapper.loads and dumps: json's C accelerator without json's
Python) reads and writes what json.loads and json.dumps(default=...) do, and fails as they do."""

from __future__ import annotations

import datetime
import enum
import importlib.util
import json
import math
from types import ModuleType
from typing import Any

import pytest

from scripts_runtime.languages.base import WRAPPERS_DIR


@pytest.fixture(scope="module")
def wrapper() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "kiln_test_python_wrapper", WRAPPERS_DIR / "python_wrapper.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TEXTS = [
    '{"n": 1}',
    '  \n\t{"a": [1, 2.5, -3e10, null, true, false, "x"], "b": {"c": {}}}\r\n ',
    '"just a string"',
    "12345678901234567890123",
    '["h\\u00e9llo \\u2603", "\\ud83d\\ude00", "tab\\there"]',
    "[NaN, Infinity, -Infinity]",
    '{"dup": 1, "dup": 2}',
    "[]",
]


@pytest.mark.parametrize("text", TEXTS)
def test_loads_reads_what_json_reads(wrapper: ModuleType, text: str) -> None:
    got, want = wrapper.loads(text), json.loads(text)
    assert json.dumps(got) == json.dumps(want)  # NaN != NaN: compared through their JSON


@pytest.mark.parametrize(
    "text", ["", "   ", "{", '{"a": 1} x', "[1,]", "\ufeff{}", '{"a" 1}', "tru", "[1] [2]"]
)
def test_loads_fails_as_json_does(wrapper: ModuleType, text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        wrapper.loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


class Color(enum.Enum):
    RED = "red"


VALUES: list[Any] = [
    {"n": 1, "f": 2.5, "s": 'héllo ☃ "q" \\ \n', "l": [None, True, False], "d": {}},
    "just a string",
    10**30,
    [math.inf, -math.inf],
    {1: "int key", 2.5: "float key", False: "bool key", None: "none key"},
    {"set": {1}, "tuple": (1, 2), "bytes": b"hi", "day": datetime.date(2026, 12, 7), "enum": Color.RED},
]


@pytest.mark.parametrize("value", VALUES)
def test_dumps_writes_what_json_writes(wrapper: ModuleType, value: Any) -> None:
    assert wrapper.dumps(value) == json.dumps(value, default=wrapper._fallback)


def test_nan_is_written_as_json_writes_it(wrapper: ModuleType) -> None:
    assert wrapper.dumps([math.nan]) == json.dumps([math.nan]) == "[NaN]"


def test_dumps_fails_as_json_does(wrapper: ModuleType) -> None:
    for bad in ({(1, 2): "a tuple key"},):
        with pytest.raises(TypeError) as ours:
            wrapper.dumps(bad)
        with pytest.raises(TypeError) as theirs:
            json.dumps(bad, default=wrapper._fallback)
        assert str(ours.value) == str(theirs.value)
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises(ValueError, match="Circular reference"):
        wrapper.dumps(circular)


def test_the_fast_path_is_taken_on_cpython(wrapper: ModuleType) -> None:
    assert wrapper._scan is not None and wrapper._encoder_of is not None
