"""Go jobs: built once per content hash outside the jail, run as a static binary inside it."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from scripts_runtime.languages import go
from scripts_runtime.languages.base import PrepareContext, Prepared
from tests.conftest import example

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]


def run_go(run_script: Run, source: str, args: dict | None = None, **kwargs: object) -> Job:
    return run_script(source, args or {}, language="go", **kwargs)


def build_dir(source: str) -> Path:
    """Where the worker keeps this content's binary: one directory per build key."""
    return Path(settings.KILN_CACHE_DIR) / "go" / go.build_key(go.build_files(source, go.read_main(source)))


def test_word_count_runs_and_its_result_and_logs_are_stored(run_script: Run) -> None:
    job = run_go(run_script, example("word_count.go"), {"text": "a b a", "lower": False, "top": 3})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"a": 2, "b": 1}
    assert "2 distinct words\n" in job_logs(job=job)
    assert job.sandboxed


def test_a_returned_error_is_a_failure_with_its_message(run_script: Run) -> None:
    job = run_go(run_script, example("word_count.go"), {"text": "a", "lower": True, "top": 0})
    assert job.status == JobStatus.FAILURE
    assert job.error == {"name": "error", "message": "top must be positive, got 0", "traceback": ""}
    assert "top must be positive, got 0" in job_logs(job=job)


def test_a_panic_is_a_failure_with_its_message_and_the_scripts_frames(run_script: Run) -> None:
    source = (
        "package inner\n"
        "\n"
        "func pick(xs []int, i int) int {\n"
        "\treturn xs[i]\n"
        "}\n"
        "\n"
        "func main(i int) (interface{}, error) {\n"
        "\treturn pick([]int{1, 2}, i), nil\n"
        "}\n"
    )
    job = run_go(run_script, source, {"i": 5})
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "panic"
    assert job.error["message"] == "runtime error: index out of range [5] with length 2"
    assert "/job/main.go:4" in job.error["traceback"] and "/job/main.go:8" in job.error["traceback"]
    assert "inner.pick(" in job.error["traceback"] and "inner.main(" in job.error["traceback"]
    assert "reflect." not in job.error["traceback"]  # the wrapper's frames are not the user's
    assert "index out of range" in job_logs(job=job)


def test_a_compile_error_is_a_build_error_naming_the_line(run_script: Run) -> None:
    source = "package inner\n\nfunc main(n int) (interface{}, error) {\n\treturn n + undefinedThing, nil\n}\n"
    job = run_go(run_script, source, {"n": 1})
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "BuildError"
    assert "main.go:4:13: undefined: undefinedThing" in job.error["message"]
    assert "kilnjob" not in job.error["message"]  # the build dir's layout is Kiln's business
    assert "undefinedThing" in job_logs(job=job)


def test_a_third_party_import_says_it_needs_a_module_proxy(run_script: Run) -> None:
    source = (
        'package inner\n\nimport "github.com/example/nothing"\n\n'
        "func main() (interface{}, error) {\n\treturn nothing.X, nil\n}\n"
    )
    job = run_go(run_script, source)
    assert job.error["name"] == "BuildError"
    assert "module proxy" in job.error["message"]


def test_the_same_content_is_built_once_and_reused(run_script: Run) -> None:
    source = 'package inner\n\nfunc main(who string) (interface{}, error) {\n\treturn "hi " + who, nil\n}\n'
    binary = build_dir(source) / "main"
    first = run_go(run_script, source, {"who": "Ada"})
    assert first.result == "hi Ada"
    built_at = binary.stat().st_mtime_ns
    assert "[kiln] building with go1." in job_logs(job=first)

    second = run_go(run_script, source, {"who": "Grace"}, path="u/ada/other")
    assert second.result == "hi Grace"
    assert binary.stat().st_mtime_ns == built_at
    assert f"[kiln] using the cached Go build {binary.parent.name[:12]}" in job_logs(job=second)
    assert "building" not in job_logs(job=second)


def test_arguments_are_decoded_into_declared_types_and_pointers_are_optional(run_script: Run) -> None:
    source = """package inner

import (
	"fmt"
	"time"
)

type Item struct {
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags,omitempty"`
}

func main(items []Item, when time.Time, limit *int, by map[string]int, raw []byte) (interface{}, error) {
	total := 0.0
	for _, it := range items {
		total += it.Price
	}
	fmt.Println("items:", len(items))
	return map[string]interface{}{
		"total": total, "year": when.Year(), "limit": limit, "by": by["x"], "raw": string(raw),
	}, nil
}
"""
    args = {
        "items": [{"name": "a", "price": 1.5}, {"name": "b", "price": 2, "tags": ["x"]}],
        "when": "2026-03-04T05:06:07Z",
        "by": {"x": 7},
        "raw": "aGk=",
    }
    job = run_go(run_script, source, args)
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"total": 3.5, "year": 2026, "limit": None, "by": 7, "raw": "hi"}
    assert job.script_version.schema["required"] == ["items", "when", "by", "raw"]


