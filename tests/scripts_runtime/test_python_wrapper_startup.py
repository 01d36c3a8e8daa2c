"""The Python wrapper starts lean (-S, asyncio only for an async main) and still finds what a
script needs: its dependencies, their .pth files, and the SDK."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scripts_runtime.languages import python
from scripts_runtime.languages.base import SDK_DIR
from scripts_runtime.languages.python import wrapper_argv


def run(job_dir: Path, source: str, deps: Path | None = None) -> dict:
    (job_dir / "main.py").write_text(source)
    (job_dir / "args.json").write_text("{}")
    env = {"KILN_JOB_DIR": str(job_dir), "PATH": os.environ["PATH"], "KILN_SDK_DIR": str(SDK_DIR)}
    if deps is not None:
        env["KILN_PYTHON_DEPS"] = str(deps)
    subprocess.run(wrapper_argv("python_wrapper.py"), cwd=job_dir, env=env, check=False, timeout=60)
    out = job_dir / "result.json"
    return (
        {"result": json.loads(out.read_text())}
        if out.exists()
        else json.loads((job_dir / "error.json").read_text())
    )


def test_a_dependencys_pth_file_is_honoured_without_site(tmp_path: Path) -> None:
    deps, extra = tmp_path / "deps", tmp_path / "extra"
    deps.mkdir()
    extra.mkdir()
    (extra / "from_pth.py").write_text("VALUE = 'found through a .pth'\n")
    (deps / "zz-extra.pth").write_text(f"{extra}\n")
    job = tmp_path / "job"
    job.mkdir()
    assert run(job, "import from_pth\n\ndef main():\n    return from_pth.VALUE\n", deps) == {
        "result": "found through a .pth"
    }


def test_asyncio_is_loaded_only_for_an_async_main(tmp_path: Path) -> None:
    plain = "import sys\n\ndef main():\n    return ['asyncio' in sys.modules, 'site' in sys.modules]\n"
    assert run(tmp_path, plain) == {"result": [False, False]}
    (tmp_path / "result.json").unlink()
    awaited = "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n    return 'awaited'\n"
    assert run(tmp_path, awaited) == {"result": "awaited"}


HEAVY = ("json", "re", "enum", "typing", "datetime", "importlib.util", "contextlib", "signal", "functools")
LOADED = f"import sys\n\ndef main():\n    return [m for m in {HEAVY!r} if m in sys.modules]\n"


def test_a_trivial_job_imports_nothing_it_does_not_need(tmp_path: Path) -> None:
    """No json, typing, enum or re under the wrapper: each is milliseconds of every cold job."""
    assert run(tmp_path, LOADED) == {"result": []}


@pytest.mark.parametrize("from_worker", [True, False], ids=["bytecode and imports from the worker", "alone"])
def test_a_one_shot_runner_imports_nothing_it_does_not_need(tmp_path: Path, from_worker: bool) -> None:
    """A spare sandbox's runner (python_warm.py, one-shot), driven over its pipes as the worker
    does: the job's process has none of them either, and its result is the job's. Given main.pyc
    and KILN_WARM_IMPORTS (as the worker starts it) or only main.py (it compiles it, and preloads
    nothing)."""
    source = f"import os\n{LOADED}"
    env = {
        "KILN_JOB_DIR": str(tmp_path),
        "PATH": os.environ["PATH"],
        "KILN_SDK_DIR": str(SDK_DIR),
        "KILN_WARM_ONE_SHOT": "1",
    }
    if from_worker:
        python.write_script(tmp_path, source, seen_as=str(tmp_path))
        assert (tmp_path / "main.pyc").exists()
        env["KILN_WARM_IMPORTS"] = python.top_level_imports(source) or ""
    else:
        (tmp_path / "main.py").write_text(source)
    read, write = os.pipe()
    env["KILN_WARM_FD"] = str(write)
    runner = subprocess.Popen(
        wrapper_argv("python_warm.py"), cwd=tmp_path, env=env, stdin=subprocess.PIPE, pass_fds=[write]
    )
    os.close(write)
    with os.fdopen(read) as control:
        assert json.loads(control.readline())["ready"] is True
        assert runner.stdin is not None
        runner.stdin.write(b'{"env": {"KILN_JOB_ID": "1"}, "cpu_s": 10, "args": {}}\n')
        runner.stdin.flush()
        assert json.loads(control.readline())["exit"] == 0
    assert runner.wait(timeout=30) == 0
    assert json.loads((tmp_path / "result.json").read_text()) == []
    assert not (tmp_path / "main.pyc").exists()  # read at the start; no job sees it


def test_the_wrapper_runs_from_its_bytecode_and_the_job_sees_a_scripts_argv_and_path(tmp_path: Path) -> None:
    """wrapper_argv() imports the wrapper from __pycache__ (written once per process); the job
    sees sys.argv as for `python python_wrapper.py`, and the wrappers' directory is not on sys.path."""
    argv = wrapper_argv("python_wrapper.py")
    wrapper = Path(argv[-1])
    assert any((wrapper.parent / "__pycache__").glob("python_wrapper.*.pyc"))
    source = "import sys\n\ndef main():\n    return [sys.argv, [p for p in sys.path if 'wrappers' in p]]\n"
    assert run(tmp_path, source) == {"result": [[str(wrapper)], []]}
