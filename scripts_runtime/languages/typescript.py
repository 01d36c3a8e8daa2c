"""TypeScript on Deno: read `main`'s signature with tree-sitter (never running the script)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tree_sitter import Node

from scripts_runtime.languages.base import (
    JOB_DIR_IN_JAIL,
    SCHEMA_DIALECT,
    SDK_DIR,
    WRAPPERS_DIR,
    Mount,
    PrepareContext,
    Prepared,
    PrepareError,
    RunSpec,
    SignatureError,
    wrapper,
)
from scripts_runtime.languages.typescript_deps import cached_deno_dir, deno_binary, remote_imports
from scripts_runtime.languages.typescript_schema import SchemaBuilder, value_schema
from scripts_runtime.languages.typescript_syntax import (
    NO_DEFAULT,
    check_syntax,
    jsdoc_params,
    literal,
    parse,
    position,
    text,
    top_level,
)

name = "typescript"
aliases: tuple[str, ...] = ("deno", "bun", "nativets", "ts")
extension = "ts"
tag = "typescript"

# V8 reserves tens of GB of address space up front, so the sandbox's rlimit_as cannot cap
# memory (see deno.cfg); the JS heap limit is what stops a runaway allocation: 2 GB, as for Python.
MAX_HEAP_MB = 2048
_FUNCTIONS = {"function_declaration", "function_expression", "arrow_function", "function"}


def parse_signature(source: str) -> dict[str, Any]:
    """JSON Schema (2020-12) of the arguments of the script's exported `main`."""
    properties, required = _signature(source)
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        # main is called with its parameters in order: a name it does not declare goes nowhere.
        "additionalProperties": False,
    }


def _signature(source: str) -> tuple[dict[str, Any], list[str]]:
    tree, data = parse(source)
    check_syntax(tree, data)
    main, anchor = _find_main(tree.root_node)
    builder = SchemaBuilder(tree.root_node)
    described = jsdoc_params(_doc_comment(anchor))
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in _parameters(main, data):
        name_node = param.child_by_field_name("pattern") or param
        param_name = text(name_node)
        type_node = param.child_by_field_name("type")
        default_node = param.child_by_field_name("value")
        default = literal(default_node)
        prop = builder.schema(type_node) if type_node is not None else value_schema(default)
        if default is not NO_DEFAULT and default is not None:
            prop["default"] = default
        optional = param.type == "optional_parameter" or builder.is_optional(type_node)
        if default_node is None and not optional:
            required.append(param_name)
        if param_name in described and "description" not in prop:
            prop["description"] = described[param_name]
        properties[param_name] = prop
    return properties, required


def _find_main(root: Node) -> tuple[Node, Node]:
    """main's function node and the top-level statement whose JSDoc documents it."""
    exported = _exported_names(root)
    for statement, declaration in zip(root.named_children, top_level(root), strict=True):
        # `export default function main` is the module's default, not its `main`: the wrapper
        # calls `main`, as Windmill's does.
        is_exported = statement.type == "export_statement" and not any(
            c.type == "default" for c in statement.children
        )
        function = _main_function(declaration)
        if function is not None and (is_exported or "main" in exported):
            return function, statement
        if function is not None and statement.type == "export_statement":
            line, column = statement.start_point
            raise SignatureError("main must be a named export: `export function main`", line + 1, column + 1)
    raise SignatureError("no exported `main` found: write `export async function main(...) { ... }`")


def _exported_names(root: Node) -> set[str]:
    """Names a local `export { main }` clause exports under their own name."""
    names = set()
    for statement in root.named_children:
        if statement.type != "export_statement" or statement.child_by_field_name("source") is not None:
            continue
        for clause in statement.named_children:
            for spec in clause.named_children if clause.type == "export_clause" else []:
                local, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                if local is not None and (alias is None or text(alias) == text(local)):
                    names.add(text(local))
    return names


def _main_function(declaration: Node) -> Node | None:
    if declaration.type == "function_declaration":
        named = declaration.child_by_field_name("name")
        return declaration if named is not None and text(named) == "main" else None
    if declaration.type in {"lexical_declaration", "variable_declaration"}:
        for declarator in declaration.named_children:
            named, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if named is not None and text(named) == "main" and value is not None:
                while value.type in {"parenthesized_expression", "as_expression"} and value.named_children:
                    value = value.named_children[0]
                return value if value.type in _FUNCTIONS else None
    return None


def _doc_comment(statement: Node) -> str:
    before = statement.prev_sibling
    return text(before) if before is not None and before.type == "comment" else ""


