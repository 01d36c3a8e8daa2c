"""Bash positional parameters become JSON Schemas, statically (tree-sitter, never bash itself)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from scripts_runtime.languages import bash
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.registry import canonical, get
from tests.conftest import example


def props(source: str) -> dict[str, Any]:
    return bash.parse_signature(source)["properties"]


@pytest.mark.parametrize(
    ("assignment", "expected", "required"),
    [
        ('x="$1"', {"type": "string"}, True),
        ("x=$1", {"type": "string"}, True),
        ('x="${1}"', {"type": "string"}, True),
        ("x=${1}", {"type": "string"}, True),
        ('x="${1:-hello}"', {"type": "string", "default": "hello"}, False),
        ("x=${1:-hello}", {"type": "string", "default": "hello"}, False),
        ("x=${1:-'hi there'}", {"type": "string", "default": "hi there"}, False),
        ("x=\"${1:-'hi'}\"", {"type": "string", "default": "'hi'"}, False),  # bash keeps them: 'hi'
        ('x="${1:-"q r"}"', {"type": "string", "default": "q r"}, False),
        ('x=${1:-a\\ b\\"c}', {"type": "string", "default": 'a b"c'}, False),
        ('x="${1:-a \\"q\\" \\$x}"', {"type": "string", "default": 'a "q" $x'}, False),
        ('x="${1:-}"', {"type": "string", "default": ""}, False),
        ('x="${1:-héllo wörld}"', {"type": "string", "default": "héllo wörld"}, False),
        ("x=${1-unset}", {"type": "string", "default": "unset"}, False),
        ('x="${1:-$HOME}"', {"type": "string"}, False),  # computed by bash: no literal default
        ("x=${1:-`date`}", {"type": "string"}, False),
        ("x=${1:-~/data}", {"type": "string"}, False),
        ('x="${1:?x is required}"', {"type": "string"}, True),
        ('export x="$1"', {"type": "string"}, True),
        ('readonly x="${1:-r}"', {"type": "string", "default": "r"}, False),
        ('declare -r x="$1"', {"type": "string"}, True),
    ],
)
def test_each_assignment_form_maps_to_a_string_field(
    assignment: str, expected: dict[str, Any], required: bool
) -> None:
    schema = bash.parse_signature(assignment + '\necho "$x"\n')
    assert schema["properties"] == {"x": expected}
    assert schema["required"] == (["x"] if required else [])


@pytest.mark.parametrize(
    "source",
    [
        "x='$1'",  # single quotes: the literal text $1, not an argument
        'x="hello $1"',  # part of a longer word: not the argument's own value
        'x="$1$2"',
        "x=${1:+set}",  # "set" or nothing: not the argument's value
        "x=${#1}",
        "x=$0",
        'f() {\n  local x="$1"\n}',  # inside a function: the function's argument
        'if true; then\n  x="$1"\nfi',  # inside a branch: not every run
        'echo "$1"',
    ],
)
def test_what_is_not_a_top_level_named_positional_is_not_a_field(source: str) -> None:
    assert props(source + "\n") == {}


def test_defaults_in_the_bash_schema_match_what_bash_itself_does() -> None:
    source = 'a=${1:-\'hi there\'}\nb="${2:-\'q\'}"\nc=${3:-a\\ b\\"c}\nd="${4:-a \\"q\\" \\$x}"\n'
    ran = subprocess.run(
        ["/bin/bash", "-c", source + 'printf "%s\\n" "$a" "$b" "$c" "$d"'], capture_output=True, text=True
    )
    assert [p["default"] for p in props(source).values()] == ran.stdout.splitlines()


def test_fields_follow_positional_order_not_source_order() -> None:
    schema = bash.parse_signature('third="${3:-c}"\nfirst="$1"\nsecond="$2"\n')
    assert list(schema["properties"]) == ["first", "second", "third"]
    assert schema["required"] == ["first", "second"]


def test_the_first_assignment_of_a_position_wins() -> None:
    assert list(props('a="$1"\nb="$1"\na="$2"\nc=${10:-ten}\n')) == ["a", "c"]


def test_several_assignments_on_one_line_all_count() -> None:
    assert list(props('a="$1" b="${2:-x}"\n')) == ["a", "b"]


def test_a_script_without_positional_arguments_has_no_properties() -> None:
    schema = bash.parse_signature("#!/bin/bash\nset -euo pipefail\necho hello\n")
    assert schema["properties"] == {} and schema["required"] == []
    assert schema["additionalProperties"] is False


def test_the_hello_example_parses_without_running() -> None:
    assert bash.parse_signature(example("hello.sh")) == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "greeting": {"type": "string", "default": "hello"},
            "times": {"type": "string", "default": "1"},
        },
        "required": ["name"],
        "additionalProperties": False,
    }


def test_valid_bash_that_tree_sitter_cannot_parse_is_still_accepted() -> None:
    # tree-sitter-bash does not know the read-write redirection `<>`; bash -n does.
    source = 'name="$1"\nexec 3<>/dev/null\nmode="${2:-rw}"\n'
    assert props(source) == {"name": {"type": "string"}, "mode": {"type": "string", "default": "rw"}}


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ('name="$1"\nif [ -n "$name" ]; then\n  echo hi\n', "missing `fi`", 2),
        ('name="$1"\nfor i in 1 2; do\n  echo "$i"\n', "missing `done`", 2),
        ('name="$1"\ncase "$name" in\n  a) echo a;;\n', "missing `esac`", 2),
        ('name="$1"\ngreet() {\n  echo hi\n', "missing `}`", 2),
        ('name="$1"\necho "unterminated\necho x\n', 'missing `"`', 2),
        ("x=1\nif then fi\n", "syntax error near unexpected token `then'", 2),  # bash's own words
        ("x=1\n)\necho\n", "unexpected token `\\)'", 2),
        ("x=1\necho $(ls\n", "missing `\\)`", 2),
    ],
)
def test_syntax_errors_are_refused_with_the_line(source: str, message: str, line: int) -> None:
    with pytest.raises(SignatureError, match=message) as info:
        bash.parse_signature(source)
    assert info.value.line == line


def test_the_registry_knows_bash_by_its_windmill_names() -> None:
    assert get("bash") is bash and canonical("sh") == "bash"
    assert (bash.extension, bash.tag) == ("sh", "bash")
