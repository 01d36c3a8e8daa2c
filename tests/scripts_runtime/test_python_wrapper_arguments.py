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


def test_annotations_made_without_typing_are_converted(tmp_path: Path) -> None:
    """`int | None` and `list[date]`, with no typing imported by the script; and a function
    whose parameters are plain classes (a date among them) has its hints without typing at all:
    a cold job does not pay for its import."""
    source = (
        "import datetime\n\n"
        "def main(when: datetime.datetime | None, days: list[datetime.date],\n"
        "         n: int | None = None, counts: dict[str, int] | None = None):\n"
        "    return [when.hour, [d.day for d in days], n, counts]\n"
    )
    args = {"when": "2026-12-07T08:30:00Z", "days": ["2025-01-02"], "n": 4, "counts": {"a": 1}}
    assert run(tmp_path, source, args) == {"result": [8, [2], 4, {"a": 1}]}
    plain = (
        "import datetime, sys\n\n"
        "def main(day: datetime.date, n: int):\n    return [day.year, n, 'typing' in sys.modules]\n"
    )
    assert run(tmp_path, plain, {"day": "2026-12-07", "n": 1}) == {"result": [2026, 1, False]}


def test_enums_and_typing_annotations_are_converted(tmp_path: Path) -> None:
    source = (
        "import enum, datetime\nfrom typing import Annotated, Any, Optional, Union\n\n"
        "class Color(enum.Enum):\n    RED = 'red'\n\n"
        "def main(c: Color, day: Optional[datetime.date], a: Annotated[datetime.time, 'x'],\n"
        "         u: Union[int, str], anything: Any):\n"
        "    return [c.name, day.year, a.minute, u, anything]\n"
    )
    args = {"c": "red", "day": "2026-12-07", "a": "10:15", "u": 3, "anything": [1]}
    assert run(tmp_path, source, args) == {"result": ["RED", 2026, 15, 3, [1]]}
    assert run(
        tmp_path, "import enum\nclass E(enum.Enum):\n    A = 1\n\ndef main():\n    return [E.A]\n", {}
    ) == {"result": [1]}
