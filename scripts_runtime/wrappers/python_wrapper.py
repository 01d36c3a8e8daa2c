"""Runs inside the sandbox: load /job/main.py, call main(**args), write the result.

Files in: main.py, args.json. Files out: result.json, or error.json
({name, message, traceback}) with exit code 1. stdout/stderr are the job's logs.
Standard library only: this file is mounted read-only into every Python jail.
"""

import asyncio
import importlib.util
import inspect
import json
import os
import sys
import traceback

JOB_DIR = os.environ.get("KILN_JOB_DIR", "/job")


def _write(name, payload):
    tmp = os.path.join(JOB_DIR, name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, default=_fallback)
    os.replace(tmp, os.path.join(JOB_DIR, name))


def _fallback(value):
    """Make common non-JSON values JSON: sets, bytes, dates, dataclass-likes."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dict__"):
        return vars(value)
    return repr(value)


def _user_traceback(exc):
    """The traceback without the wrapper's own frames."""
    frames = traceback.extract_tb(exc.__traceback__)
    script = os.path.join(JOB_DIR, "main.py")
    while frames and frames[0].filename != script:
        frames.pop(0)
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def main():
    sys.path.insert(0, JOB_DIR)
    with open(os.path.join(JOB_DIR, "args.json"), encoding="utf-8") as fh:
        args = json.load(fh)
    try:
        spec = importlib.util.spec_from_file_location("__kiln_main__", os.path.join(JOB_DIR, "main.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules["__kiln_main__"] = module
        spec.loader.exec_module(module)
        result = module.main(**args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)
    except BaseException as exc:  # noqa: BLE001 - report everything the user's code raised
        if isinstance(exc, KeyboardInterrupt):
            raise
        sys.stdout.flush()
        tb = _user_traceback(exc)
        sys.stderr.write(tb)
        _write("error.json", {"name": type(exc).__name__, "message": str(exc), "traceback": tb})
        sys.stderr.flush()
        return 1
    sys.stdout.flush()
    _write("result.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
