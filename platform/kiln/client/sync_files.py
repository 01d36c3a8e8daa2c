"""The file format of `kiln sync`: one workspace object <-> a few files, both ways.

Every object has one canonical form (`data`, a plain dict): the server's state is brought to it
(sync_server.py), and so are the files read back here. Pull writes `render(data)`; push compares
canonical forms, so a comment or a reformatted file is not a change, and shows the difference as
a diff of the two renderings. Rendering is deterministic (fixed key order per kind, objects
sorted by path, block style, `|` for multi-line text) so that a pull after a pull changes nothing.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml


@functools.cache
def extensions() -> Mapping[str, str]:
    """Each language's code file extension (`extension` in scripts_runtime/languages/*.py); every
    SQL dialect is `.sql`, so a SQL script's .script.yaml names its language. Read on first use:
    the registry imports every language module, and importing the client must stay fast."""
    from scripts_runtime.registry import LANGUAGES

    return MappingProxyType({name: module.extension for name, module in LANGUAGES.items()})


LANGUAGE_OF_EXTENSION = {"py": "python3", "ts": "typescript", "sh": "bash", "go": "go"}

# Applied in this order (what an object refers to exists before it); deleted in reverse.
KINDS = ("resource_type", "variable", "resource", "script", "flow", "schedule")
SUFFIX = {
    "script": ".script.yaml",
    "schedule": ".schedule.yaml",
    "variable": ".variable.yaml",
    "resource": ".resource.yaml",
    "resource_type": ".resource_type.yaml",
}
FLOW_DIR = ".flow"
FLOW_FILE = "flow.yaml"
RESOURCE_TYPES_DIR = "resource_types"

# Each kind's keys in file order, with the type a file must give (None: may be null).
FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "script": {
        "summary": (str,),
        "description": (str,),
        "language": (str,),
        "schema_edits": (dict,),
        "settings": (dict,),
    },
    "flow": {"summary": (str,), "description": (str,), "schema": (dict,), "value": (dict,)},
    "schedule": {
        "script_path": (str,),
        "is_flow": (bool,),
        "cron": (str,),
        "timezone": (str,),
        "summary": (str,),
        "args": (dict,),
        "enabled": (bool,),
        "paused_until": (str, type(None)),
        "catch_up": (str,),
        "catch_up_max": (int,),
        "no_overlap": (bool,),
        "retry": (dict, type(None)),
        "on_failure": (dict, type(None)),
        "on_recovery": (dict, type(None)),
        "on_success": (dict, type(None)),
    },
    "variable": {"secret": (bool,), "description": (str,), "value": (str,)},
    "resource": {"resource_type": (str,), "description": (str,), "value": (dict,)},
    "resource_type": {"description": (str,), "schema": (dict,)},
}
REQUIRED = {
    "flow": ("value",),
    "schedule": ("script_path", "cron"),
    "resource": ("resource_type", "value"),
    "resource_type": ("schema",),
}
# A schedule's defaults (the API's): left out of the file when equal. Always written: the rest.
SCHEDULE_DEFAULTS: dict[str, Any] = {
    "is_flow": False,
    "timezone": "UTC",
    "summary": "",
    "args": {},
    "enabled": True,
    "paused_until": None,
    "catch_up": "skip",
    "catch_up_max": 100,
    "no_overlap": False,
    "retry": None,
    "on_failure": None,
    "on_recovery": None,
    "on_success": None,
}
SETTINGS_DEFAULTS: dict[str, Any] = {"limits": {}, "priority": 0, "warm": False}


@dataclass
class Obj:
    """One workspace object in canonical form; `key` is its path (a resource type: its name)."""

    kind: str
    key: str
    data: dict[str, Any]


@dataclass
class Local:
    objects: dict[tuple[str, str], Obj] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


# --- canonical forms ------------------------------------------------------------------------------


def canonical_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """A script's run settings without the values that mean "default", so that `{}` (a new script)
    and what the server stores for it (`limits: {}`, `priority: 0` ...) compare equal."""
    out: dict[str, Any] = {}
    for key, value in (settings or {}).items():
        if key == "limits" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
        if value is None or SETTINGS_DEFAULTS.get(key, object()) == value:
            continue
        out[key] = value
    return out


def canonical_edits(edits: dict[str, Any] | None) -> dict[str, Any]:
    """Schema edits without the empty parts (`{"fields": {}}` is no edit)."""
    return {k: v for k, v in (edits or {}).items() if v not in ({}, [], None)}


def env_name(path: str) -> str:
    """KILN_SECRET_<PATH>: where push takes a new secret's value from."""
    return "KILN_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", path).upper()


# --- rendering (pull) -----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Code and long descriptions read (and diff) line by line as `|` blocks.
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _ordered(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in FIELDS[kind] if k in data}


