"""Arguments given as text: the server's GET runs and `kiln run -a` read them alike."""

from __future__ import annotations

import pytest

from scripts_runtime.arg_text import from_text


@pytest.mark.parametrize(
    ("text", "prop", "value"),
    [
        ("42", {"type": "string"}, "42"),
        ("42", {"type": "integer"}, 42),
        ("42", {"type": ["string", "null"]}, "42"),
        ("42", {"anyOf": [{"type": "string"}, {"type": "integer"}]}, 42),
        ("007", {"enum": ["007", "008"]}, "007"),  # an enum of strings, no type: stays text
        ("2", {"enum": [1, 2]}, 2),
        ("true", {}, True),
        ("not json", {"type": "integer"}, "not json"),  # the schema check says what is wrong
        ('["a", 1]', {"type": "array"}, ["a", 1]),
    ],
)
def test_text_is_typed_by_the_schema(text: str, prop: dict, value: object) -> None:
    assert from_text(text, prop) == value
