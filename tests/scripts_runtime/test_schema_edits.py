"""A user's edits of a form survive when the code changes."""

from __future__ import annotations

from scripts_runtime.languages import python
from scripts_runtime.schema_edits import apply_edits, schema_edits

V1 = "def main(name: str, count: int = 1, old: bool = False):\n    pass\n"
V2 = "def main(name: str, count: int = 2, extra: float = 0.5):\n    pass\n"


def edited_v1() -> dict:
    schema = python.parse_signature(V1)
    schema["properties"]["name"].update(description="Who to greet", placeholder="Ada", pattern="^[A-Z]")
    schema["properties"]["count"].update(minimum=1, maximum=10, title="How many")
    schema["order"] = ["count", "name", "old"]
    return schema


def test_edits_are_carried_onto_the_new_inference() -> None:
    edits = schema_edits(edited_v1(), python.parse_signature(V1))
    new = apply_edits(python.parse_signature(V2), edits)
    assert new["properties"]["name"] == {
        "type": "string",
        "description": "Who to greet",
        "placeholder": "Ada",
        "pattern": "^[A-Z]",
    }
    assert new["properties"]["count"] == {
        "type": "integer",
        "default": 2,
        "minimum": 1,
        "maximum": 10,
        "title": "How many",
    }


def test_fields_removed_from_the_code_disappear_and_new_ones_come_last() -> None:
    new = apply_edits(python.parse_signature(V2), schema_edits(edited_v1(), python.parse_signature(V1)))
    assert "old" not in new["properties"]
    assert new["order"] == ["count", "name", "extra"] == list(new["properties"])


def test_an_unedited_inference_has_no_edits() -> None:
    inferred = python.parse_signature(V1)
    assert schema_edits(inferred, inferred) == {"fields": {}}
    assert apply_edits(python.parse_signature(V2), {"fields": {}}) == python.parse_signature(V2)


def test_a_docstring_description_that_changed_in_code_is_not_mistaken_for_an_edit() -> None:
    v1 = 'def main(a: int):\n    """x.\n\n    Args:\n        a: old text\n    """\n'
    v2 = v1.replace("old text", "new text")
    carried = apply_edits(
        python.parse_signature(v2), schema_edits(python.parse_signature(v1), python.parse_signature(v1))
    )
    assert carried["properties"]["a"]["description"] == "new text"


def test_nested_object_fields_keep_their_edits() -> None:
    source = "from typing import TypedDict\nclass A(TypedDict):\n    city: str\ndef main(a: A):\n    pass\n"
    saved = python.parse_signature(source)
    saved["properties"]["a"]["properties"]["city"]["description"] = "Where"
    again = apply_edits(
        python.parse_signature(source + "\n"), schema_edits(saved, python.parse_signature(source))
    )
    assert again["properties"]["a"]["properties"]["city"]["description"] == "Where"