def render(obj: Obj) -> dict[str, str]:
    """The files of one object: {path relative to the sync directory: text}."""
    data, key = obj.data, obj.key
    if obj.kind == "script":
        ext = extensions().get(data["language"], "txt")
        meta: dict[str, Any] = {"summary": data["summary"]}
        if data["description"]:
            meta["description"] = data["description"]
        if LANGUAGE_OF_EXTENSION.get(ext) != data["language"]:
            meta["language"] = data["language"]
        if data["schema_edits"]:
            meta["schema_edits"] = data["schema_edits"]
        if data["settings"]:
            meta["settings"] = data["settings"]
        return {f"{key}.{ext}": data["content"], f"{key}{SUFFIX['script']}": dump(meta)}
    if obj.kind == "flow":
        value, code = extract_inline(data["value"])
        doc = _ordered("flow", {**data, "value": value})
        files = {f"{key}{FLOW_DIR}/{name}": text for name, text in code.items()}
        files[f"{key}{FLOW_DIR}/{FLOW_FILE}"] = dump(doc)
        return files
    if obj.kind == "schedule":
        doc = {
            k: v
            for k, v in data.items()
            if k in ("script_path", "cron", "timezone") or SCHEDULE_DEFAULTS.get(k) != v
        }
        return {f"{key}{SUFFIX['schedule']}": dump(_ordered("schedule", doc))}
    if obj.kind == "variable":
        if data["secret"]:
            head = (
                "# A secret: its value is never written to files. Push keeps the server's value;\n"
                f"# a new secret takes it from the environment variable {env_name(key)}.\n"
            )
            doc = {"secret": True, "description": data["description"]}
            return {f"{key}{SUFFIX['variable']}": head + dump(doc)}
        doc = {"description": data["description"], "value": data["value"]}
        return {f"{key}{SUFFIX['variable']}": dump(doc)}
    if obj.kind == "resource":
        return {f"{key}{SUFFIX['resource']}": dump(_ordered("resource", data))}
    return {f"{RESOURCE_TYPES_DIR}/{key}{SUFFIX['resource_type']}": dump(_ordered("resource_type", data))}


def inline_modules(node: Any) -> Iterator[dict[str, Any]]:
    """Every module (`{id, value: {type: rawscript ...}}`) of a flow value, in document order,
    inside loops, branches and the failure module too."""
    if isinstance(node, dict):
        value = node.get("value")
        if "id" in node and isinstance(value, dict) and value.get("type") == "rawscript":
            yield node
        for child in node.values():
            yield from inline_modules(child)
    elif isinstance(node, list):
        for child in node:
            yield from inline_modules(child)


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _swap(data: dict[str, Any], old: str, new: str, value: Any) -> dict[str, Any]:
    """`data` with the key `old` replaced by `new: value` at the same place (the file keeps the
    server's key order)."""
    return {(new if k == old else k): (value if k == old else v) for k, v in data.items()}


def extract_inline(value: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The flow value with each inline script's `content` replaced by `content_file: <id>.<ext>`,
    and those files' texts."""
    value = _copy(value)
    files: dict[str, str] = {}
    for module in inline_modules(value):
        raw = module["value"]
        if not isinstance(raw.get("content"), str):
            continue
        base = re.sub(r"[^A-Za-z0-9_-]", "_", str(module["id"])) or "step"
        name, n = f"{base}.{extensions().get(raw.get('language', ''), 'txt')}", 1
        while name in files or name == FLOW_FILE:  # ids are unique in a valid flow; be safe anyway
            n += 1
            name = f"{base}_{n}.{extensions().get(raw.get('language', ''), 'txt')}"
        files[name] = raw["content"]
        module["value"] = _swap(raw, "content", "content_file", name)
    return value, files


# --- reading (push) -------------------------------------------------------------------------------


def owned_files(root: Path) -> list[str]:
    """The files under root that pull writes (and may remove), relative, sorted. Hidden
    directories (.git, .github) and every other file are the repository's, never sync's."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        in_flow = any(part.endswith(FLOW_DIR) for part in Path(rel_dir).parts)
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if in_flow or any(rel.endswith(s) for s in SUFFIX.values()):
                found.append(rel)
    scripts = {rel[: -len(SUFFIX["script"])] for rel in found if rel.endswith(SUFFIX["script"])}
    for base in scripts:
        for ext in set(extensions().values()):
            if (root / f"{base}.{ext}").is_file():
                found.append(f"{base}.{ext}")
    return sorted(set(found))


def load_yaml(rel: str, text: str, kind: str, errors: list[str]) -> dict[str, Any] | None:
    """The mapping in a file, or None after adding `file:line: message` errors (syntax, unknown
    keys, wrong types, missing keys)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{mark.line + 1}:" if mark is not None else ""
        errors.append(f"{rel}:{line} {exc.problem or exc.context}")
        return None
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict) or not isinstance(node, (yaml.MappingNode, type(None))):
        errors.append(f"{rel}:1: expected a mapping of keys ({', '.join(FIELDS[kind])})")
        return None
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in (node.value if node is not None else [])}
    ok = True
    for key, value in data.items():
        types = FIELDS[kind].get(str(key))
        if types is None:
            errors.append(
                f"{rel}:{lines.get(str(key), 1)}: unknown key {key!r} (known: {', '.join(FIELDS[kind])})"
            )
            ok = False
        elif not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            wanted = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            errors.append(
                f"{rel}:{lines.get(str(key), 1)}: {key}: expected {wanted}, got {type(value).__name__}"
            )
            ok = False
    for key in REQUIRED.get(kind, ()):
        if key not in data:
            errors.append(f"{rel}:1: missing key {key!r}")
            ok = False
    return data if ok else None


