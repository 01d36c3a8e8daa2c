"""TypeScript `main` signatures become JSON Schemas, statically (tree-sitter, never Deno)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from scripts_runtime.languages import typescript
from scripts_runtime.languages.base import SignatureError
from scripts_runtime.languages.typescript_deps import remote_imports
from scripts_runtime.languages.typescript_syntax import parse
from scripts_runtime.registry import canonical, get
from tests.conftest import example


def props(source: str) -> dict[str, Any]:
    return typescript.parse_signature(source)["properties"]


def required(source: str) -> list[str]:
    return list(typescript.parse_signature(source)["required"])


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("string", {"type": "string"}),
        ("number", {"type": "number"}),
        ("boolean", {"type": "boolean"}),
        ("object", {"type": "object"}),
        ("string[]", {"type": "array", "items": {"type": "string"}}),
        ("Array<number>", {"type": "array", "items": {"type": "number"}}),
        ("readonly boolean[]", {"type": "array", "items": {"type": "boolean"}}),
        ("number[][]", {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}),
        ("any[]", {"type": "array"}),
        ("(string)", {"type": "string"}),
        ('"a" | "b"', {"type": "string", "enum": ["a", "b"]}),
        ("'x' | 'y' | 'x'", {"type": "string", "enum": ["x", "y"]}),
        ("1 | 2 | 3", {"type": "number", "enum": [1, 2, 3]}),
        ("true | false", {"type": "boolean"}),
        ('"a" | 1', {"enum": ["a", 1]}),
        ("string | number", {"anyOf": [{"type": "string"}, {"type": "number"}]}),
        ("string | any", {}),
        ("Date", {"type": "string", "format": "date-time"}),
        ("Record<string, number>", {"type": "object", "additionalProperties": {"type": "number"}}),
        ("`id-${string}`", {"type": "string"}),
        (
            "{ a: string; b?: number }",
            {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
                "required": ["a"],
            },
        ),
        ("[string, number]", {"type": "array"}),
        ("RT.Postgresql", {"type": "object", "format": "resource-postgresql"}),
        ("any", {}),
        ("unknown", {}),
        ("ImportedThing", {}),
        ("Promise<string>", {}),
        ("(x: number) => string", {}),
        ("keyof typeof globalThis", {}),
    ],
)
def test_each_type_maps_to_a_schema(annotation: str, expected: dict[str, Any]) -> None:
    assert props(f"export function main(x: {annotation}) {{}}\n")["x"] == expected


@pytest.mark.parametrize(
    ("param", "expected", "is_required"),
    [
        ("x = 3", {"type": "number", "default": 3}, False),
        ("x = 0.5", {"type": "number", "default": 0.5}, False),
        ("x = -2", {"type": "number", "default": -2}, False),
        ("x = 0xff", {"type": "number", "default": 255}, False),
        ('label = "total"', {"type": "string", "default": "total"}, False),
        ("label = 'it\\'s'", {"type": "string", "default": "it's"}, False),
        ("label = `plain`", {"type": "string", "default": "plain"}, False),
        ("on = false", {"type": "boolean", "default": False}, False),
        ("tags = []", {"type": "array", "default": []}, False),
        (
            "opts = { round: false, 'n-k': [1, null] }",
            {"type": "object", "default": {"round": False, "n-k": [1, None]}},
            False,
        ),
        ("x: number = 3", {"type": "number", "default": 3}, False),
        ("t: string = Date.now().toString()", {"type": "string"}, False),
        ("t = crypto.randomUUID()", {}, False),
        ("t = `at ${Date.now()}`", {}, False),
        ("big = 10n", {}, False),
        ("o = { ...base }", {}, False),
        ("x: string | null = null", {"type": "string"}, False),
        ("x?: number", {"type": "number"}, False),
        ("x: number | undefined", {"type": "number"}, False),
        ("x: string | null", {"type": "string"}, False),
        ("x", {}, True),
    ],
)
def test_defaults_and_optional_markers_make_a_field_optional(
    param: str, expected: dict[str, Any], is_required: bool
) -> None:
    source = f"export function main({param}) {{}}\n"
    name = re.match(r"\w+", param).group()  # type: ignore[union-attr]
    assert props(source)[name] == expected
    assert required(source) == ([name] if is_required else [])


@pytest.mark.parametrize(
    "declaration",
    [
        "export async function main(n: number, s: string) {}",
        "export function main(n: number, s: string): void {}",
        "export const main = (n: number, s: string) => n;",
        "export const main = async (n: number, s: string) => n;",
        "export let main = function (n: number, s: string) {};",
        "function main(n: number, s: string) {}\nexport { main };",
    ],
)
def test_every_way_of_exporting_main_is_read(declaration: str) -> None:
    assert props(declaration) == {"n": {"type": "number"}, "s": {"type": "string"}}


def test_an_arrow_function_with_one_bare_parameter_is_read() -> None:
    assert props("export const main = name => `hi ${name}`;\n") == {"name": {}}


def test_string_literal_unions_declared_as_type_aliases_are_enums() -> None:
    source = (
        'type Mode = "fast" | "safe";\n'
        'export type Speed = Mode | "slow";\n'
        "export function main(mode: Mode, speed: Speed = 'slow') {}\n"
    )
    p = props(source)
    assert p["mode"] == {"type": "string", "enum": ["fast", "safe"]}
    assert p["speed"] == {"type": "string", "enum": ["fast", "safe", "slow"], "default": "slow"}


def test_interfaces_and_type_aliases_in_the_file_become_nested_objects() -> None:
    source = (
        "interface Base { id: number }\n"
        "interface Order extends Base {\n"
        "  /** who pays */\n"
        "  customer: string;\n"
        "  lines?: { sku: string; qty: number }[];\n"
        '  "ship-to": Address | undefined;\n'
        "}\n"
        "type Address = { street: string; city: string };\n"
        "export function main(order: Order) {}\n"
    )
    address = {
        "type": "object",
        "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        "required": ["street", "city"],
    }
    line = {
        "type": "object",
        "properties": {"sku": {"type": "string"}, "qty": {"type": "number"}},
        "required": ["sku", "qty"],
    }
    assert props(source)["order"] == {
        "type": "object",
        "properties": {
            "id": {"type": "number"},
            "customer": {"type": "string", "description": "who pays"},
            "lines": {"type": "array", "items": line},
            "ship-to": address,
        },
        "required": ["id", "customer"],
    }


def test_a_recursive_type_stops_at_itself_instead_of_looping() -> None:
    source = "type Tree = { name: string; children: Tree[] };\nexport function main(t: Tree) {}\n"
    assert props(source)["t"]["properties"]["children"] == {"type": "array"}


def test_an_intersection_of_object_types_merges_their_fields() -> None:
    source = "type A = { a: string };\ntype B = { b?: number };\nexport function main(x: A & B) {}\n"
    assert props(source)["x"] == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
        "required": ["a"],
    }


def test_windmill_resource_types_declared_as_object_are_resources() -> None:
    source = "type SlackWebhook = object;\nexport function main(hook: SlackWebhook) {}\n"
    assert props(source)["hook"] == {"type": "object", "format": "resource-slack_webhook"}


def test_imported_types_accept_any_json_and_are_never_an_error() -> None:
    source = 'import type { Customer } from "./types.ts";\nexport function main(c: Customer, n: number) {}\n'
    assert props(source) == {"c": {}, "n": {"type": "number"}}


def test_jsdoc_param_lines_become_descriptions() -> None:
    source = (
        "/**\n"
        " * Send a report.\n"
        " * @param {string} to - who gets it,\n"
        " *   on two lines\n"
        " * @param [copies=2] how many\n"
        " * @returns nothing\n"
        " */\n"
        "export async function main(to: string, copies = 2, silent = false) {}\n"
    )
    p = props(source)
    assert p["to"]["description"] == "who gets it, on two lines"
    assert p["copies"] == {"type": "number", "default": 2, "description": "how many"}
    assert "description" not in p["silent"]


def test_a_this_parameter_is_not_an_argument() -> None:
    assert props("export function main(this: Window, n: number) {}\n") == {"n": {"type": "number"}}


def test_the_top_level_shape_matches_the_other_languages() -> None:
    schema = typescript.parse_signature("export function main(a: string, b = 1) {}\n")
    assert schema == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "number", "default": 1}},
        "required": ["a"],
        "additionalProperties": False,
    }


def test_the_sum_numbers_example_parses_without_running() -> None:
    schema = typescript.parse_signature(example("sum_numbers.ts"))
    assert schema["required"] == ["values"]
    assert schema["additionalProperties"] is False
    p = schema["properties"]
    assert list(p) == ["values", "label", "mode", "scale", "options"]
    assert p["values"] == {"type": "array", "items": {"type": "number"}, "description": "the numbers to add"}
    assert p["label"] == {
        "type": "string",
        "default": "total",
        "description": "name of the total in the result",
    }
    assert p["mode"] == {"type": "string", "enum": ["fast", "safe"], "default": "safe"}
    assert p["scale"] == {"type": "number"}
    assert p["options"] == {
        "type": "object",
        "properties": {"round": {"type": "boolean"}, "digits": {"type": "number"}},
        "required": ["round"],
        "default": {"round": False},
    }


@pytest.mark.parametrize(
    ("source", "message", "line", "column"),
    [
        ("export function main(:\n", "syntax error", 1, None),
        ("const a = 1;\nexport function main(x: string {\n}\n", "syntax error: missing `\\)`", 2, 31),
        ("export function main() {\n  return 1 +;\n}\n", "missing a name or value", 2, 13),
        ('const s = "é";\nlet x = ;\nexport function main() {}\n', "syntax error near `=`", 2, 7),
        ("export function main() {}\n}\n", "syntax error near `}`", 2, 1),
        ("const a = 1;\nexport function main(x: {\n", "unexpected end of file", 2, 1),
        ("export function main() {\n  if (x) {\n    y();\n}\n", "missing `}`", 4, 2),
        ("export function helper() {}\n", "no exported `main`", None, None),
        ("function main() {}\n", "no exported `main`", None, None),
        ("export default function main(a: string) {}\n", "named export", 1, 1),
        ("export const main = 42;\n", "no exported `main`", None, None),
        ("export function main(a: string, ...rest: number[]) {}\n", r"\.\.\.rest", 1, 33),
        ("export const main = (...args) => args;\n", r"\.\.\.rest", 1, 22),
        ("export function main({ a, b }: { a: string; b: string }) {}\n", "destructuring", 1, 22),
    ],
)
def test_unusable_sources_are_refused_with_a_reason_and_a_place(
    source: str, message: str, line: int | None, column: int | None
) -> None:
    with pytest.raises(SignatureError, match=message) as info:
        typescript.parse_signature(source)
    assert info.value.line == line
    if column is not None:
        assert info.value.column == column


def test_remote_imports_are_found_without_running_the_script() -> None:
    source = (
        'import isNumber from "npm:is-number@7.0.0";\n'
        'import { join } from "jsr:@std/path@1";\n'
        'import * as local from "./local.ts";\n'
        'import process from "node:process";\n'
        'export { z } from "https://esm.sh/zod@3";\n'
        "export async function main() {\n"
        '  const pad = await import("npm:left-pad@1.3.0");\n'
        "  const computed = await import(`npm:${name}`);\n"
        "}\n"
    )
    tree, _ = parse(source)
    assert remote_imports(tree.root_node) == [
        "https://esm.sh/zod@3",
        "jsr:@std/path@1",
        "npm:is-number@7.0.0",
        "npm:left-pad@1.3.0",
    ]


def test_the_registry_knows_typescript_by_its_windmill_names() -> None:
    for alias in ("typescript", "deno", "bun", "nativets", "ts"):
        assert canonical(alias) == "typescript"
    assert get("deno") is typescript
