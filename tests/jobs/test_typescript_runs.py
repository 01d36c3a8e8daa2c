"""TypeScript jobs run on Deno inside nsjail: results, errors, npm imports, isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from kiln.jobs.models import Job, JobStatus
from kiln.jobs.selectors import job_logs
from scripts_runtime.languages.typescript_deps import MARKER
from tests.conftest import example

pytestmark = pytest.mark.sandbox
Run = Callable[..., Job]

NPM_SCRIPT = """import isNumber from "npm:is-number@7.0.0";

export function main(values: string[]) {
  console.log(`checking ${values.length} values`);
  return values.map((v) => isNumber(v));
}
"""


@pytest.fixture
def run_ts(run_script: Run) -> Run:
    def run(content: str, args: dict[str, Any] | None = None, **kw: Any) -> Job:
        return run_script(content, args, language="typescript", **kw)

    return run


def deno_cache_dirs() -> list[Any]:
    root = settings.KILN_CACHE_DIR / "deno"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def test_the_sum_numbers_example_runs_and_logs_its_line(run_ts: Run) -> None:
    job = run_ts(example("sum_numbers.ts"), {"values": [1, 2, 3.5]})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"total": 6.5, "mode": "safe"}
    assert job_logs(job=job) == "total: 6.5 (safe)\n"
    assert job.sandboxed and job.language == "typescript"


def test_a_throwing_script_is_a_failure_with_its_stack(run_ts: Run) -> None:
    source = (
        "function check(n: number) {\n"
        "  if (n > 10) throw new RangeError(`${n} is too big`);\n"
        "}\n"
        "export function main(n: number) {\n"
        '  console.log("checking", n);\n'
        "  check(n);\n"
        "}\n"
    )
    job = run_ts(source, {"n": 99})
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "RangeError" and job.error["message"] == "99 is too big"
    assert "at check (file:///job/main.ts:2:" in job.error["traceback"]
    assert "main (file:///job/main.ts:6:" in job.error["traceback"]
    assert "deno_wrapper" not in job.error["traceback"]  # the wrapper's frames are not the user's
    logs = job_logs(job=job)
    assert logs.startswith("checking 99\n") and "RangeError: 99 is too big" in logs


def test_an_error_at_import_time_is_reported_too(run_ts: Run) -> None:
    job = run_ts('throw new Error("broken at load");\nexport function main() { return 1; }\n')
    assert job.status == JobStatus.FAILURE
    assert (job.error["name"], job.error["message"]) == ("Error", "broken at load")


def test_async_main_is_awaited(run_ts: Run) -> None:
    source = (
        "export async function main(ms: number) {\n"
        "  const started = Date.now();\n"
        "  await new Promise((resolve) => setTimeout(resolve, ms));\n"
        "  return { waited: Date.now() - started >= ms };\n"
        "}\n"
    )
    job = run_ts(source, {"ms": 50})
    assert (job.status, job.result) == (JobStatus.SUCCESS, {"waited": True})


def test_arguments_go_in_parameter_order_and_defaults_apply_when_omitted(run_ts: Run) -> None:
    source = (
        "export function main(a: number, b = 10, label = 'sum', c?: string) {\n"
        "  return { a, b, label, c: c ?? null, total: a + b };\n"
        "}\n"
    )
    job = run_ts(source, {"label": "x", "a": 1})  # not in declaration order, b and c left out
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"a": 1, "b": 10, "label": "x", "c": None, "total": 11}


def test_date_parameters_arrive_as_dates_and_results_are_made_json(run_ts: Run) -> None:
    source = (
        "export function main(when: Date) {\n"
        "  return {\n"
        "    year: when.getUTCFullYear(),\n"
        "    tags: new Set(['a', 'b']),\n"
        "    counts: new Map([['x', 1]]),\n"
        "    big: 2n ** 70n,\n"
        "    nothing: undefined,\n"
        "  };\n"
        "}\n"
    )
    job = run_ts(source, {"when": "2026-01-02T03:04:05Z"})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == {"year": 2026, "tags": ["a", "b"], "counts": {"x": 1}, "big": str(2**70)}


def test_a_main_that_returns_nothing_has_a_null_result(run_ts: Run) -> None:
    job = run_ts("export function main() {\n  console.log('side effect only');\n}\n")
    assert (job.status, job.result) == (JobStatus.SUCCESS, None)


def test_a_timer_left_running_does_not_keep_the_job_alive(run_ts: Run) -> None:
    job = run_ts(
        "export function main() {\n  setInterval(() => {}, 1000);\n  return 'done';\n}\n", timeout_s=20
    )
    assert (job.status, job.result) == (JobStatus.SUCCESS, "done")
    assert job.duration_ms < 10_000


def test_a_script_past_its_time_limit_is_stopped(run_ts: Run) -> None:
    source = (
        "export async function main() {\n"
        "  console.log('start');\n"
        "  await new Promise((resolve) => setTimeout(resolve, 30_000));\n"
        "}\n"
    )
    job = run_ts(source, timeout_s=2)
    assert job.status == JobStatus.TIMEOUT, (job.error, job_logs(job=job))
    assert "start" in job_logs(job=job)


def test_a_script_that_allocates_without_end_is_stopped_by_the_heap_limit(run_ts: Run) -> None:
    source = (
        "export function main() {\n"
        "  const keep: number[][] = [];\n"
        "  for (;;) keep.push(new Array(1_000_000).fill(1.5));\n"
        "}\n"
    )
    job = run_ts(source, timeout_s=60)
    assert job.status == JobStatus.FAILURE
    # Whichever fence comes first: V8's heap limit (it aborts, "Reached heap limit" in the
    # log) or the job's memory cgroup (killed: "memory limit exceeded").
    if job.error["name"] == "MemoryLimitExceeded":
        assert job.error["message"].startswith("memory limit exceeded")
    else:
        assert "Reached heap limit" in job_logs(job=job)


def test_an_npm_import_is_fetched_once_and_reused_by_the_next_job(run_ts: Run) -> None:
    job = run_ts(NPM_SCRIPT, {"values": ["12", "x", "3.5"]})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result == [True, False, True]
    (cache,) = [d for d in deno_cache_dirs() if "npm:is-number@7.0.0" in (d / MARKER).read_text()]
    marker = (cache / MARKER).stat()

    again = run_ts(NPM_SCRIPT, {"values": ["1"]})
    assert again.status == JobStatus.SUCCESS and again.result == [True]
    assert job_logs(job=again) == "checking 1 values\n"  # no "[kiln] fetching ..." this time
    assert (cache / MARKER).stat().st_mtime_ns == marker.st_mtime_ns
    assert (cache / MARKER).stat().st_ino == marker.st_ino


def test_an_npm_package_that_does_not_exist_fails_the_job_before_it_runs(run_ts: Run) -> None:
    before = deno_cache_dirs()
    source = (
        'import isNumber from "npm:is-number@7.0.0";\n'
        'import nope from "npm:kiln-no-such-package-4f9e2a@1.0.0";\n'
        "export function main() { console.log('never'); return 1; }\n"
    )
    job = run_ts(source)
    assert job.status == JobStatus.FAILURE
    assert job.error["name"] == "DependencyError"
    assert job.error["message"].startswith("npm:kiln-no-such-package-4f9e2a@1.0.0 could not be resolved: ")
    assert "never" not in job_logs(job=job)
    assert deno_cache_dirs() == before  # no half-fetched folder is left to be reused


def test_a_job_cannot_read_what_the_worker_can(run_ts: Run) -> None:
    settings_file = settings.BASE_DIR / "platform" / "kiln" / "settings.py"
    secret = settings.DATA_DIR / "secret_key"
    assert settings_file.is_file() and secret.is_file()  # the worker reads them...
    source = (
        "export async function main(paths: string[]) {\n"
        "  const seen: Record<string, string> = {};\n"
        "  for (const p of paths) {\n"
        "    try {\n"
        "      seen[p] = 'READ ' + (await Deno.readTextFile(p)).slice(0, 20);\n"
        "    } catch (e) {\n"
        "      seen[p] = (e as Error).name;\n"
        "    }\n"
        "  }\n"
        "  const env = Object.keys(Deno.env.toObject()).filter((k) => /KEY|URL|SECRET/.test(k));\n"
        "  let net = 'refused';\n"
        "  try {\n"
        "    await fetch('http://127.0.0.1:6379');\n"
        "    net = 'connected';\n"
        "  } catch (e) {\n"
        "    net = (e as Error).name;\n"
        "  }\n"
        "  return { seen, env, net };\n"
        "}\n"
    )
    paths = ["/etc/passwd", str(settings_file), str(secret), "/proc/self/environ", "/job/../etc/shadow"]
    job = run_ts(source, {"paths": paths})
    assert job.status == JobStatus.SUCCESS, job.error
    for path, outcome in job.result["seen"].items():  # ...the job reads none of them
        assert not outcome.startswith("READ"), f"the job could read {path}: {outcome}"
    assert job.result["seen"]["/etc/passwd"] == "NotCapable"  # Deno's permissions refuse first
    assert job.result["env"] == []
    assert job.result["net"] != "connected"


def test_a_job_can_write_only_its_own_directory_and_tmp(run_ts: Run) -> None:
    source = (
        "export async function main(paths: string[]) {\n"
        "  const out: Record<string, string> = {};\n"
        "  for (const p of paths) {\n"
        "    try {\n"
        "      await Deno.writeTextFile(p, 'x');\n"
        "      out[p] = 'written';\n"
        "    } catch (e) {\n"
        "      out[p] = (e as Error).name;\n"
        "    }\n"
        "  }\n"
        "  return out;\n"
        "}\n"
    )
    wrappers = str(settings.BASE_DIR / "scripts_runtime" / "wrappers" / "evil.ts")
    job = run_ts(source, {"paths": ["/job/scratch.txt", "/tmp/scratch.txt", "/usr/evil.txt", wrappers]})
    assert job.status == JobStatus.SUCCESS, job.error
    assert job.result["/job/scratch.txt"] == "written" and job.result["/tmp/scratch.txt"] == "written"
    assert job.result["/usr/evil.txt"] != "written" and job.result[wrappers] != "written"


def test_a_typescript_job_runs_unsandboxed_only_when_the_operator_says_so(run_ts: Run, settings: Any) -> None:
    settings.KILN_SANDBOX = "none"
    settings.KILN_ALLOW_UNSANDBOXED = True
    job = run_ts(example("sum_numbers.ts"), {"values": [2, 2], "label": "sum"})
    assert (job.status, job.result, job.sandboxed) == (JobStatus.SUCCESS, {"sum": 4, "mode": "safe"}, False)
    assert job_logs(job=job).startswith("[kiln] WARNING: this job runs WITHOUT a sandbox")
