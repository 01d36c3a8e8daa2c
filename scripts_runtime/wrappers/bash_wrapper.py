"""Runs inside the sandbox: run /job/main.sh with the arguments as positional parameters.

Files in: main.sh, args.json, order.json (the argument names by position, written by
languages/bash.py before the job starts). Files out: result.json, or error.json
({name, message, traceback}) with exit code 1. The script's stdout and stderr are the
job's logs. The result is /job/result.json if the script wrote one, else its last
non-empty line of stdout: parsed as JSON when it is JSON, else that line as a string.
Standard library only: this file is mounted read-only into every Bash jail.
"""

import json
import os
import subprocess
import sys

JOB_DIR = os.environ.get("KILN_JOB_DIR", "/job")
BASH = "/bin/bash"
# The runner reads at most 16 MiB of result; a longer last line is cut to this much.
MAX_LINE = 16 * 1024 * 1024


def _write(name, payload):
    tmp = os.path.join(JOB_DIR, name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
    os.replace(tmp, os.path.join(JOB_DIR, name))


def _load(name):
    with open(os.path.join(JOB_DIR, name), encoding="utf-8") as fh:
        return json.load(fh)


def _as_word(value):
    """Positional parameters are strings: JSON scalars become their text, the rest JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def build_argv(order, args):
    """$1..$N by position. A missing argument is "" so ${N:-default} applies; missing
    trailing ones are left off altogether, so ${N-default} and $# see them unset."""
    words = [_as_word(args.get(name)) if name is not None else "" for name in order]
    present = [name is not None and args.get(name) is not None for name in order]
    while present and not present[-1]:
        present.pop()
        words.pop()
    return words


def tee(fd, out):
    """Copy the child's stdout to ours as it comes (partial lines too); return its last non-empty line."""
    last = b""
    pending = b""
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        out.write(chunk)
        out.flush()
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                last = line
        pending = pending[-MAX_LINE:]
    if pending.strip():
        last = pending
    return last[-MAX_LINE:].rstrip(b"\r").decode("utf-8", "replace")


def result_of(line):
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except ValueError:
        return line


def main():
    argv = build_argv(_load("order.json"), _load("args.json"))
    child = subprocess.Popen(
        [BASH, os.path.join(JOB_DIR, "main.sh"), *argv],
        cwd=JOB_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,  # stderr is inherited: straight into the job's logs
    )
    last = tee(child.stdout.fileno(), sys.stdout.buffer)
    code = child.wait()
    if code != 0:
        sys.stdout.flush()
        message = f"bash was killed by signal {-code}" if code < 0 else f"bash exited with code {code}"
        _write("error.json", {"name": "ExitCode", "message": message, "traceback": ""})
        return 1
    if not os.path.exists(os.path.join(JOB_DIR, "result.json")):
        _write("result.json", result_of(last))
    return 0


if __name__ == "__main__":
    sys.exit(main())
