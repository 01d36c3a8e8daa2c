"""One registry of languages, built from the modules in languages/ (see languages/base.py)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from scripts_runtime import languages

_SKIP = {"base"}


def _discover() -> tuple[dict[str, ModuleType], dict[str, str]]:
    found: dict[str, ModuleType] = {}
    aliases: dict[str, str] = {}
    for info in pkgutil.iter_modules(languages.__path__):
        if info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{languages.__name__}.{info.name}")
        if not all(hasattr(module, attr) for attr in ("name", "parse_signature", "prepare", "run_spec")):
            continue  # a helper module (python_schema.py ...), not a language
        found[module.name] = module
        for alias in getattr(module, "aliases", ()):
            aliases[alias] = module.name
    return found, aliases


LANGUAGES, ALIASES = _discover()


class UnknownLanguage(KeyError):
    pass


def canonical(name: str) -> str:
    """The language id a script is stored with ("deno" → "typescript")."""
    if name in LANGUAGES:
        return name
    if name in ALIASES:
        return ALIASES[name]
    known = ", ".join(sorted({*LANGUAGES, *ALIASES}))
    raise UnknownLanguage(f"unknown language '{name}' (known: {known})")


def get(name: str) -> ModuleType:
    return LANGUAGES[canonical(name)]
