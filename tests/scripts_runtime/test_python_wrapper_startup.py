"""The Python wrapper starts lean (-S, asyncio only for an async main) and still finds what a
script needs: its dependencies, their .pth files, and the SDK."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

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
