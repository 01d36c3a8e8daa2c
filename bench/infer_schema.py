#!/usr/bin/env python3
"""Benchmark: `POST /api/w/{ws}/scripts/infer_schema` on a 200-line script, as the editor
calls it while a user types. Target (issue 3): p95 under 50 ms.

Run from the repository root:  .venv/bin/python -m bench.infer_schema [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.run_latency import percentile
from tests.e2e.harness import Kiln

PYTHON_200_LINES = "\n".join(
    [
        "from dataclasses import dataclass",
        "from datetime import date",
        "from typing import Annotated, Literal, Optional, TypedDict",
        "from pydantic import Field",
        "",
        "class Address(TypedDict):",
        "    street: str",
        "    city: str",
        "",
        "@dataclass",
        "class Options:",
        "    round: bool",
        "    digits: int = 2",
        "",
    ]
    + [f"def helper_{i}(x: int) -> int:\n    y = x * {i}\n    return y + {i}\n" for i in range(43)]
    + [
        "def main(",
        "    name: str,",
        "    count: Annotated[int, Field(ge=1, le=10)] = 3,",
        "    mode: Literal['fast', 'safe'] = 'safe',",
        "    when: Optional[date] = None,",
        "    address: Optional[Address] = None,",
        "    options: Options | None = None,",
        "    tags: list[str] = [],",
        ") -> dict:",
        '    """Do the thing.',
        "",
        "    Args:",
        "        name: Who.",
        "        count: How many.",
        '    """',
        "    return {'name': name}",
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    opts = parser.parse_args()
    lines = PYTHON_200_LINES.count("\n") + 1
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        kiln = Kiln(Path(tmp), database_url=None)
        kiln.start()
        try:
            body = {"language": "python3", "content": PYTHON_200_LINES}
            for _ in range(10):  # warm-up
                kiln.request("POST", "/api/w/main/scripts/infer_schema", body)
            times = []
            for _ in range(opts.requests):
                t0 = time.perf_counter()
                status, answer, _ = kiln.request("POST", "/api/w/main/scripts/infer_schema", body)
                times.append((time.perf_counter() - t0) * 1000)
                assert status == 200 and answer["schema"]["required"] == ["name"], answer
            print(
                f"infer_schema, python3, {lines}-line script, {opts.requests} requests over HTTP: "
                f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
                f"max {max(times):.1f} ms (target p95 < 50 ms)"
            )
        finally:
            kiln.stop()


if __name__ == "__main__":
    main()
