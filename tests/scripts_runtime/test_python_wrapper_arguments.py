"""The Python wrapper turns JSON arguments into what main's annotations ask for, whichever way
it reads them: plain classes straight from `__annotations__`, anything else (strings, generics,
a dataclass's inherited fields) through typing.get_type_hints. And its result file is the JSON
of the result, non-ASCII included."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from scripts_runtime.languages.base import SDK_DIR
from scripts_runtime.languages.python import wrapper_argv


def run(job_dir: Path, source: str, args: dict[str, Any]) -> dict[str, Any]:
    (job_dir / "main.py").write_text(source)
    (job_dir / "args.json").write_text(json.dumps(args))
    env = {"KILN_JOB_DIR": str(job_dir), "PATH": os.environ["PATH"], "KILN_SDK_DIR": str(SDK_DIR)}
    subprocess.run(wrapper_argv("python_wrapper.py"), cwd=job_dir, env=env, check=False, timeout=60)
    out = job_dir / "result.json"
    assert not (job_dir / "result.json.tmp").exists()
    if out.exists():
        return {"result": json.loads(out.read_bytes())}
    return json.loads((job_dir / "error.json").read_text())


PLAIN = """
def main(n: int, s: str, f: float, b: bool, raw: bytes, d: dict, items: list, untyped) -> None:
    return [type(v).__name__ for v in (n, s, f, b, raw, d, items, untyped)] + [raw.decode()]
"""


def test_plain_annotations(tmp_path: Path) -> None:
    args = {"n": 1, "s": "x", "f": 2.5, "b": True, "raw": "aGk=", "d": {"k": 1}, "items": [1], "untyped": 3}
    assert run(tmp_path, PLAIN, args) == {
        "result": ["int", "str", "float", "bool", "bytes", "dict", "list", "int", "hi"]
    }


def test_string_and_generic_annotations_are_resolved(tmp_path: Path) -> None:
    source = (
        "from __future__ import annotations\nimport datetime\n\n"
        "def main(day: datetime.date, days: list[datetime.date], n: int | None = None):\n"
        "    return [day.isoformat(), [d.year for d in days], n]\n"
    )
    args = {"day": "2026-12-07", "days": ["2025-01-02"], "n": 4}
    assert run(tmp_path, source, args) == {"result": ["2026-12-07", [2025], 4]}


def test_a_dataclass_argument_gets_its_inherited_fields_hints(tmp_path: Path) -> None:
    source = (
        "import dataclasses, datetime\n\n"
        "@dataclasses.dataclass\nclass Base:\n    when: datetime.date\n\n"
        "@dataclasses.dataclass\nclass Event(Base):\n    name: str\n\n"
        "def main(event: Event):\n    return [type(event.when).__name__, event.name]\n"
    )
    args = {"event": {"when": "2026-12-07", "name": "launch"}}
    assert run(tmp_path, source, args) == {"result": ["date", "launch"]}


def test_the_result_file_holds_non_ascii_and_large_results(tmp_path: Path) -> None:
    source = "def main(n: int):\n    return {'text': 'héllo ☃', 'big': 'x' * n}\n"
    assert run(tmp_path, source, {"n": 300_000}) == {"result": {"text": "héllo ☃", "big": "x" * 300_000}}
