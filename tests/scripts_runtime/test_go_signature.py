"""Go `main` signatures become JSON Schemas, statically (tree-sitter, nothing compiled)."""

from __future__ import annotations

from typing import Any

import pytest

from scripts_runtime.languages import go
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.registry import canonical, get
from tests.conftest import example


def schema_of(params: str, prelude: str = "") -> dict[str, Any]:
    return go.parse_signature(
        f"package inner\n{prelude}\nfunc main({params}) (interface{{}}, error) {{\n}}\n"
    )


def props(params: str, prelude: str = "") -> dict[str, Any]:
    return schema_of(params, prelude)["properties"]


@pytest.mark.parametrize(
    ("go_type", "expected"),
    [
        ("string", {"type": "string"}),
        ("bool", {"type": "boolean"}),
        ("int", {"type": "integer"}),
        ("int64", {"type": "integer"}),
        ("uint8", {"type": "integer"}),
        ("rune", {"type": "integer"}),
        ("float32", {"type": "number"}),
        ("float64", {"type": "number"}),
        ("[]string", {"type": "array", "items": {"type": "string"}}),
        ("[][]int", {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}),
        ("[]interface{}", {"type": "array"}),
        ("[3]float64", {"type": "array", "items": {"type": "number"}, "maxItems": 3}),
        ("[]byte", {"type": "string", "contentEncoding": "base64"}),
        ("map[string]int", {"type": "object", "additionalProperties": {"type": "integer"}}),
        ("map[string]any", {"type": "object"}),
        (
            "map[int]string",
            {
                "type": "object",
                "propertyNames": {"pattern": "^-?[0-9]+$"},
                "additionalProperties": {"type": "string"},
            },
        ),
        ("interface{}", {}),
        ("any", {}),
        ("interface{ String() string }", {}),
        ("time.Time", {"type": "string", "format": "date-time"}),
        ("json.RawMessage", {}),
        ("somepkg.Thing", {}),
        ("*int", {"type": ["integer", "null"]}),
        ("*[]string", {"type": ["array", "null"], "items": {"type": "string"}}),
        ("*any", {}),
        ("(string)", {"type": "string"}),
        (
            "struct{ A string; b int }",
            {"type": "object", "properties": {"A": {"type": "string"}}, "required": ["A"]},
        ),
    ],
)
def test_each_type_maps_to_a_schema(go_type: str, expected: dict[str, Any]) -> None:
    assert props(f"x {go_type}")["x"] == expected


def test_every_parameter_is_required_except_pointers() -> None:
    schema = schema_of("a string, b, c int, d *string, e *Person", "type Person struct{ Name string }")
    assert list(schema["properties"]) == ["a", "b", "c", "d", "e"]
    assert schema["required"] == ["a", "b", "c"]
    assert schema["properties"]["e"]["type"] == ["object", "null"]
    assert schema["additionalProperties"] is False


def test_structs_declared_in_the_file_become_nested_objects() -> None:
    prelude = """
type Address struct {
	Street string `json:"street"`
	Zip    *string `json:"zip"`
}
type Person struct {
	Name     string            `json:"name"`
	Nick     string            `json:"nick,omitempty"`
	Age      int               `json:"age,string"`
	Home     Address           `json:"home"`
	Tags     []string
	Labels   map[string]string `json:"labels,omitempty"`
	Password string            `json:"-"`
	Dash     string            `json:"-,"`
	internal int
	Events   chan int
}
"""
    person = props("p Person", prelude)["p"]
    assert list(person["properties"]) == ["name", "nick", "age", "home", "Tags", "labels", "-"]
    assert person["required"] == ["name", "age", "home", "Tags", "-"]
    assert person["properties"]["age"] == {"type": "string"}  # `,string`: the number travels quoted
    assert person["properties"]["home"] == {
        "type": "object",
        "properties": {"street": {"type": "string"}, "zip": {"type": ["string", "null"]}},
        "required": ["street"],
    }


