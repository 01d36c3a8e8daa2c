"""Which packages a Python script needs, read statically."""

from __future__ import annotations

import pytest

from scripts_runtime.languages.base import PrepareError
from scripts_runtime.languages.python_deps import requirements
from tests.conftest import example


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import humanize\n", ["humanize"]),
        ("import os, sys, json\nfrom pathlib import Path\n", []),
        (
            "import yaml\nfrom PIL import Image\nimport sklearn.linear_model\n",
            ["pyyaml", "pillow", "scikit-learn"],
        ),
        ("from dateutil import parser\nimport bs4\n", ["python-dateutil", "beautifulsoup4"]),
        ("import requests\nimport requests.adapters\n", ["requests"]),
        ("from . import sibling\nfrom __future__ import annotations\n", []),
        ("def main():\n    import pandas\n", []),  # imported only when main runs: not resolved up front
        ("try:\n    import ujson as json\nexcept ImportError:\n    import json\n", ["ujson"]),
        ("import my_module\n", ["my-module"]),
    ],
)
def test_imports_name_their_packages(source: str, expected: list[str]) -> None:
    assert requirements(source) == expected


def test_a_pep_723_block_wins_over_imports() -> None:
    source = '# /// script\n# dependencies = ["humanize>=4", "requests[socks]"]\n# ///\nimport numpy\n'
    assert requirements(source) == ["humanize>=4", "requests[socks]"]


def test_an_empty_pep_723_list_means_no_dependencies() -> None:
    assert requirements(example("greet.py")) == []


def test_a_broken_pep_723_block_is_a_dependency_error() -> None:
    with pytest.raises(PrepareError) as info:
        requirements("# /// script\n# dependencies = [\n# ///\n")
    assert info.value.kind == "DependencyError"
