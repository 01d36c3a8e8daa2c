"""TypeScript end to end: save with Windmill's `deno` name over HTTP, run it on a real worker in nsjail."""

from __future__ import annotations

import pytest

from tests.conftest import example
from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e


def test_sum_numbers_saved_as_deno_is_stored_as_typescript_and_runs(kiln: Kiln) -> None:
    status, saved, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": "u/admin/sum_numbers", "language": "deno", "content": example("sum_numbers.ts")},
    )
    assert status in (200, 201), saved
    assert saved["language"] == "typescript"
    assert saved["schema"]["required"] == ["values"]
    assert saved["schema"]["properties"]["mode"] == {
        "type": "string",
        "enum": ["fast", "safe"],
        "default": "safe",
    }

    status, result, headers = kiln.request(
        "POST",
        "/api/w/main/jobs/run_wait_result/p/u/admin/sum_numbers",
        {"values": [1, 2, 3.5], "mode": "fast"},
    )
    assert status == 200, result
    assert result == {"total": 6.5, "mode": "fast"}
    status, job, _ = kiln.request("GET", f"/api/w/main/jobs/{headers['x-kiln-job-id']}")
    assert job["status"] == "success" and job["sandboxed"] is True
    assert job["logs"] == "total: 6.5 (fast)\n"


def test_a_typescript_argument_of_the_wrong_type_is_refused_before_it_runs(kiln: Kiln) -> None:
    kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": "u/admin/sum_typed", "language": "typescript", "content": example("sum_numbers.ts")},
    )
    status, body, _ = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/sum_typed", {"values": "not a list"}
    )
    assert status == 400 and body["detail"]["field"] == "values"


def test_a_typescript_syntax_error_is_refused_on_save_with_its_line(kiln: Kiln) -> None:
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/scripts",
        {"path": "u/admin/broken", "language": "ts", "content": "const a = 1;\nexport function main(x: {\n"},
    )
    assert status == 400, body
    assert "syntax error" in body["message"] and body["detail"]["line"] == 2
