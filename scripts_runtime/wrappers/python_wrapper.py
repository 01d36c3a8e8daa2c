"""Runs inside the sandbox: load /job/main.py, call main(**args), write the result.

Files in: main.py, args.json. Files out: result.json, or error.json
({name, message, traceback}) with exit code 1. stdout/stderr are the job's logs.
Arguments arrive as JSON and are turned back into what main's annotations ask
for: ISO strings into date/datetime/time, base64 into bytes, values into Enum
members, objects into dataclasses or Pydantic models.
Standard library only: this file is mounted read-only into every Python jail. It starts every
cold Python job, so it imports nothing that a trivial job does not need: each module is
milliseconds of every job's start, and of its CPU. Not json, typing, enum, datetime or
importlib.util (with re, collections and functools under them, about 25 ms of a trivial cold
job's 50): JSON goes through json's own C accelerator, and the modules that annotations need
are looked up in sys.modules (an annotation naming a date, an Enum or typing.Optional means
the script imported that module already) or imported where they are needed (asyncio, base64,
dataclasses, traceback, typing for string annotations; json for an error's message).
"""

import os
import sys

JOB_DIR = os.environ.get("KILN_JOB_DIR", "/job")

_FunctionType, _ModuleType = type(lambda: None), type(sys)
_GenericAlias, _UnionType = type(list[int]), type(int | str)


try:  # json's C scanner and encoder, which json.loads and json.dumps call, without json's Python
    import _json

    class _Decoding:
        """What json.JSONDecoder() hands its C scanner (json.decoder's defaults)."""

        strict = True
        object_hook = object_pairs_hook = None
        parse_float, parse_int = float, int
        parse_constant = {
            "-Infinity": float("-inf"),
            "Infinity": float("inf"),
            "NaN": float("nan"),
        }.__getitem__
        memo: dict = {}

    _scan = _json.make_scanner(_Decoding())  # type: ignore[arg-type]  # any object with these attributes
    _encoder_of = _json.make_encoder
    _ascii = _json.encode_basestring_ascii
except (ImportError, AttributeError, TypeError):  # not CPython's json: json's own Python
    _scan = _encoder_of = _ascii = None  # type: ignore[assignment]

_SPACE = " \t\n\r"  # JSON's whitespace


def loads(text):
    """json.loads(text): the same values, and on bad JSON json's own error (json parses it again)."""
    if _scan is not None:
        start = len(text) - len(text.lstrip(_SPACE))
        try:
            value, end = _scan(text, start)
        except StopIteration:
            end = -1
        if end >= 0 and not text[end:].strip(_SPACE):
            return value
    import json

    return json.loads(text)


def dumps(value):
    """json.dumps(value, default=_fallback): ASCII, json's separators, NaN as json writes it."""
    if _encoder_of is not None:
        try:
            encode = _encoder_of({}, _fallback, _ascii, None, ": ", ", ", False, False, True)
            return "".join(encode(value, 0))
        except TypeError:
            pass  # a dict key JSON cannot hold: json raises its own error, below
    import json

    return json.dumps(value, default=_fallback)


def _write(name, payload):
    """`payload` as `name`'s JSON, whole or not at all (written aside, then renamed). ASCII
    (dumps escapes the rest): bytes to the fd, without a text layer's encoder."""
    path = os.path.join(JOB_DIR, name)
    data = dumps(payload).encode()
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
    enum = sys.modules.get("enum")  # no Enum value without it
    if enum is not None and isinstance(value, enum.Enum):
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
    if value is None or hint is None or type(value) is hint:
        return value
    typing = sys.modules.get("typing")  # an annotation made with it means the script imported it
    if typing is not None:
        if hint is typing.Any:
            return value
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Annotated:
            return _convert(value, args[0])
    elif type(hint) is _GenericAlias:  # list[int], dict[str, int]
        origin, args = hint.__origin__, hint.__args__
    elif type(hint) is _UnionType:  # int | None
        origin, args = _UnionType, hint.__args__
    else:
        origin, args = None, ()
    if origin is _UnionType or (typing is not None and origin is typing.Union):
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
    datetime = sys.modules.get("datetime")  # a date annotation means the script imported it
    if datetime is not None and isinstance(value, str):
        if hint is datetime.datetime:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if hint is datetime.date:
            return datetime.date.fromisoformat(value[:10])
        if hint is datetime.time:
            return datetime.time.fromisoformat(value)
    if hint is bytes and isinstance(value, str):
        import base64

        return base64.b64decode(value)
    enum = sys.modules.get("enum")
    if enum is not None and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(value, dict):
        if hasattr(hint, "__dataclass_fields__"):
            hints = _hints(hint)
            return hint(**{k: _convert(v, hints.get(k)) for k, v in value.items()})
        if hasattr(hint, "model_validate"):  # Pydantic v2
            return hint.model_validate(value)
    return value


def _hints(obj):
    """The parameters' type hints (a function's may include "return", which no caller reads).
    A function whose parameters are all annotated with plain classes (int, str, date, a
    dataclass: their metaclass is `type`), or not at all, has them as they are: that is what
    typing.get_type_hints would return, without importing typing (re, collections, functools:
    milliseconds of a cold job's start) or walking it (a good part of a trivial warm job's
    Python, and each object it touches is a page the job's process copies). Strings, generics,
    Enums and Optional go through get_type_hints, as a class's hints always do (they come from
    its bases too)."""
    annotations = getattr(obj, "__annotations__", None) if type(obj) is _FunctionType else None
    if type(annotations) is dict and all(type(h) is type for n, h in annotations.items() if n != "return"):
        return annotations
    try:
        import typing  # string annotations, generics from typing, a class's inherited fields

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


def compiled(script, source=None):
    """main.py's code: the worker's main.pyc when it is this Python's bytecode of this very
    source (its header holds the source's hash) and names this path; else compiled here (bytes:
    compile() honours a coding declaration, as an import would). Compiling sets up the AST's
    types first, a few ms of a trivial cold job's CPU; marshal and _imp are built in. `source`:
    main.py's bytes, if the caller has read them."""
    if source is None:
        with open(script, "rb") as fh:
            source = fh.read()
    try:
        import _imp
        import marshal

        with open(script + "c", "rb") as fh:
            data = fh.read()
        external = sys.modules["_frozen_importlib_external"]  # importlib's own, always loaded
        if data[:4] == external.MAGIC_NUMBER and data[8:16] == _imp.source_hash(
            external._RAW_MAGIC_NUMBER, source
        ):
            code = marshal.loads(memoryview(data)[16:])
            if type(code) is type(compiled.__code__) and code.co_filename == script:
                return code
    except (OSError, ValueError, EOFError, TypeError, KeyError, AttributeError):
        pass  # no bytecode, or not this Python's: compiled below
    return compile(source, script, "exec")


def run_job(code=None, args=None):
    """Load args.json (unless a warm runner passed the `args`), run main.py (or its already
    compiled `code`), call main(**args) and write result.json or error.json. Returns the
    process's exit code."""
    if args is None:
        with open(os.path.join(JOB_DIR, "args.json"), encoding="utf-8") as fh:
            args = loads(fh.read())
    script = os.path.join(JOB_DIR, "main.py")
    try:
        if code is None:
            code = compiled(script)
        # A fresh module, as a warm runner's job gets one for the code it compiled once.
        module = _ModuleType("__kiln_main__")
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
