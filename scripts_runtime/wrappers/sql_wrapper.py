"""Runs inside the sandbox: execute /job/main.sql with the job's arguments, write the rows.

Files in: main.sql, args.json, params.json ([{name, default}] in $1, $2 ... order).
Files out: result.json (a list of row objects, or {"rowcount": n} for statements
without rows), or error.json {name, message, traceback} with exit code 1.
KILN_SQL_DIALECT is "postgresql" (psycopg, from the job's dependency mount) or
"sqlite" (the standard library; files under KILN_SQLITE_DIR only). KILN_DATABASE_ADDRESS,
when set, is "<IPv4>:<port>" of the server to connect to (libpq's hostaddr; postgresql.py).
"""

import base64
import datetime
import decimal
import json
import os
import re
import sys
import traceback
import uuid

JOB_DIR = os.environ.get("KILN_JOB_DIR", "/job")
MAX_ROWS = int(os.environ.get("KILN_SQL_MAX_ROWS", "100000"))


def _json(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _write(name, payload):
    tmp = os.path.join(JOB_DIR, name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, default=_json)
    os.replace(tmp, os.path.join(JOB_DIR, name))


def _rows(cursor):
    if cursor.description is None:
        return {"rowcount": cursor.rowcount}
    columns = [d[0] for d in cursor.description]
    rows = cursor.fetchmany(MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        print(f"[kiln] the query returned more than {MAX_ROWS} rows; the result keeps the first {MAX_ROWS}")
        rows = rows[:MAX_ROWS]
    return [dict(zip(columns, row, strict=False)) for row in rows]


def run_postgresql(query, values, db):
    import psycopg  # from the job's dependency mount

    # A url, fields, or both (fields win: a url without its password, the password a secret).
    conninfo = db.get("url") or ""
    extra = {
        k: db[k]
        for k in ("host", "port", "user", "password", "dbname", "sslmode", "options")
        if db.get(k) not in (None, "")
    }
    address = os.environ.get("KILN_DATABASE_ADDRESS")
    if address:  # where the worker found the server (one on the worker: its port, forwarded to 127.0.0.1)
        extra["hostaddr"] = address.rpartition(":")[0]
    with (
        psycopg.connect(conninfo, connect_timeout=10, cursor_factory=psycopg.RawCursor, **extra) as conn,
        conn.cursor() as cur,
    ):
        cur.execute(query, values)
        return _rows(cur)


def run_sqlite(query, values, db):
    import sqlite3

    base = os.path.realpath(os.environ["KILN_SQLITE_DIR"])
    path = os.path.realpath(os.path.join(base, str(db.get("path", ""))))
    if not path.startswith(base + os.sep):
        raise PermissionError(f"SQLite files must be under the files directory, not {db.get('path')!r}")
    with sqlite3.connect(path) as conn:
        # In SQLite, $1 is the named parameter "1"; ? parameters bind by position.
        params = {str(i + 1): v for i, v in enumerate(values)} if re.search(r"\$\d+", query) else values
        cur = conn.execute(query, params)
        return _rows(cur)


def main():
    deps = os.environ.get("KILN_PYTHON_DEPS")
    if deps:
        sys.path.insert(0, deps)  # the database driver (read-only, shared cache)
    with open(os.path.join(JOB_DIR, "main.sql"), encoding="utf-8") as fh:
        query = fh.read()
    with open(os.path.join(JOB_DIR, "args.json"), encoding="utf-8") as fh:
        args = json.load(fh)
    with open(os.path.join(JOB_DIR, "params.json"), encoding="utf-8") as fh:
        params = json.load(fh)
    db = args.get("database") or {}
    values = [args[p["name"]] if p["name"] in args else p["default"] for p in params]
    try:
        if os.environ.get("KILN_SQL_DIALECT") == "sqlite":
            result = run_sqlite(query, values, db)
        else:
            result = run_postgresql(query, values, db)
    except Exception as exc:  # noqa: BLE001 - the database's error is the job's error
        message = str(exc).strip()
        sys.stderr.write(f"{type(exc).__name__}: {message}\n")
        _write(
            "error.json",
            {"name": type(exc).__name__, "message": message, "traceback": traceback.format_exc()},
        )
        return 1
    if isinstance(result, list):
        print(f"{len(result)} row(s)")
    _write("result.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
