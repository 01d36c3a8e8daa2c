"""Flow expressions (`{type: javascript, expr: ...}`) evaluated in an embedded V8, never Python eval.

`expr` is compiled as an expression first (`results.a.filter(x => x.ok)`); when that is a SyntaxError
it is compiled again as a function body, so `const a = 1; return a + 1` works (a body without
`return` yields None). Scope names become parameters of a fresh strict-mode function; values cross
the boundary only as JSON, so a result is always plain JSON data.

One V8 context per thread is reused (creating one costs ~40 ms, an evaluation well under 1 ms) and
is shared by every flow and workspace that thread serves, so the context is hardened once: every
object reachable from the global object is frozen and the helpers are closures nothing can reach.
A timeout or out-of-memory kills the context; the next evaluation on that thread builds a new one.
"""

import atexit
import json
import re
import threading
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, cast

from py_mini_racer import JSEvalException, JSFunction, JSMappedObject, JSTimeoutException, MiniRacer
from py_mini_racer._mini_racer import _make_context

EXPR_TIMEOUT_MS = 1000
EXPR_MAX_MEMORY = 64 * 1024 * 1024
MAX_RESULT_BYTES = 16 * 1024 * 1024
_MAX_MESSAGE_CHARS = 1000  # an error message lands in job logs; `throw new Error(hugeString)` must not
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

_SETUP_JS = r"""
(function () {
  "use strict";
  // Deferred work (Atomics.waitAsync, finalizers) could run while another flow's expression runs.
  for (const name of ["Atomics", "WebAssembly", "FinalizationRegistry"]) delete globalThis[name];
  const MAX_COMPILED = 500, MAX_RESULT = MAX_RESULT_BYTES;
  const compiled = new Map();  // "names\0expr" -> function; a loop step reuses one compilation
  const regexpReset = /(?:)/;
  let batchScope = null;  // parsed once per evaluate_many call, dropped after its last item

  function build(names, expr) {
    // The newline before `)` keeps a trailing `// comment` from swallowing the parenthesis.
    try { return new Function(...names, '"use strict";\nreturn (\n' + expr + "\n);"); }
    catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      return new Function(...names, '"use strict";\n' + expr + "\n");
    }
  }

  function compile(names, expr) {
    const key = names.join(",") + "\0" + expr;
    let fn = compiled.get(key);
    if (fn === undefined) {
      if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value);
      compiled.set(key, (fn = Object.freeze(build(names, expr))));
    }
    return fn;
  }

  function describe(e) {
    try {
      if (e !== null && typeof e === "object" && typeof e.message === "string")
        return [String(e.name || "Error"), e.message];
      return ["Error", String(e)];
    } catch (_) { return ["Error", "(an exception that cannot be printed)"]; }
  }

  function run(scope, expr) {
    const names = Object.keys(scope);
    let value;
    try { value = compile(names, expr)(...names.map((n) => scope[n])); }
    catch (e) { return "!" + JSON.stringify(describe(e)); }
    if (value === undefined) return "=null";
    if (typeof value === "function" || typeof value === "symbol" || value instanceof Promise)
      return "!" + JSON.stringify(["NotJSON", "the result is a " + (value instanceof Promise ?
        "Promise (await is not supported)" : typeof value)]);
    let out;
    try { out = JSON.stringify(value); }
    catch (e) { return "!" + JSON.stringify(["NotJSON", describe(e)[1]]); }
    if (out === undefined) return "=null";
    if (out.length > MAX_RESULT) return '!["ResultTooLarge","the result is over ' + MAX_RESULT + ' bytes"]';
    return "=" + out;
  }

  // Returns "=<json>" or "!<[name, message]>". scopeJson === null reuses the current batch's scope,
  // which is dropped after the batch's last item or its first failure.
  function evaluate(scopeJson, expr, keepScope) {
    try {
      if (scopeJson !== null) batchScope = JSON.parse(scopeJson);
      const out = run(batchScope, expr);
      if (!keepScope || out[0] === "!") batchScope = null;
      return out;
    } finally {
      // Last, after user getters and toJSON ran too: RegExp.$1, lastMatch and input keep the last
      // match, and this expression's data must not be readable by the next one.
      regexpReset.exec("");
    }
  }

  function check(expr) {
    try { build([], expr); return null; } catch (e) { return describe(e)[1]; }
  }

  // Freeze every object reachable from the global object and from intrinsics that only syntax
  // reaches (generator and iterator prototypes), so no expression can leave state behind.
  const roots = [globalThis, function* () {}, async function () {}, async function* () {},
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
    ""[Symbol.iterator](), /a/[Symbol.matchAll]("")];
  const seen = new Set();
  while (roots.length) {
    const o = roots.pop();
    if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue;
    seen.add(o);
    Object.freeze(o);
    roots.push(Object.getPrototypeOf(o));
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      roots.push(d.value, d.get, d.set);
    }
  }
  // Handed to Python only, never stored on the global object: no expression can reach or replace them.
  return { evaluate, check };
})();
""".replace("MAX_RESULT_BYTES", str(MAX_RESULT_BYTES))


class ExpressionError(Exception):
    """An expression that failed; `name` is the JS error name or Timeout, MemoryLimit, NotJSON,
    ResultTooLarge. `field` is the input name when raised by evaluate_many."""

    def __init__(self, name: str, message: str, expr: str, field: str | None = None) -> None:
        self.name = name
        self.message = " ".join(message.split())[:_MAX_MESSAGE_CHARS]
        self.expr = expr
        self.field = field
        shown = expr if len(expr) <= 200 else expr[:199] + "…"
        super().__init__(f"{name}: {self.message} in expression `{shown}`")


