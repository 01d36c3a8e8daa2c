"""Python `main` signatures become JSON Schemas, statically (the script is never imported)."""

from __future__ import annotations

from typing import Any

import pytest

from scripts_runtime.languages import python
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.registry import UnknownLanguage, canonical, get
from tests.conftest import example

DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}


def schema_of(source: str) -> dict[str, Any]:
    return python.parse_signature(source)


def prop(annotation: str, prelude: str = "") -> dict[str, Any]:
    return schema_of(f"{prelude}\ndef main(x: {annotation}):\n    pass\n")["properties"]["x"]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("str", {"type": "string"}),
        ("int", {"type": "integer"}),
        ("float", {"type": "number"}),
        ("bool", {"type": "boolean"}),
        ("bytes", {"type": "string", "contentEncoding": "base64"}),
        ("date", DATE),
        ("datetime", DATETIME),
        ("datetime.datetime", DATETIME),
        ("list", {"type": "array"}),
        ("list[int]", {"type": "array", "items": {"type": "integer"}}),
        ("typing.List[str]", {"type": "array", "items": {"type": "string"}}),
        ("list[list[float]]", {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}),
        ("tuple[int, ...]", {"type": "array", "items": {"type": "integer"}}),
        ("tuple[int, str]", {"type": "array"}),
        ("set[str]", {"type": "array", "items": {"type": "string"}}),
        ("dict", {"type": "object"}),
        ("dict[str, int]", {"type": "object", "additionalProperties": {"type": "integer"}}),
        (
            "dict[str, list[date]]",
            {"type": "object", "additionalProperties": {"type": "array", "items": DATE}},
        ),
        ("'int'", {"type": "integer"}),
        ("Optional[date]", DATE),
        ("int | None", {"type": "integer"}),
        ("Union[int, str]", {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        ("int | str | None", {"anyOf": [{"type": "integer"}, {"type": "string"}]}),
        ("Union[int, Any]", {}),
        ("Literal['fast', 'safe']", {"type": "string", "enum": ["fast", "safe"]}),
        ("Literal[1, 2, 3]", {"type": "integer", "enum": [1, 2, 3]}),
        ("Literal['a', 1]", {"enum": ["a", 1]}),
        (
            "Annotated[int, Field(ge=1, le=10, description='how many')]",
            {"type": "integer", "minimum": 1, "maximum": 10, "description": "how many"},
        ),
        (
            "Annotated[str, Field(min_length=2, max_length=5, pattern='^[a-z]+$')]",
            {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
        ),
        (
            "Annotated[float, Field(gt=0, lt=1)]",
            {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        ),
        ("Annotated[int, 'a count']", {"type": "integer", "description": "a count"}),
        ("postgresql", {"type": "object", "format": "resource-postgresql"}),
        ("Any", {}),
        ("SomethingUnknown", {}),
        ("numpy.ndarray", {}),
        ("Callable[[int], int]", {}),
        ("lambda: 1", {}),
    ],
)
def test_each_annotation_maps_to_a_schema(annotation: str, expected: dict[str, Any]) -> None:
    assert prop(annotation) == expected


def test_enum_classes_become_enums_of_their_values() -> None:
    prelude = (
        "from enum import Enum, IntEnum\nclass Tone(str, Enum):\n    warm = 'warm'\n    formal = 'formal'\n"
    )
    assert prop("Tone", prelude) == {"type": "string", "enum": ["warm", "formal"], "originalType": "enum"}
    prelude = "from enum import IntEnum\nclass Level(IntEnum):\n    LOW = 1\n    HIGH = 5\n"
    assert prop("Level", prelude) == {"type": "integer", "enum": [1, 5], "originalType": "enum"}


def test_an_enum_member_default_is_its_value() -> None:
    source = (
        "from enum import Enum\nclass T(Enum):\n    a = 'x'\n    b = 'y'\ndef main(t: T = T.b):\n  pass\n"
    )
    assert schema_of(source)["properties"]["t"]["default"] == "y"


def test_a_lowercase_class_is_a_resource_type_as_in_windmill() -> None:
    prelude = "from typing import TypedDict\nclass postgresql(TypedDict):\n    host: str\n"
    assert prop("postgresql", prelude) == {"type": "object", "format": "resource-postgresql"}


def test_typed_dicts_become_nested_objects() -> None:
    prelude = (
        "from typing import TypedDict, NotRequired\n"
        "class Address(TypedDict):\n    street: str\n    city: str\n    zip: NotRequired[int]\n"
    )
    assert prop("Address", prelude) == {
        "type": "object",
        "properties": {"street": {"type": "string"}, "city": {"type": "string"}, "zip": {"type": "integer"}},
        "required": ["street", "city"],
    }


def test_a_non_total_typed_dict_requires_nothing() -> None:
    prelude = "from typing import TypedDict\nclass P(TypedDict, total=False):\n    a: int\n"
    assert prop("P", prelude) == {"type": "object", "properties": {"a": {"type": "integer"}}}


def test_dataclasses_keep_their_field_defaults() -> None:
    prelude = (
        "from dataclasses import dataclass, field\n@dataclass\nclass Opts:\n"
        "    round: bool\n    digits: int = 2\n    tags: list[str] = field(default_factory=list)\n"
    )
    assert prop("Opts", prelude) == {
        "type": "object",
        "properties": {
            "round": {"type": "boolean"},
            "digits": {"type": "integer", "default": 2},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["round"],
    }


def test_pydantic_models_keep_field_constraints() -> None:
    prelude = (
        "from pydantic import BaseModel, Field\nclass User(BaseModel):\n"
        "    name: str = Field(description='full name')\n    age: int = Field(18, ge=0)\n"
        "    email: str | None = None\n"
    )
    out = prop("User", prelude)
    assert out["properties"]["name"] == {"type": "string", "description": "full name"}
    assert out["properties"]["age"] == {"type": "integer", "default": 18, "minimum": 0}
    assert out["properties"]["email"] == {"type": "string"}
    assert "required" not in out or out["required"] == []


def test_a_self_referencing_model_stops_instead_of_recursing() -> None:
    prelude = "from typing import TypedDict\nclass Node(TypedDict):\n    children: list['Node']\n"
    assert prop("Node", prelude)["properties"]["children"] == {"type": "array", "items": {"type": "object"}}


def test_type_aliases_are_followed() -> None:
    prelude = "from typing import Literal\nMode = Literal['a', 'b']\n"
    assert prop("Mode", prelude) == {"type": "string", "enum": ["a", "b"]}


def test_defaults_are_kept_and_make_a_field_optional() -> None:
    schema = schema_of(
        "def main(name: str, count: int = 3, ratio: float = 0.5, on: bool = False, tags: list = [],\n"
        "         opts: dict = {'a': 1}, pair: tuple = (1, 2), when=None):\n    pass\n"
    )
    assert schema["required"] == ["name"]
    p = schema["properties"]
    assert p["count"] == {"type": "integer", "default": 3}
    assert p["ratio"]["default"] == 0.5
    assert p["on"] == {"type": "boolean", "default": False}
    assert p["tags"]["default"] == [] and p["opts"]["default"] == {"a": 1} and p["pair"]["default"] == [1, 2]
    assert p["when"] == {}


def test_optional_arguments_without_defaults_are_not_required() -> None:
    schema = schema_of(
        "from typing import Optional\ndef main(a: Optional[int], b: int | None, c: int):\n  pass\n"
    )
    assert schema["required"] == ["c"]


def test_call_defaults_are_left_to_python() -> None:
    schema = schema_of("import datetime\ndef main(t: datetime.datetime = datetime.datetime.now()):\n  pass\n")
    assert schema["properties"]["t"] == DATETIME
    assert schema["required"] == []


def test_keyword_only_arguments_count() -> None:
    schema = schema_of("def main(a: int, *, b: str, c: str = 'x'):\n  pass\n")
    assert schema["required"] == ["a", "b"]
    assert schema["properties"]["c"]["default"] == "x"


def test_unannotated_arguments_accept_any_json() -> None:
    assert schema_of("def main(x, y=2):\n  pass\n")["properties"] == {"x": {}, "y": {"default": 2}}


def test_kwargs_allows_extra_arguments_and_otherwise_they_are_refused() -> None:
    assert schema_of("def main(a: int, **kw):\n  pass\n")["additionalProperties"] is True
    assert schema_of("def main(a: int):\n  pass\n")["additionalProperties"] is False


def test_async_main_is_read_too() -> None:
    assert schema_of("async def main(n: int):\n  pass\n")["properties"] == {"n": {"type": "integer"}}


@pytest.mark.parametrize(
    "docstring",
    [
        '"""Do it.\n\n    Args:\n        name: Who to greet.\n'
        '        count (int): How many\n            times.\n    """',
        '"""Do it.\n\n    Parameters\n    ----------\n    name : str\n        Who to greet.\n'
        '    count : int\n        How many\n        times.\n    """',
        '"""Do it.\n\n    :param name: Who to greet.\n    :param int count: How many times.\n    """',
    ],
    ids=["google", "numpy", "rest"],
)
def test_docstring_parameter_descriptions_become_descriptions(docstring: str) -> None:
    schema = schema_of(f"def main(name: str, count: int = 1):\n    {docstring}\n    pass\n")
    assert schema["properties"]["name"]["description"] == "Who to greet."
    assert schema["properties"]["count"]["description"] == "How many times."


def test_the_greet_example_parses_without_running() -> None:
    schema = schema_of(example("greet.py"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["name"]
    p = schema["properties"]
    assert list(p) == ["name", "count", "ratio", "verbose", "tags", "mode", "tone", "when", "address"]
    assert p["name"] == {"type": "string", "description": "Who to greet."}
    assert p["count"] == {"type": "integer", "default": 3, "description": "How many greetings to return."}
    assert p["tags"] == {"type": "array", "items": {"type": "string"}, "default": []}
    assert p["mode"] == {"type": "string", "enum": ["fast", "safe"], "default": "safe"}
    assert p["tone"] == {
        "type": "string",
        "enum": ["warm", "formal"],
        "originalType": "enum",
        "default": "warm",
    }
    assert p["when"] == DATE
    assert p["address"]["properties"] == {"street": {"type": "string"}, "city": {"type": "string"}}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def main(:\n", "syntax error"),
        ("def helper():\n  pass\n", "no top-level"),
        ("class A:\n  def main(self):\n    pass\n", "no top-level"),
        ("def main(*args):\n  pass\n", r"\*args"),
        ("def main(a, /, b):\n  pass\n", "positional-only"),
    ],
)
def test_unusable_sources_are_refused_with_a_reason(source: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        schema_of(source)


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(SignatureError) as info:
        schema_of("x = 1\ndef main(a:\n")
    assert info.value.line == 2


def test_the_registry_knows_python_and_its_aliases_and_names_what_it_does_not_know() -> None:
    assert get("python3") is python and canonical("python") == "python3"
    with pytest.raises(UnknownLanguage, match="cobol"):
        get("cobol")
