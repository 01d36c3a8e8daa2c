"""main.py's bytecode from the worker (scripts_runtime/languages/python.py): the job runs it
only when it is this Python's code of this very main.py, named as the job sees it; anything
else (another source, another path, a broken file) is compiled by the job as before."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
from importlib.util import MAGIC_NUMBER, source_hash
from pathlib import Path

from scripts_runtime.languages import python
from scripts_runtime.languages.base import SDK_DIR

SOURCE = "def main():\n    return 'from main.py'\n"
OTHER = "def main():\n    return 'from the bytecode'\n"


def run(job_dir: Path) -> dict:
    (job_dir / "args.json").write_text("{}")
    env = {"KILN_JOB_DIR": str(job_dir), "PATH": os.environ["PATH"], "KILN_SDK_DIR": str(SDK_DIR)}
    done = subprocess.run(python.wrapper_argv("python_wrapper.py"), cwd=job_dir, env=env, timeout=60)
    out = job_dir / "result.json"
    return {"rc": done.returncode, **({"result": json.loads(out.read_text())} if out.exists() else {})}


def pyc(code_source: str, *, hashed_source: str, filename: str) -> bytes:
    code = compile(code_source, filename, "exec", dont_inherit=True)
    flags = (0b11).to_bytes(4, "little")
    return MAGIC_NUMBER + flags + source_hash(hashed_source.encode()) + marshal.dumps(code)


def test_write_script_writes_the_bytecode_the_job_runs(tmp_path: Path) -> None:
    python.write_script(tmp_path, SOURCE, seen_as=str(tmp_path))
    assert (tmp_path / "main.pyc").read_bytes() == python.bytecode(SOURCE, f"{tmp_path}/main.py")
    assert run(tmp_path) == {"rc": 0, "result": "from main.py"}
    # The job runs main.pyc's code, not main.py's, when the header names main.py's source:
    (tmp_path / "main.pyc").write_bytes(pyc(OTHER, hashed_source=SOURCE, filename=f"{tmp_path}/main.py"))
    assert run(tmp_path)["result"] == "from the bytecode"


def test_bytecode_of_another_source_or_path_or_a_broken_file_is_not_run(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(SOURCE)
    for stale in (
        pyc(OTHER, hashed_source=OTHER, filename=f"{tmp_path}/main.py"),  # main.py changed since
        pyc(OTHER, hashed_source=SOURCE, filename="/elsewhere/main.py"),  # another path
        b"\x00\x01\x02 not a pyc",
        MAGIC_NUMBER[:2] + b"\xff\xff" + bytes(12) + marshal.dumps(1),  # another Python's
        pyc(OTHER, hashed_source=SOURCE, filename=f"{tmp_path}/main.py")[:30],  # cut short
    ):
        (tmp_path / "main.pyc").write_bytes(stale)
        assert run(tmp_path) == {"rc": 0, "result": "from main.py"}


def test_no_bytecode_for_a_script_that_does_not_compile(tmp_path: Path) -> None:
    broken = "def main(:\n    pass\n"
    assert python.bytecode(broken, "/job/main.py") is None
    python.write_script(tmp_path, broken, seen_as=str(tmp_path))
    assert not (tmp_path / "main.pyc").exists()
    assert run(tmp_path)["rc"] == 1
    assert json.loads((tmp_path / "error.json").read_text())["name"] == "SyntaxError"


def test_the_bytecode_is_compiled_as_the_job_would_compile_it() -> None:
    """No __future__ of the worker's module (annotations stay objects), asserts kept (no -O)."""
    source = "def main(n: int):\n    assert n\n    return main.__annotations__['n'] is int\n"
    code = marshal.loads(python.bytecode(source, "/job/main.py")[16:])  # type: ignore[index]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - a test's own code
    assert namespace["main"](1) is True
    try:
        namespace["main"](0)
    except AssertionError:
        pass
    else:
        raise AssertionError("the assert was compiled away")


def test_top_level_imports() -> None:
    source = (
        "from __future__ import annotations\nimport os, json\nfrom a.b import c\nfrom . import rel\n"
        "try:\n    import x\nexcept ImportError:\n    import y\nelse:\n    import w\n"
        "if True:\n    import z\nelse:\n    import v\n"
        "def helper():\n    import inside_a_function\n"
        "async def main():\n    pass\n"
    )
    assert sorted(python.top_level_imports(source).split(",")) == sorted(  # type: ignore[union-attr]
        ["os", "json", "a.b", "x", "y", "w", "z", "v", "asyncio"]
    )
    assert python.top_level_imports("def main(:\n") is None
    assert python.top_level_imports("def main():\n    pass\n") == ""


def test_a_worker_keeps_a_bounded_amount_by_digest() -> None:
    """Made once per source; the oldest dropped past the limit (the newest always kept); keys
    are digests, so a 1 MiB script is not kept twice over as its own key."""
    kept = python._Kept(100)
    made: list[str] = []

    def maker(value: str):  # noqa: ANN202 - a test's helper
        return lambda: made.append(value) or value * 60

    assert kept.get((b"a", ""), maker("a")) == "a" * 60
    assert kept.get((b"a", ""), maker("a")) == "a" * 60 and made == ["a"]
    kept.get((b"b", ""), maker("b"))
    assert list(kept.items) == [(b"b", "")] and kept.size == 60
    kept.get((b"c", ""), maker("c" * 3))  # alone past the limit: kept, as the newest
    assert list(kept.items) == [(b"c", "")] and kept.size == 180
    assert python.bytecode(SOURCE, "/job/main.py") is python.bytecode(SOURCE, "/job/main.py")
    assert all(len(key[0]) == 32 for key in python._bytecode_kept.items)