class _Racer(MiniRacer):
    """A MiniRacer without its setTimeout shim: the shim's top-level `class __TimerManager` is a
    global binding that freezing cannot make read-only, i.e. a channel between two expressions."""

    def __init__(self) -> None:
        self._own_context_maker = _make_context()
        self._ctx = self._own_context_maker.__enter__()


class _Engine:
    def __init__(self) -> None:
        self.racer = _Racer()
        self.racer.set_hard_memory_limit(EXPR_MAX_MEMORY)
        helpers = cast(JSMappedObject, self.racer.eval(_SETUP_JS))
        self.evaluate_fn = cast(JSFunction, helpers["evaluate"])
        self.check_fn = cast(JSFunction, helpers["check"])


# One engine per thread, held by this module, not by a threading.local: a fork (a job's Popen with
# a preexec_fn) drops every other thread's locals in the child, and freeing an engine there would
# wait for mini-racer's event-loop thread, which the child does not have: the child would hang
# before its exec, and the parent's Popen with it. Keyed by thread ident; a thread that reuses an
# ident reuses its engine (a context may be called from any thread).
_engines: dict[int, _Engine] = {}


@atexit.register
def _close_engines() -> None:
    # mini-racer runs each context's event loop in a daemon thread; a context left to interpreter
    # teardown joins that already-frozen thread in its finalizer and the process hangs on exit.
    for engine in list(_engines.values()):
        engine.racer.close()
    _engines.clear()


def _engine() -> _Engine:
    ident = threading.get_ident()
    engine = _engines.get(ident)
    if engine is None:
        engine = _engines[ident] = _Engine()
    return engine


def _discard_engine() -> None:
    engine = _engines.pop(threading.get_ident(), None)
    if engine is not None:
        # V8 reports the interrupted call only after the cancel; one more call on its queue waits for
        # that report, which would otherwise land on a closed event loop and print a stray traceback.
        with suppress(JSEvalException):
            engine.racer.eval("0", timeout_sec=1)
        engine.racer.close()


def _scope_json(scope: dict[str, Any]) -> str:
    for name in scope:
        if not _IDENTIFIER.fullmatch(name):  # names become parameter names in compiled code
            raise ValueError(f"scope name {name!r} is not a JavaScript identifier")
    # A scope that is not JSON is a platform bug, not the expression's fault: let it raise.
    return json.dumps(scope, separators=(",", ":"), allow_nan=False)


def _run(scope_json: str | None, expr: str, keep_scope: bool, timeout_ms: int, field: str | None) -> Any:
    engine = _engine()
    try:
        out = engine.evaluate_fn(scope_json, expr, keep_scope, timeout_sec=timeout_ms / 1000)
    except JSTimeoutException:
        _discard_engine()  # the context was interrupted mid-flight; do not trust it again
        raise ExpressionError("Timeout", f"took longer than {timeout_ms} ms", expr, field) from None
    except JSEvalException as e:
        # The helper catches every JS exception, so this is the heap limit (V8 cannot go on in that
        # isolate) or an engine failure; either way the context is not reused.
        out_of_memory = engine.racer.was_hard_memory_limit_reached()
        _discard_engine()
        if not out_of_memory:
            raise
        limit = f"used more than {EXPR_MAX_MEMORY // (1024 * 1024)} MiB"
        raise ExpressionError("MemoryLimit", limit, expr, field) from e
    assert isinstance(out, str)
    if out[0] == "!":
        name, message = json.loads(out[1:])
        raise ExpressionError(name, message, expr, field)
    payload = out[1:].encode()
    if len(payload) > MAX_RESULT_BYTES:
        raise ExpressionError("ResultTooLarge", f"the result is over {MAX_RESULT_BYTES} bytes", expr, field)
    return json.loads(payload)


def evaluate(expr: str, scope: dict[str, Any], *, timeout_ms: int = EXPR_TIMEOUT_MS) -> Any:
    """The JSON value of `expr` with the names of `scope` bound as variables; undefined is None."""
    return _run(_scope_json(scope), expr, False, timeout_ms, None)


def evaluate_many(
    items: Iterable[tuple[str, str]], scope: dict[str, Any], *, timeout_ms: int = EXPR_TIMEOUT_MS
) -> dict[str, Any]:
    """Evaluate named expressions (a step's input transforms) against one scope.

    The scope crosses into V8 and is parsed once for all of them, since it may hold the results of
    every loop iteration; expressions of one call therefore share it, so one that mutates its input
    in place (`arr.sort()`) is seen by the later ones of the same call, never by another call.
    Each expression gets its own `timeout_ms`. The first failure raises with `.field` set.
    """
    pending = list(items)
    scope_json: str | None = _scope_json(scope)
    values: dict[str, Any] = {}
    for i, (field, expr) in enumerate(pending):
        values[field] = _run(scope_json, expr, i < len(pending) - 1, timeout_ms, field)
        scope_json = None
    return values


def check_syntax(expr: str) -> str | None:
    """None when `expr` compiles as an expression or a function body, else the SyntaxError message.

    Only compiles (`new Function`), never calls, so `while(true){}` is checked instantly."""
    try:
        result = _engine().check_fn(expr, timeout_sec=EXPR_TIMEOUT_MS / 1000)
    except JSEvalException:
        _discard_engine()  # compiling a huge source timed out or ran out of memory
        raise
    return None if result is None else " ".join(str(result).split())
