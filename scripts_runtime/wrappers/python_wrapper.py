"""Runs inside the sandbox: load /job/main.py, call main(**args), write the result.

Files in: main.py, args.json. Files out: result.json, or error.json
({name, message, traceback}) with exit code 1. stdout/stderr are the job's logs.
Arguments arrive as JSON and are turned back into what main's annotations ask
for: ISO strings into date/datetime/time, base64 into bytes, values into Enum
members, objects into dataclasses or Pydantic models.
Standard library only: this file is mounted read-only into every Python jail. It starts every
Python job, so what only some jobs need (asyncio, base64, dataclasses, traceback) is imported
where it is used: each is milliseconds of every job's start.
"""

import datetime
import enum
import importlib.util
import json
import os
import sys
import types
import typing

JOB_DIR = os.environ.get("KILN_JOB_DIR", "/job")


def _write(name, payload):
    """`payload` as `name`'s JSON, whole or not at all (written aside, then renamed). ASCII
    (dumps escapes the rest): bytes to the fd, without a text layer's encoder."""
    path = os.path.join(JOB_DIR, name)
    data = json.dumps(payload, default=_fallback).encode()  # dumps: C's encoder; dump() is Python
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(path + ".tmp", path)


def _fallback(value):
    """Make common non-JSON values JSON: sets, bytes, dates, enums, models, dataclasses."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses

        return dataclasses.asdict(value)
    if hasattr(value, "model_dump"):  # Pydantic v2
        return value.model_dump(mode="json")
    if hasattr(value, "__dict__"):
        return vars(value)
    return repr(value)


def _convert(value, hint):
    """Turn a JSON value into what the annotation asks for; leave it alone when unsure."""
    if value is None or hint is None or hint is typing.Any or type(value) is hint:
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        return _convert(value, args[0])
    if origin is typing.Union or origin is types.UnionType:
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg)
            except (TypeError, ValueError):
                continue
        return value
    if origin in (list, set, frozenset, tuple) and isinstance(value, list):
        item = args[0] if args else None
        items = [_convert(v, item) for v in value]
        return origin(items) if origin is not list else items
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return {k: _convert(v, args[1]) for k, v in value.items()}
    if not isinstance(hint, type):
        return value
    if hint is datetime.datetime and isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if hint is datetime.date and isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    if hint is datetime.time and isinstance(value, str):
        return datetime.time.fromisoformat(value)
    if hint is bytes and isinstance(value, str):
        import base64

        return base64.b64decode(value)
    if issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(value, dict):
        if hasattr(hint, "__dataclass_fields__"):
            hints = _hints(hint)
            return hint(**{k: _convert(v, hints.get(k)) for k, v in value.items()})
        if hasattr(hint, "model_validate"):  # Pydantic v2
            return hint.model_validate(value)
    return value


# Annotations that need no resolving: typing.get_type_hints would return them as they are. A
# function whose parameters are all annotated with such classes (or not at all) skips it: it
# is a good part of a trivial warm job's Python, and each object it touches is a page that the
# job's process copies. (A class's hints come from its bases too: always get_type_hints.)
_PLAIN = (int, float, str, bool, bytes, dict, list)


def _hints(obj):
    """The parameters' type hints (a function's may include "return", which no caller reads)."""
    annotations = getattr(obj, "__annotations__", None) if type(obj) is types.FunctionType else None
    if type(annotations) is dict and all(
        type(h) is type and h in _PLAIN for n, h in annotations.items() if n != "return"
    ):  # `type(h) is type` first: a class compares by identity, an odd annotation never runs its __eq__
        return annotations
    try:
        return typing.get_type_hints(obj, include_extras=True)
    except Exception:  # noqa: BLE001 - an annotation naming something undefined: convert nothing
        return {}


def _user_traceback(exc):
    """The traceback without the wrapper's own frames."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    script = os.path.join(JOB_DIR, "main.py")
    while frames and frames[0].filename != script:
        frames.pop(0)
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)


def setup_paths():
    """sys.path for a job: its directory, its dependencies, then Kiln's SDK first of all."""
    sys.path.insert(0, JOB_DIR)
    deps = os.environ.get("KILN_PYTHON_DEPS")
    if deps:
        sys.path.insert(0, deps)  # the script's dependencies (read-only, shared cache)
        if any(name.endswith(".pth") for name in os.listdir(deps)):
            import site  # Python runs with -S: the dependencies' .pth files (namespace packages)

            site.addsitedir(deps)
    sdk = os.environ.get("KILN_SDK_DIR")
    if sdk and os.path.isdir(sdk):
        # `import kiln` is Kiln's SDK: first, so no installed package of that name shadows it.
        sys.path.insert(0, sdk)


def run_job(code=None, args=None):
    """Load args.json (unless a warm runner passed the `args`), run main.py (or its already
    compiled `code`), call main(**args) and write result.json or error.json. Returns the
    process's exit code."""
    if args is None:
        with open(os.path.join(JOB_DIR, "args.json"), encoding="utf-8") as fh:
            args = json.load(fh)
    script = os.path.join(JOB_DIR, "main.py")
    try:
        if code is None:
            spec = importlib.util.spec_from_file_location("__kiln_main__", script)
            module = importlib.util.module_from_spec(spec)
            sys.modules["__kiln_main__"] = module
            spec.loader.exec_module(module)
        else:  # a warm runner compiled it once; each job runs it in a fresh module
            module = types.ModuleType("__kiln_main__")
            module.__file__ = script
            sys.modules["__kiln_main__"] = module
            exec(code, module.__dict__)  # noqa: S102 - the job's own script, in its sandbox
        hints = _hints(module.main)
        kwargs = {name: _convert(value, hints.get(name)) for name, value in args.items()}
        result = module.main(**kwargs)
        if hasattr(result, "__await__"):  # an async main
            import asyncio  # only then: it costs ~25 ms of start-up, a third of a trivial job's

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


def main():
    setup_paths()
    return run_job()


if __name__ == "__main__":
    sys.exit(main())