def test_embedded_structs_promote_their_fields_and_declared_fields_win() -> None:
    prelude = """
type Base struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}
type Extra struct{ Note string }
type Item struct {
	Base
	*Extra
	Name string `json:"name,omitempty"`
}
"""
    item = props("it Item", prelude)["it"]
    assert list(item["properties"]) == ["id", "Note", "name"]  # encoding/json's order
    assert item["required"] == ["id"]  # the declared Name is omitempty; *Extra may be nil


def test_named_types_and_aliases_resolve_to_their_underlying_type() -> None:
    prelude = "type Level string\ntype Scores = map[string]float64\ntype IDs []Level\n"
    p = props("l Level, s Scores, ids IDs", prelude)
    assert p["l"] == {"type": "string"}
    assert p["s"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert p["ids"] == {"type": "array", "items": {"type": "string"}}


def test_recursive_types_stop_after_one_level() -> None:
    node = props("n Node", "type Node struct {\n\tName string\n\tKids []Node\n}\n")["n"]
    assert node["properties"]["Kids"] == {"type": "array", "items": {"type": "object"}}


def test_import_aliases_are_followed() -> None:
    p = props("when t.Time, d stdtime.Duration", 'import (\n\tt "time"\n\tstdtime "time"\n)\n')
    assert p["when"] == {"type": "string", "format": "date-time"}
    assert p["d"]["type"] == "integer"


def test_a_main_without_parameters_has_no_properties() -> None:
    schema = go.parse_signature("package inner\n\nfunc main() {\n}\n")
    assert schema["properties"] == {} and schema["required"] == []


def test_methods_named_main_and_other_functions_are_not_main() -> None:
    source = (
        "package inner\ntype T struct{}\nfunc (T) main(x int) {}\nfunc helper(y int) {}\n"
        "func main(z int) {}\n"
    )
    assert list(go.parse_signature(source)["properties"]) == ["z"]


def test_the_word_count_example_parses_without_compiling() -> None:
    assert go.parse_signature(example("word_count.go")) == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"text": {"type": "string"}, "lower": {"type": "boolean"}, "top": {"type": "integer"}},
        "required": ["text", "lower", "top"],
        "additionalProperties": False,
    }


@pytest.mark.parametrize(
    ("source", "message", "line", "column"),
    [
        ("package main\n\nfunc main() {}\n", "not `package main`", 1, 9),
        ("func main() {}\n", "starts with `package inner`", 1, 1),
        ("package inner\n\nfunc helper() {}\n", "no top-level `func main", None, None),
        ("package inner\n\nfunc main(xs ...int) {}\n", "variadic", 3, 11),
        ("package inner\n\nfunc main(a int, rest ...string) {}\n", "variadic", 3, 18),
        ("package inner\n\nfunc main(int, string) {}\n", "needs a name", 3, 11),
        ("package inner\n\nfunc main(_ int) {}\n", "named _", 3, 11),
        ("package inner\n\nfunc main[T any](x T) {}\n", "type parameters", 3, 1),
        ("package inner\n\nfunc main(c chan int) {}\n", "chan int cannot be read from JSON", 3, 13),
        ("package inner\n\nfunc main(f func() error) {}\n", "cannot be read from JSON", 3, 13),
        ("package inner\n\nfunc main(z complex128) {}\n", "complex128 cannot be read", 3, 13),
        ("package inner\n\nfunc main(e error) {}\n", "error cannot be read", 3, 13),
        ("package inner\n\nfunc main(a int {\n}\n", r"syntax error: missing `\)`", 3, 16),
        ("package inner\n\nfunc main() {\n\tx := \n}\n", "syntax error", 4, 6),
        ("package inner\n\nfunc main() {\n\tx = = 1\n}\n", "syntax error near `=`", 4, 6),
        ("package inner\n\nfunc main() (interface{}, error) {\n\treturn nil, nil\n", "missing `}`", 3, 34),
    ],
)
def test_unusable_sources_are_refused_with_a_reason_and_a_place(
    source: str, message: str, line: int | None, column: int | None
) -> None:
    with pytest.raises(SignatureError, match=message) as info:
        go.parse_signature(source)
    assert (info.value.line, info.value.column) == (line, column)


def test_the_registry_knows_go_by_its_windmill_names() -> None:
    assert get("go") is go and canonical("golang") == "go"
    assert (go.extension, go.tag) == ("go", "go")