def _parameters(function: Node, data: bytes) -> list[Node]:
    single = function.child_by_field_name("parameter")  # `x => ...` without parentheses
    if single is not None:
        return [single]
    params = function.child_by_field_name("parameters")
    out = []
    for param in params.named_children if params is not None else []:
        if param.type == "comment":
            continue
        pattern = param.child_by_field_name("pattern")
        kind = pattern.type if pattern is not None else param.type
        if kind == "this":
            continue  # `this: T` declares a type for `this`, not an argument
        if kind == "rest_pattern":
            raise SignatureError(
                "main must not take ...rest parameters: every argument needs a name", *position(param, data)
            )
        if kind != "identifier":
            raise SignatureError(
                "main's parameters must be plain names, not destructuring patterns", *position(param, data)
            )
        out.append(param)
    return out


def prepare(source: str, ctx: PrepareContext) -> Prepared:
    """Write the parameter order for the wrapper; fetch remote imports into a shared DENO_DIR."""
    tree, _ = parse(source)
    try:
        properties, _ = _signature(source)
    except SignatureError as exc:  # saved before a parser change: report it as the job's error
        raise PrepareError("SignatureError", exc.message) from None
    _write_order(ctx.job_dir, properties)

    binary = deno_binary()
    mounts: list[Mount] = [Mount(binary)]  # the one file, not the whole venv bin/ it may sit in
    env: list[tuple[str, str]] = [("DENO_NO_UPDATE_CHECK", "1"), ("NO_COLOR", "1")]
    specifiers = remote_imports(tree.root_node)
    deno_dir = ""
    if specifiers:
        deno_dir = str(cached_deno_dir(specifiers, ctx.cache_dir / "deno", ctx.log))
        mounts.append(Mount(deno_dir))
        env.append(("DENO_DIR", deno_dir))
    # Without imports DENO_DIR stays unset: Deno then caches what it transpiles under
    # $HOME/.cache, the jail's tmpfs (or the job dir when an operator runs unsandboxed).
    return Prepared(
        mounts=tuple(mounts),
        env=tuple(env),
        data={"deno": binary, "deno_dir": deno_dir, "job_dir": str(ctx.job_dir)},
    )


def _write_order(job_dir: Path, properties: dict[str, Any]) -> None:
    """order.json: main's parameters in order, and which ones the wrapper turns into a Date."""
    order = [{"name": n, "date": p.get("format") == "date-time"} for n, p in properties.items()]
    path = job_dir / "order.json"
    path.write_text(json.dumps(order))
    path.chmod(0o644)


def run_spec(prepared: Prepared) -> RunSpec:
    deno_dir, job_dir = prepared.data["deno_dir"], prepared.data["job_dir"]
    # The host job dir is listed for the operator's unsandboxed mode, where there is no /job.
    readable = ",".join(p for p in [JOB_DIR_IN_JAIL, job_dir, deno_dir, str(WRAPPERS_DIR), str(SDK_DIR)] if p)
    writable = ",".join([JOB_DIR_IN_JAIL, job_dir, "/tmp"])
    argv = [
        prepared.data["deno"],
        "run",
        "--no-prompt",  # a permission the flags do not grant fails at once, never waits on stdin
        "--no-config",  # no deno.json / package.json from the job dir or above changes the run
        "--no-lock",  # no deno.lock written into the job dir
        "--cached-only",  # everything was fetched in prepare: no module is fetched at run time
        "--node-modules-dir=none",  # npm packages come from DENO_DIR, never a node_modules in /job
        # `import * as kiln from "kiln"` is the SDK: the map applies to main.ts too, which the
        # wrapper loads with a dynamic import. npm:/jsr:/https: imports resolve as before.
        f"--import-map={SDK_DIR / 'import_map.json'}",
        f"--allow-read={readable}",
        f"--allow-write={writable}",
        "--allow-env",  # the jail's environment holds nothing secret (keep_env: false)
        # The jail's network namespace is the fence (none: no route at all; internet: pasta with
        # the host and the metadata address unreachable), so Deno's own check adds nothing.
        "--allow-net",
        f"--v8-flags=--max-old-space-size={MAX_HEAP_MB}",
        wrapper("deno_wrapper.ts"),
    ]
    return RunSpec(
        sandbox_config="deno.cfg",
        argv=argv,
        mounts=(*prepared.mounts, Mount(str(WRAPPERS_DIR)), Mount(str(SDK_DIR))),
        env=prepared.env,
    )