def read_local(root: Path) -> Local:
    """Every object in the directory, in canonical form, with every problem found on the way."""
    local = Local()
    for rel in owned_files(root):
        text = (root / rel).read_text()
        obj: Obj | None = None
        if rel.endswith(f"{FLOW_DIR}/{FLOW_FILE}"):
            obj = _read_flow(root, rel, text, local.errors)
        elif rel.startswith(f"{RESOURCE_TYPES_DIR}/") and rel.endswith(SUFFIX["resource_type"]):
            name = rel[len(RESOURCE_TYPES_DIR) + 1 : -len(SUFFIX["resource_type"])]
            data = load_yaml(rel, text, "resource_type", local.errors)
            if data is not None:
                obj = Obj(
                    "resource_type",
                    name,
                    {"description": data.get("description", ""), "schema": data["schema"]},
                )
        elif rel.endswith(SUFFIX["script"]):
            obj = _read_script(root, rel, text, local.errors)
        elif rel.endswith(SUFFIX["schedule"]):
            data = load_yaml(rel, text, "schedule", local.errors)
            if data is not None:
                full = {k: data.get(k, SCHEDULE_DEFAULTS.get(k)) for k in FIELDS["schedule"]}
                obj = Obj("schedule", rel[: -len(SUFFIX["schedule"])], full)
        elif rel.endswith(SUFFIX["variable"]):
            obj = _read_variable(rel, text, local.errors)
        elif rel.endswith(SUFFIX["resource"]):
            data = load_yaml(rel, text, "resource", local.errors)
            if data is not None:
                full = {
                    "resource_type": data["resource_type"],
                    "description": data.get("description", ""),
                    "value": data["value"],
                }
                obj = Obj("resource", rel[: -len(SUFFIX["resource"])], full)
        if obj is not None:
            local.objects[(obj.kind, obj.key)] = obj
    return local


def _read_script(root: Path, rel: str, text: str, errors: list[str]) -> Obj | None:
    base = rel[: -len(SUFFIX["script"])]
    codes = sorted(ext for ext in set(extensions().values()) if (root / f"{base}.{ext}").is_file())
    data = load_yaml(rel, text, "script", errors)
    if len(codes) != 1:
        found = ", ".join(f"{base}.{e}" for e in codes) or "none"
        errors.append(
            f"{rel}:1: needs exactly one code file next to it ({base}.py/.ts/.sh/.go/.sql); found {found}"
        )
        return None
    if data is None:
        return None
    language = data.get("language") or LANGUAGE_OF_EXTENSION.get(codes[0])
    if language is None:
        errors.append(f"{rel}:1: a .sql script names its language (language: postgresql, sqlite ...)")
        return None
    return Obj(
        "script",
        base,
        {
            "language": language,
            "summary": data.get("summary", ""),
            "description": data.get("description", ""),
            "content": (root / f"{base}.{codes[0]}").read_text(),
            "schema_edits": canonical_edits(data.get("schema_edits")),
            "settings": canonical_settings(data.get("settings")),
        },
    )


def _read_flow(root: Path, rel: str, text: str, errors: list[str]) -> Obj | None:
    data = load_yaml(rel, text, "flow", errors)
    if data is None:
        return None
    folder = rel[: -len(FLOW_FILE)]
    value = _copy(data["value"])
    ok = True
    for module in inline_modules(value):
        raw = module["value"]
        name = raw.get("content_file")
        if name is None:
            continue
        target = root / folder / str(name)
        if "/" in str(name) or not target.is_file():
            line = next((i + 1 for i, t in enumerate(text.splitlines()) if f"content_file: {name}" in t), 1)
            errors.append(
                f"{rel}:{line}: step {module['id']}: content_file {name!r} not found next to flow.yaml"
            )
            ok = False
            continue
        content = target.read_text()
        module["value"] = _swap(raw, "content_file", "content", content)
    if not ok:
        return None
    full = {
        "summary": data.get("summary", ""),
        "description": data.get("description", ""),
        "schema": data.get("schema"),
        "value": value,
    }
    return Obj("flow", folder[: -len(FLOW_DIR) - 1], full)


def _read_variable(rel: str, text: str, errors: list[str]) -> Obj | None:
    data = load_yaml(rel, text, "variable", errors)
    if data is None:
        return None
    secret = bool(data.get("secret", False))
    if secret and "value" in data:
        errors.append(f"{rel}:1: a secret's value is never read from files: remove `value` (see the comment)")
        return None
    path = rel[: -len(SUFFIX["variable"])]
    return Obj(
        "variable",
        path,
        {
            "secret": secret,
            "description": data.get("description", ""),
            "value": None if secret else data.get("value", ""),
        },
    )
