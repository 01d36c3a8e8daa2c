"""Go and Bash end to end: save over HTTP with Windmill's names, run on a real worker in nsjail."""

from __future__ import annotations

import pytest

from tests.conftest import example
from tests.e2e.harness import Kiln

pytestmark = pytest.mark.e2e


def save(kiln: Kiln, path: str, language: str, content: str) -> dict:
    status, body, _ = kiln.request(
        "POST", "/api/w/main/scripts", {"path": path, "language": language, "content": content}
    )
    assert status in (200, 201), body
    return body


def test_word_count_saved_as_golang_is_stored_as_go_built_and_run(kiln: Kiln) -> None:
    saved = save(kiln, "u/admin/word_count", "golang", example("word_count.go"))
    assert saved["language"] == "go"
    assert saved["schema"]["required"] == ["text", "lower", "top"]
    assert saved["schema"]["properties"]["lower"] == {"type": "boolean"}

    status, result, headers = kiln.request(
        "POST",
        "/api/w/main/jobs/run_wait_result/p/u/admin/word_count",
        {"text": "The cat saw the CAT", "lower": True, "top": 2},
    )
    assert status == 200, result
    assert result == {"the": 2, "cat": 2, "saw": 1}
    status, job, _ = kiln.request("GET", f"/api/w/main/jobs/{headers['x-kiln-job-id']}")
    assert job["status"] == "success" and job["sandboxed"] is True
    assert job["logs"].endswith("3 distinct words\n")  # after the worker's "[kiln] building ..." line


def test_a_go_error_answers_500_with_its_message(kiln: Kiln) -> None:
    save(kiln, "u/admin/word_count_err", "go", example("word_count.go"))
    status, body, _ = kiln.request(
        "POST",
        "/api/w/main/jobs/run_wait_result/p/u/admin/word_count_err",
        {"text": "a", "lower": False, "top": 0},
    )
    assert status == 500
    assert body["detail"]["error"]["name"] == "error"
    assert body["detail"]["error"]["message"] == "top must be positive, got 0"


def test_hello_saved_as_sh_is_stored_as_bash_and_runs(kiln: Kiln) -> None:
    saved = save(kiln, "u/admin/hello", "sh", example("hello.sh"))
    assert saved["language"] == "bash"
    assert saved["schema"]["required"] == ["name"]
    assert saved["schema"]["properties"]["greeting"] == {"type": "string", "default": "hello"}

    status, result, headers = kiln.request(
        "POST", "/api/w/main/jobs/run_wait_result/p/u/admin/hello", {"name": "Ada", "times": "2"}
    )
    assert status == 200, result
    assert result == {"greeted": "Ada", "times": 2}
    status, job, _ = kiln.request("GET", f"/api/w/main/jobs/{headers['x-kiln-job-id']}")
    assert job["status"] == "success" and job["sandboxed"] is True
    assert job["logs"] == 'hello, Ada\nhello, Ada\n{"greeted": "Ada", "times": 2}\n'


def test_unusable_go_and_bash_scripts_are_refused_on_save_with_their_line(kiln: Kiln) -> None:
    for language, content, line in [
        ("go", "package main\n\nfunc main() {}\n", 1),
        ("bash", 'name="$1"\nif [ -n "$name" ]; then\n  echo hi\n', 2),
    ]:
        script = {"path": "u/admin/broken", "language": language, "content": content}
        status, body, _ = kiln.request("POST", "/api/w/main/scripts", script)
        assert status == 400, body
        assert body["detail"]["line"] == line
