"""One registry of languages. Adding a language = a sibling of languages/python.py + a line here."""

from __future__ import annotations

from types import ModuleType

from scripts_runtime.languages import python

LANGUAGES: dict[str, ModuleType] = {python.name: python}


class UnknownLanguage(KeyError):
    pass


def get(name: str) -> ModuleType:
    try:
        return LANGUAGES[name]
    except KeyError:
        known = ", ".join(sorted(LANGUAGES))
        raise UnknownLanguage(f"unknown language '{name}' (known: {known})") from None
