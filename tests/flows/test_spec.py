"""The flow spec: shape, scoping of `results`, limits, callbacks, normalisation, YAML and JSON text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiln.flows.spec import (
    MAX_SPEC_BYTES,
    SpecError,
    SpecIssue,
    SpecTooLarge,
    dump_text,
    load_text,
    module_ids,
    references,
    spec_hash,
    validate_flow,
    walk,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_NAME = "order_digest.flow.yaml"


def example_text() -> str:
    for folder in (ROOT / "examples" / "flows", ROOT.parent / "shared" / "examples" / "flows"):
        if (folder / EXAMPLE_NAME).is_file():
            return (folder / EXAMPLE_NAME).read_text()
    pytest.skip(f"no {EXAMPLE_NAME} in examples/flows or ../shared/examples/flows")


def js(expr: str) -> dict[str, Any]:
    return {"type": "javascript", "expr": expr}


def static(value: Any) -> dict[str, Any]:
    return {"type": "static", "value": value}


def step(step_id: str, **extra: Any) -> dict[str, Any]:
    """A rawscript step; `inputs` become its input transforms."""
    inputs = extra.pop("inputs", {})
    value = {"type": "rawscript", "language": "python3", "content": "def main(**kw):\n    return kw\n"}
    return {"id": step_id, "value": {**value, "input_transforms": inputs}, **extra}


def loop(
    step_id: str, modules: list[dict[str, Any]], iterator: str = "[1, 2]", **extra: Any
) -> dict[str, Any]:
    return {
        "id": step_id,
        "value": {"type": "forloopflow", "iterator": js(iterator), "modules": modules},
        **extra,
    }


def flow(*modules: dict[str, Any], **value: Any) -> dict[str, Any]:
    return {"summary": "test", "value": {"modules": list(modules), **value}}


def issues(doc: Any, **callbacks: Any) -> list[tuple[str, str]]:
    try:
        validate_flow(doc, **callbacks)
    except SpecError as exc:
        return [(issue.path, issue.message) for issue in exc.issues]
    return []


def paths(doc: Any, **callbacks: Any) -> list[str]:
    return [path for path, _ in issues(doc, **callbacks)]


def nested_loops(levels: int) -> dict[str, Any]:
    inner = [step("leaf")]
    for level in range(levels):
        inner = [loop(f"l{level}", inner)]
    return flow(*inner)


# --- the example and each kind ------------------------------------------------------------------


def test_the_example_flow_validates_cleanly() -> None:
    doc = load_text(example_text())
    out = validate_flow(doc)
    assert module_ids(out["value"]) == [
        "fetch",
        "score",
        "score_one",
        "decide",
        "approve",
        "nothing",
        "send",
        "failure",
    ]
    assert out["value"]["modules"][1]["value"]["modules"][0]["value"]["language"] == "deno"  # kept as written


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_example_round_trips_through_text(fmt: str) -> None:
    out = validate_flow(load_text(example_text()))
    text = dump_text(out, fmt)
    assert load_text(text, fmt) == out
    assert load_text(text) == out  # the format guessed
    assert validate_flow(load_text(text)) == out


def test_yaml_export_writes_scripts_as_literal_blocks() -> None:
    text = dump_text(validate_flow(load_text(example_text())), "yaml")
    assert "content: |\n" in text
    assert "    def main(count: int):\n" in text
    assert "&id" not in text


def test_every_module_kind_is_valid() -> None:
    doc = flow(
        step("raw"),
        {"id": "by_path", "value": {"type": "script", "path": "f/x/s", "input_transforms": {"a": static(1)}}},
        {"id": "by_hash", "value": {"type": "script", "hash": "abc123"}},
        {"id": "sub", "value": {"type": "flow", "path": "f/x/other"}},
        {
            "id": "each",
            "value": {
                "type": "forloopflow",
                "iterator": js("results.raw"),
                "modules": [step("inner_each")],
                "parallel": True,
                "parallelism": 3,
            },
        },
        {
            "id": "again",
            "value": {"type": "whileloopflow", "modules": [step("inner_again")], "skip_failures": True},
        },
        {
            "id": "pick",
            "value": {
                "type": "branchone",
                "branches": [{"summary": "big", "expr": "results.raw > 1", "modules": [step("big")]}],
                "default": [step("small")],
            },
        },
        {
            "id": "fan",
            "value": {
                "type": "branchall",
                "branches": [{"modules": [step("left")], "skip_failure": True}, {"modules": [], "expr": "x"}],
                "parallel": True,
            },
        },
        {"id": "same", "value": {"type": "identity", "flow": False}},
    )
    assert issues(doc) == []


def test_accepted_windmill_fields_are_ignored_not_refused() -> None:
    raw = step("a", priority=1, delete_after_use=True)
    raw["value"] |= {"lock": "", "path": "f/x/a", "tag": "gpu", "is_trigger": False, "concurrent_limit": 2}
    doc = flow(raw, same_worker=False, priority=3, concurrency_time_window_s=60, concurrent_limit=1)
    assert issues(doc) == []


def test_a_module_with_every_option_is_valid() -> None:
    module = step(
        "a",
        summary="all of it",
        stop_after_if={"expr": "result.done", "skip_if_stopped": True, "error_message": "stopped"},
        skip_if={"expr": "flow_input.skip"},
        sleep=js("flow_input.wait"),
        cache_ttl=0,
        timeout=30,
        retry={
            "constant": {"attempts": 2, "seconds": 1.5},
            "exponential": {"attempts": 3, "multiplier": 2, "seconds": 1, "random_factor": 50},
        },
        continue_on_error=True,
        suspend={
            "required_events": 2,
            "timeout": 60,
            "resume_form": {"schema": {"type": "object"}},
            "user_auth_required": True,
            "hide_cancel": False,
            "self_approval_disabled": True,
            "user_groups_required": js("['ops']"),
            "continue_on_disapprove_timeout": False,
        },
        mock={"enabled": False, "return_value": {"x": 1}},
    )
    assert issues(flow(module, early_return="a", skip_expr="flow_input.off", concurrency_key="k")) == []


# --- the shape ----------------------------------------------------------------------------------


def test_an_unknown_module_type_is_an_error_naming_the_known_ones() -> None:
    [(path, message)] = issues(flow({"id": "a", "value": {"type": "python_script"}}))
    assert path == "value.modules[0].value.type"
    assert "'python_script'" in message and "forloopflow" in message and "rawscript" in message


def test_a_missing_iterator_is_an_error_at_its_place() -> None:
    doc = flow({"id": "each", "value": {"type": "forloopflow", "modules": []}})
    assert issues(doc) == [("value.modules[0].value.iterator", "is required")]


def test_a_bad_type_deep_in_a_branch_is_reported_with_its_whole_path() -> None:
    doc = flow(
        step("a"),
        {
            "id": "b",
            "value": {
                "type": "branchone",
                "branches": [{"expr": "true", "modules": [{"id": "c", "value": {"type": "nope"}}]}],
            },
        },
    )
    assert paths(doc) == ["value.modules[1].value.branches[0].modules[0].value.type"]


def test_unknown_keys_are_errors_at_every_level() -> None:
    doc = flow(step("a", colour="red"), extra=1)
    doc["owner"] = "me"
    assert sorted(paths(doc)) == ["owner", "value.extra", "value.modules[0].colour"]


def test_missing_required_fields_are_each_reported() -> None:
    doc = {"value": {"modules": [{"value": {"type": "rawscript"}}]}}
    assert sorted(paths(doc)) == [
        "value.modules[0].id",
        "value.modules[0].value.content",
        "value.modules[0].value.language",
    ]
    assert paths({"summary": "x"}) == ["value"]
    assert paths({"value": {}}) == ["value.modules"]


def test_an_id_must_be_an_identifier() -> None:
    assert paths(flow(step("1abc"), step("a-b"), step("x" * 65), step("ok_1"))) == [
        "value.modules[0].id",
        "value.modules[1].id",
        "value.modules[2].id",
    ]


def test_a_duplicate_id_is_an_error_at_its_second_place() -> None:
    doc = flow(step("a"), loop("l", [step("a")]))
    [(path, message)] = issues(doc)
    assert path == "value.modules[1].value.modules[0].id"
    assert "value.modules[0]" in message


def test_the_failure_module_shares_the_id_space() -> None:
    doc = flow(step("a"), failure_module=step("a"))
    assert paths(doc) == ["value.failure_module.id"]


def test_an_unknown_language_is_an_error_listing_the_known_ones() -> None:
    module = step("a")
    module["value"]["language"] = "cobol"
    [(path, message)] = issues(flow(module))
    assert path == "value.modules[0].value.language"
    assert "cobol" in message and "python3" in message


def test_language_aliases_are_accepted_and_kept_as_written() -> None:
    module = step("a")
    module["value"]["language"] = "bun"
    assert validate_flow(flow(module))["value"]["modules"][0]["value"]["language"] == "bun"


@pytest.mark.parametrize(
    ("transform", "where"),
    [
        ({"type": "python", "expr": "1"}, ".type"),
        ({"expr": "1"}, ".type"),
        ({"type": "javascript"}, ".expr"),
        ({"type": "javascript", "expr": 5}, ".expr"),
        ({"type": "static", "value": 1, "expr": "x"}, ".expr"),
        ("flow_input.x", ""),
    ],
)
def test_a_bad_input_transform_is_an_error_at_its_field(transform: Any, where: str) -> None:
    doc = flow(step("a"), failure_module=step("on_error", inputs={"error": transform}))
    assert paths(doc) == [f"value.failure_module.value.input_transforms.error{where}"]


def test_a_static_transform_without_value_is_accepted_as_windmill_writes_it() -> None:
    assert issues(flow(step("a", inputs={"x": {"type": "static"}}))) == []


@pytest.mark.parametrize(
    ("retry", "where"),
    [
        ({"constant": {"attempts": -1, "seconds": 1}}, "retry.constant.attempts"),
        ({"constant": {"attempts": 1, "seconds": "soon"}}, "retry.constant.seconds"),
        (
            {"exponential": {"attempts": 1, "multiplier": 2, "seconds": 1, "random_factor": 101}},
            "retry.exponential.random_factor",
        ),
        ({"linear": {}}, "retry.linear"),
        ([1], "retry"),
    ],
)
def test_a_bad_retry_is_an_error_at_its_field(retry: Any, where: str) -> None:
    assert paths(flow(step("a", retry=retry))) == [f"value.modules[0].{where}"]


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"timeout": 1.5}, "timeout"),
        ({"cache_ttl": -1}, "cache_ttl"),
        ({"sleep": -2}, "sleep"),
        ({"sleep": "5"}, "sleep"),
        ({"continue_on_error": "yes"}, "continue_on_error"),
        ({"suspend": {"required_events": 0}}, "suspend.required_events"),
        ({"suspend": {"resume_form": {}}}, "suspend.resume_form.schema"),
        ({"skip_if": {}}, "skip_if.expr"),
        ({"stop_after_if": {"expr": "true", "skip_if_stopped": 1}}, "stop_after_if.skip_if_stopped"),
        ({"mock": {"enabled": "no"}}, "mock.enabled"),
    ],
)
def test_module_options_are_checked(extra: dict[str, Any], where: str) -> None:
    assert paths(flow(step("a", **extra))) == [f"value.modules[0].{where}"]


def test_a_number_of_seconds_may_be_a_float_and_parallelism_a_transform() -> None:
    each = loop("each", [step("x")])
    each["value"] |= {"parallel": True, "parallelism": js("flow_input.width")}
    assert issues(flow(step("a", sleep=0.5), each)) == []
    each["value"]["parallelism"] = 0
    assert paths(flow(each)) == ["value.modules[0].value.parallelism"]


def test_stop_after_all_iters_if_is_only_for_loops() -> None:
    doc = flow(
        step("a", stop_after_all_iters_if={"expr": "true"}),
        loop("b", [step("c")], stop_after_all_iters_if={"expr": "results.b.length > 2"}),
        {
            "id": "w",
            "value": {"type": "whileloopflow", "modules": [step("d")]},
            "stop_after_all_iters_if": {"expr": "true"},
        },
    )
    assert issues(doc) == [
        ("value.modules[0].stop_after_all_iters_if", "only a forloopflow or whileloopflow module may have it")
    ]


def test_a_script_module_needs_exactly_one_of_path_and_hash() -> None:
    both = {"id": "a", "value": {"type": "script", "path": "f/x/s", "hash": "abc"}}
    neither = {"id": "b", "value": {"type": "script"}}
    assert paths(flow(both, neither)) == ["value.modules[0].value", "value.modules[1].value"]


def test_branches_are_checked() -> None:
    one = {"id": "a", "value": {"type": "branchone", "branches": [{"modules": []}]}}
    every = {"id": "b", "value": {"type": "branchall", "branches": {"modules": []}}}
    assert paths(flow(one, every)) == [
        "value.modules[0].value.branches[0].expr",
        "value.modules[1].value.branches",
    ]


def test_early_return_must_name_a_top_level_step() -> None:
    doc = flow(step("a"), loop("b", [step("inner")]), early_return="inner")
    assert issues(doc) == [
        ("value.early_return", "step 'inner' is not a top-level step (one of value.modules)")
    ]
    assert issues(flow(step("a"), early_return="ghost")) == [
        ("value.early_return", "no step 'ghost' in this flow")
    ]
    assert issues(flow(step("a"), early_return="a")) == []


def test_the_schema_must_describe_an_object() -> None:
    doc = flow(step("a"))
    doc["schema"] = {"type": "array", "properties": [], "required": "x"}
    assert paths(doc) == ["schema.type", "schema.properties", "schema.required"]
    doc["schema"] = "none"
    assert paths(doc) == ["schema"]


def test_flow_value_options_are_checked() -> None:
    doc = flow(step("a"), concurrent_limit=0, concurrency_key=3, skip_expr=False)
    assert paths(doc) == ["value.concurrent_limit", "value.concurrency_key", "value.skip_expr"]


def test_nesting_sixteen_levels_is_allowed_but_seventeen_is_not() -> None:
    assert issues(nested_loops(16)) == []
    [(path, message)] = issues(nested_loops(17))
    assert path == "value.modules[0]" + ".value.modules[0]" * 16 + ".value"
    assert "16 levels" in message


def test_more_than_two_thousand_modules_is_an_error() -> None:
    assert issues(flow(*[step(f"s{i}") for i in range(2000)])) == []
    assert issues(flow(*[step(f"s{i}") for i in range(2001)])) == [
        ("value", "the flow has more than 2000 modules")
    ]


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(SpecError, match="must be a mapping"):
        validate_flow([1, 2])


def test_values_json_cannot_hold_are_errors_at_their_place() -> None:
    doc = flow(step("a", inputs={"when": static({"at": {1, 2}})}))
    assert paths(doc) == ["value.modules[0].value.input_transforms.when.value.at"]
    assert paths(flow(step("a", inputs={"x": static(float("nan"))}))) == [
        "value.modules[0].value.input_transforms.x.value"
    ]


# --- errors, as a whole -------------------------------------------------------------------------


def test_every_error_is_collected_not_just_the_first() -> None:
    doc = flow(step("a", timeout=0), {"id": "b", "value": {"type": "nope"}}, step("a"))
    with pytest.raises(SpecError) as caught:
        validate_flow(doc)
    assert [issue.path for issue in caught.value.issues] == [
        "value.modules[0].timeout",
        "value.modules[1].value.type",
        "value.modules[2].id",
    ]
    assert str(caught.value).startswith("value.modules[0].timeout: must be at least 1, not 0 (and 2 more)")
    detail = caught.value.as_detail()
    assert detail["path"] == "value.modules[0].timeout"
    assert len(detail["errors"]) == 3 and set(detail["errors"][0]) == {"path", "message"}


def test_at_most_fifty_errors_are_reported() -> None:
    doc = flow(*[step(f"s{i}", timeout=0) for i in range(80)])
    with pytest.raises(SpecError) as caught:
        validate_flow(doc)
    assert len(caught.value.issues) == 50


def test_a_single_error_has_no_count_and_a_whole_document_error_no_path() -> None:
    assert str(SpecError([SpecIssue("value", "is required")])) == "value: is required"
    assert SpecError([SpecIssue("", "too big")]).message == "too big"


def test_a_ten_megabyte_flow_is_too_large() -> None:
    doc = flow(step("a", inputs={"blob": static("x" * 10 * 1024 * 1024)}))
    with pytest.raises(SpecTooLarge) as caught:
        validate_flow(doc)
    assert caught.value.issues[0].path == ""
    assert caught.value.issues[0].message.endswith(f"bytes; the limit is {MAX_SPEC_BYTES}")
    assert isinstance(caught.value, SpecError)
    with pytest.raises(SpecTooLarge):
        load_text(json.dumps(doc))


def test_a_yaml_alias_bomb_is_too_large_not_a_hang() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(SpecTooLarge):
        load_text("\n".join(lines))


def test_a_self_referencing_yaml_document_is_refused() -> None:
    with pytest.raises(SpecError, match="nested more than"):
        load_text("value: &v {modules: [*v]}")


# --- which results an expression may read -------------------------------------------------------


def test_a_step_may_read_the_steps_before_it() -> None:
    assert issues(flow(step("a"), step("b", inputs={"x": js("results.a + 1")}))) == []


def test_reading_a_later_step_is_an_error() -> None:
    doc = flow(step("a", inputs={"x": js("results.send")}), step("send"))
    assert issues(doc) == [
        (
            "value.modules[0].value.input_transforms.x.expr",
            "results.send: step 'send' does not precede this step",
        )
    ]


def test_reading_a_step_inside_an_earlier_loop_is_an_error() -> None:
    doc = flow(loop("l", [step("inner")]), step("b", inputs={"x": js("results.inner"), "y": js("results.l")}))
    assert issues(doc) == [
        (
            "value.modules[1].value.input_transforms.x.expr",
            "results.inner: step 'inner' does not precede this step",
        )
    ]


def test_reading_an_unknown_step_is_an_error() -> None:
    doc = flow(step("a", inputs={"x": js("results.nope")}))
    assert issues(doc) == [
        ("value.modules[0].value.input_transforms.x.expr", "results.nope: no step 'nope' in this flow")
    ]


def test_an_inner_step_sees_what_precedes_its_containers() -> None:
    inner = loop(
        "inner_loop", [step("deep", inputs={"x": js("results.a + results.first + flow_input.iter.value")})]
    )
    doc = flow(step("a"), loop("outer", [step("first"), inner]))
    assert issues(doc) == []


def test_a_loop_iterator_does_not_see_the_loop_itself() -> None:
    doc = flow(step("a"), loop("l", [step("x")], iterator="results.l"))
    assert paths(doc) == ["value.modules[1].value.iterator.expr"]


def test_a_branch_expression_sees_what_precedes_the_branch() -> None:
    branch = {"expr": "results.a && results.pick && results.big", "modules": [step("big")]}
    doc = flow(step("a"), {"id": "pick", "value": {"type": "branchone", "branches": [branch], "default": []}})
    assert issues(doc) == [
        ("value.modules[1].value.branches[0].expr", "results.big: step 'big' does not precede this step"),
        ("value.modules[1].value.branches[0].expr", "results.pick: step 'pick' does not precede this step"),
    ]


def test_a_step_may_read_its_own_result_in_stop_after_if_only() -> None:
    doc = flow(
        step("a", stop_after_if={"expr": "results.a.done && result.done"}),
        step("b", skip_if={"expr": "results.b"}, inputs={"x": js("results.b")}),
        loop("l", [step("c")], stop_after_all_iters_if={"expr": "results.l.length > 1"}),
    )
    assert paths(doc) == ["value.modules[1].skip_if.expr", "value.modules[1].value.input_transforms.x.expr"]


def test_the_failure_module_sees_every_step() -> None:
    doc = flow(
        step("a"),
        loop("l", [step("inner")]),
        failure_module=step("on_error", inputs={"x": js("[results.a, results.inner, results.l, error]")}),
    )
    assert issues(doc) == []


def test_the_flow_skip_expression_sees_no_step() -> None:
    assert paths(flow(step("a"), skip_expr="results.a")) == ["value.skip_expr"]


def test_sleep_and_parallelism_expressions_are_scoped_too() -> None:
    each = loop("l", [step("x")])
    each["value"] |= {"parallel": True, "parallelism": js("results.later")}
    doc = flow(step("a", sleep=js("results.a")), each, step("later"))
    assert paths(doc) == ["value.modules[0].sleep.expr", "value.modules[1].value.parallelism.expr"]


# --- references() -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("results.a + results.b_2.x", {"a", "b_2"}),
        ("results?.a ?? results ?. b", {"a", "b"}),
        ("results['a-b'] + results[\"c\"] + results?.['d']", {"a-b", "c", "d"}),
        ("'results.x' + \"results.y\" + 'it\\'s results.z'", set()),
        ("1 // results.hidden\n+ /* results.also */ 2", set()),
        ("`total ${results.a} and ${ {k: results.b}.k }` + `results.c`", {"a", "b"}),
        ("myresults.a + x.results.b + results", set()),
        ("const r = results.a; return r", {"a"}),
        ("results[key]", set()),
    ],
)
def test_references_finds_step_ids_outside_strings_and_comments(expr: str, expected: set[str]) -> None:
    assert references(expr) == expected


# --- callbacks ----------------------------------------------------------------------------------


def test_a_syntax_error_from_the_callback_is_an_issue_at_its_expression() -> None:
    def syntax_check(expr: str) -> str | None:
        return "Unexpected token ')'" if ")" in expr and "(" not in expr else None

    doc = flow(step("a", inputs={"ok": js("f(1)"), "bad": js("1 +)")}), skip_expr="true")
    assert issues(doc, syntax_check=syntax_check) == [
        (
            "value.modules[0].value.input_transforms.bad.expr",
            "syntax error in expression: Unexpected token ')'",
        )
    ]


def test_every_expression_goes_through_the_syntax_check() -> None:
    seen: list[str] = []

    def syntax_check(expr: str) -> None:
        seen.append(expr)

    validate_flow(load_text(example_text()), syntax_check=syntax_check)
    assert "results.score.some(s => s.big)" in seen and "results.fetch" in seen and "error" in seen


def sub(path: str) -> dict[str, Any]:
    return {"id": f"call_{path.replace('/', '_')}", "value": {"type": "flow", "path": path}}


def test_a_flow_calling_itself_is_a_cycle() -> None:
    [(path, message)] = issues(flow(sub("f/a/x")), subflow=lambda p: None, self_path="f/a/x")
    assert (path, message) == ("value.modules[0].value.path", "flow cycle: f/a/x → f/a/x")


def test_a_flow_calling_itself_through_another_is_a_cycle() -> None:
    stored = {"f/a/y": flow(sub("f/a/z")), "f/a/z": flow(sub("f/a/x"))}
    doc = flow(step("a"), sub("f/a/y"))
    assert issues(doc, subflow=stored.get, self_path="f/a/x") == [
        ("value.modules[1].value.path", "flow cycle: f/a/x → f/a/y → f/a/z → f/a/x")
    ]


def test_a_cycle_among_stored_flows_is_found_without_looping() -> None:
    calls: list[str] = []
    stored = {"f/a/y": flow(sub("f/a/z")), "f/a/z": flow(sub("f/a/y"))}

    def lookup(path: str) -> dict[str, Any] | None:
        calls.append(path)
        return stored.get(path)

    doc = flow(sub("f/a/y"), loop("l", [sub("f/a/z")]))
    assert issues(doc, subflow=lookup, self_path="f/a/x") == [
        ("value.modules[0].value.path", "flow cycle: f/a/y → f/a/z → f/a/y"),
        ("value.modules[1].value.modules[0].value.path", "flow cycle: f/a/z → f/a/y → f/a/z"),
    ]
    assert sorted(calls) == ["f/a/y", "f/a/z"]  # each stored flow looked up once


def test_subflows_without_a_cycle_are_fine() -> None:
    stored = {"f/a/y": flow(sub("f/a/z"), sub("f/a/z")), "f/a/z": flow(step("a"))}
    assert issues(flow(sub("f/a/y"), sub("f/a/z")), subflow=stored.get, self_path="f/a/x") == []


def test_a_missing_subflow_is_an_error() -> None:
    assert issues(flow(sub("f/a/gone")), subflow=lambda p: None) == [
        ("value.modules[0].value.path", "no flow at path 'f/a/gone'")
    ]


def test_a_missing_script_is_an_error_and_a_pinned_hash_is_not_looked_up() -> None:
    asked: list[str] = []

    def script_exists(path: str) -> bool:
        asked.append(path)
        return path == "f/x/here"

    doc = flow(
        {"id": "a", "value": {"type": "script", "path": "f/x/here"}},
        {"id": "b", "value": {"type": "script", "path": "f/x/gone"}},
        {"id": "c", "value": {"type": "script", "hash": "abc"}},
    )
    assert issues(doc, script_exists=script_exists) == [
        ("value.modules[1].value.path", "no script at path 'f/x/gone'")
    ]
    assert asked == ["f/x/here", "f/x/gone"]


# --- normalisation, walking, hashing ------------------------------------------------------------


def test_validation_fills_the_defaults_in_a_copy() -> None:
    each = loop("each", [step("x")])
    each["value"]["modules"][0]["value"].pop("input_transforms")
    doc = {
        "value": {
            "modules": [
                each,
                {"id": "one", "value": {"type": "branchone", "branches": []}},
                {"id": "all", "value": {"type": "branchall", "branches": []}, "suspend": {"timeout": 5}},
                {"id": "sub", "value": {"type": "flow", "path": "f/a/b"}},
            ]
        }
    }
    original = json.loads(json.dumps(doc))
    out = validate_flow(doc)
    assert doc == original
    assert out["summary"] == "" and out["description"] == ""
    assert out["schema"] == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {},
        "required": [],
    }
    modules = out["value"]["modules"]
    assert modules[0]["value"]["skip_failures"] is False and modules[0]["value"]["parallel"] is False
    assert modules[0]["value"]["modules"][0]["value"]["input_transforms"] == {}
    assert modules[1]["value"]["default"] == []
    assert modules[2]["value"]["parallel"] is False
    assert modules[2]["suspend"] == {"timeout": 5, "required_events": 1}
    assert modules[3]["value"]["input_transforms"] == {}
    assert validate_flow(out) == out


def test_walk_visits_every_module_in_order_with_the_failure_module_last() -> None:
    value = validate_flow(load_text(example_text()))["value"]
    assert [path for path, _ in walk(value)] == [
        "value.modules[0]",
        "value.modules[1]",
        "value.modules[1].value.modules[0]",
        "value.modules[2]",
        "value.modules[2].value.branches[0].modules[0]",
        "value.modules[2].value.default[0]",
        "value.modules[3]",
        "value.failure_module",
    ]


def test_the_hash_ignores_key_order_but_not_content() -> None:
    a = {"summary": "x", "value": {"modules": []}}
    b = {"value": {"modules": []}, "summary": "x"}
    assert spec_hash(a) == spec_hash(b)
    assert spec_hash(a) != spec_hash({**a, "summary": "y"})
    assert len(spec_hash(a)) == 64


# --- text ---------------------------------------------------------------------------------------


def test_a_yaml_error_names_its_line_and_column() -> None:
    with pytest.raises(SpecError) as caught:
        load_text("summary: x\nvalue:\n  modules: [a, b\n  other: 1\n")
    message = caught.value.issues[0].message
    assert message.startswith("YAML error at line 4, column ")
    assert caught.value.issues[0].path == ""


def test_a_json_error_names_its_line_and_column() -> None:
    with pytest.raises(SpecError, match=r"^JSON error at line 2, column 11: "):
        load_text('{"summary": "x",\n "value": }')


def test_a_top_level_that_is_not_a_mapping_is_refused() -> None:
    for text in ("- a\n- b\n", "just text", "", "[1]"):
        with pytest.raises(SpecError, match=r"^the flow must be a mapping \(an object\) at the top level$"):
            load_text(text)


def test_text_over_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(SpecTooLarge):
        load_text("a: " + "x" * MAX_SPEC_BYTES)


def test_deeply_nested_text_is_an_error_not_a_crash() -> None:
    for text in ("- " * 100_000 + "x", "a: " + "[" * 100_000, '{"a": ' + "[" * 100_000):
        with pytest.raises(SpecError):
            load_text(text)


def test_yaml_keeps_dates_as_text_and_refuses_python_objects() -> None:
    assert load_text("when: 2024-05-01\n")["when"] == "2024-05-01"
    with pytest.raises(SpecError, match="YAML error"):
        load_text("x: !!python/object/apply:os.system [echo hi]\n")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_tricky_strings_round_trip(fmt: str) -> None:
    texts = [
        "2024-05-01",
        "on",
        "null",
        "12",
        "",
        " lead",
        "trail \n",
        "a\n\nb\n\n",
        "tab\there",
        "é😀\u0085\u2028",
        "#x: y",
    ]
    doc = {"value": {"modules": [], "texts": texts, "keys": {text: text for text in texts}}}
    assert load_text(dump_text(doc, fmt), fmt) == doc