def test_main_may_return_a_bare_value_or_nothing(run_script: Run) -> None:
    bare = run_go(run_script, "package inner\n\nfunc main(n int) int {\n\treturn n * n\n}\n", {"n": 12})
    assert (bare.status, bare.result) == (JobStatus.SUCCESS, 144)
    nothing = run_go(run_script, 'package inner\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("ran")\n}\n')
    assert (nothing.status, nothing.result) == (JobStatus.SUCCESS, None)
    assert job_logs(job=nothing).endswith("ran\n")


def test_a_result_that_is_not_json_is_reported(run_script: Run) -> None:
    source = "package inner\n\nfunc main() (interface{}, error) {\n\treturn make(chan int), nil\n}\n"
    job = run_go(run_script, source)
    assert job.status == JobStatus.FAILURE and job.error["name"] == "InvalidResult"


def test_a_go_job_cannot_read_what_the_worker_can(run_script: Run) -> None:
    settings_file = settings.BASE_DIR / "platform" / "kiln" / "settings.py"
    cache = Path(settings.KILN_CACHE_DIR) / "go"
    assert settings_file.is_file()
    source = """package inner

import (
	"net"
	"os"
	"time"
)

func main(paths []string, dirs []string) (interface{}, error) {
	seen := map[string]string{}
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			seen[p] = "READ " + string(data[:min(len(data), 20)])
		} else {
			seen[p] = err.Error()
		}
	}
	for _, d := range dirs {
		if entries, err := os.ReadDir(d); err == nil {
			seen[d] = "READ"
			for _, e := range entries {
				seen[d] += " " + e.Name()
			}
		} else {
			seen[d] = err.Error()
		}
	}
	_, err := net.DialTimeout("tcp", "127.0.0.1:6379", 2*time.Second)
	env := os.Environ()
	return map[string]interface{}{"seen": seen, "net": err != nil, "uid": os.Getuid(), "env": env}, nil
}
"""
    paths = [str(settings_file), "/etc/shadow", str(settings.DATA_DIR / "secret_key")]
    dirs = [str(cache / "gocache"), str(settings.BASE_DIR / ".venv")]
    job = run_go(run_script, source, {"paths": paths, "dirs": [*dirs, str(cache)]})
    assert job.status == JobStatus.SUCCESS, job.error
    # Of the build cache, the job sees its own binary's directory: not the others, not GOCACHE.
    assert job.result["seen"].pop(str(cache)) == "READ " + build_dir(source).name
    for path, outcome in job.result["seen"].items():  # not the toolchain either
        assert not outcome.startswith("READ"), f"the job could read {path}: {outcome}"
    assert job.result["net"] is True and job.result["uid"] == 65534
    sdk = ["KILN_JOB_ID", "KILN_SCRIPT_PATH", "KILN_SDK_DIR", "KILN_SDK_SOCKET", "KILN_TOKEN"]
    expected = sorted(["HOME", "KILN_JOB_DIR", "LANG", "PATH", "KILN_WORKSPACE", *sdk])
    assert sorted(v.split("=")[0] for v in job.result["env"]) == expected


def test_a_go_job_past_its_time_limit_is_stopped(run_script: Run) -> None:
    source = (
        'package inner\n\nimport (\n\t"fmt"\n\t"time"\n)\n\n'
        'func main() {\n\tfmt.Println("start")\n\ttime.Sleep(30 * time.Second)\n}\n'
    )
    job = run_go(run_script, source, timeout_s=2)
    assert job.status == JobStatus.TIMEOUT
    assert "start" in job_logs(job=job)


def test_the_rendered_args_reach_main_in_parameter_order(run_script: Run) -> None:
    source = (
        "package inner\n\nfunc main(b string, a string, c int) (interface{}, error) {\n"
        "\treturn []interface{}{b, a, c}, nil\n}\n"
    )
    job = run_go(run_script, source, json.loads('{"c": 3, "a": "A", "b": "B"}'))
    assert job.result == ["B", "A", 3]


def test_two_workers_building_the_same_script_at_once_share_one_binary(tmp_path: Path) -> None:
    source = "package inner\n\nfunc main() int {\n\treturn 1\n}\n"
    lines: list[str] = []

    def prepare(worker: int) -> Prepared:
        job_dir = tmp_path / f"job{worker}"
        job_dir.mkdir()
        return go.prepare(
            source, PrepareContext(cache_dir=tmp_path / "cache", job_dir=job_dir, log=lines.append)
        )

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(prepare, [1, 2])
    assert first.data["binary"] == second.data["binary"]
    assert [p.name for p in (tmp_path / "cache" / "go" / "tmp").iterdir()] == []  # no half-built leftovers
    assert Path(first.data["binary"]).stat().st_mode & 0o755 == 0o755


def test_an_unsandboxed_go_job_finds_its_files_in_the_real_job_dir(run_script: Run, settings: Any) -> None:
    settings.KILN_SANDBOX = "none"
    settings.KILN_ALLOW_UNSANDBOXED = True
    job = run_go(run_script, example("word_count.go"), {"text": "x y", "lower": False, "top": 1})
    assert (job.status, job.result, job.sandboxed) == (JobStatus.SUCCESS, {"x": 1, "y": 1}, False)
