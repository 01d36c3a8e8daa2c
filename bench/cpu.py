"""Where the CPU of a benchmark window went, by process role, from /proc (Linux).

The machine's busy time comes from /proc/stat. Each live process's own time (utime + stime)
comes from /proc/<pid>/stat and is put in a role by its command line: the backlog worker's
Celery main process, its pool processes (Kiln's Python: claim, finish, publish, and the
threads that start and close sandboxes), the other Kiln processes, Redis/Valkey. What no live
process accounts for is the short-lived processes born and reaped in the window: the jobs'
sandboxes (nsjail, pasta, the interpreters, a warm runner's forked job processes).

    before = cpu.snapshot(); ...; after = cpu.snapshot()
    for role, seconds in cpu.by_role(before, after, worker_pid=...).items(): ...
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    pid: int
    ppid: int
    comm: str
    cmdline: str
    seconds: float  # its own CPU (user + system), not its reaped children's
    started: int = 0  # when it started, in clock ticks since boot: a pid reused is another process


@dataclass
class Snapshot:
    busy_s: float  # the whole machine: every CPU's time not idle nor waiting on I/O
    procs: dict[int, Proc]


def busy_seconds() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICK  # user nice system idle iowait irq softirq steal


def own_seconds(after_comm: list[str]) -> float:
    """A process's own CPU (user + system, not its reaped children's) from the fields of its
    /proc stat after the command: utime is the 12th, stime the 13th."""
    return (int(after_comm[11]) + int(after_comm[12])) / TICK


def stat_after_comm(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command (which may hold spaces and ")")."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_seconds(pid: int) -> float:
    """One process's own CPU so far, in seconds."""
    return own_seconds(stat_after_comm(pid))


def snapshot() -> Snapshot:
    procs: dict[int, Proc] = {}
    busy = busy_seconds()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        rest = stat.rsplit(")", 1)[1].split()
        # fields after the command: state ppid ... utime(12) stime(13) ... starttime(20)
        procs[int(entry.name)] = Proc(
            int(entry.name),
            int(rest[1]),
            comm,
            cmdline,
            own_seconds(rest),
            int(rest[19]),
        )
    return Snapshot(busy, procs)


def role(proc: Proc, procs: dict[int, Proc], worker_pid: int | None) -> str:
    if proc.pid == worker_pid:
        return "worker: Celery main process"
    if worker_pid is not None and proc.ppid == worker_pid and "python" in proc.comm.lower() + proc.cmdline:
        return "worker: pool processes (Kiln's Python)"
    if proc.comm.startswith(("valkey", "redis")):
        return "Redis/Valkey"
    if proc.pid == os.getpid():
        return "the benchmark client"
    if "kiln" in proc.cmdline and " web" in proc.cmdline:
        return "web process"
    if "kiln" in proc.cmdline and (
        " worker" in proc.cmdline or " up" in proc.cmdline or "scheduler" in proc.cmdline
    ):
        return "other Kiln processes (idle worker, scheduler, supervisor)"
    # A runner whose nsjail is gone meanwhile (recycled) is a child of init: known by its wrapper.
    if (
        proc.comm in ("nsjail", "pasta", "passt")
        or proc.comm.startswith("passt")
        or "python_warm.py" in proc.cmdline
        or (worker_pid is not None and _descends(proc, procs, worker_pid))
    ):
        return "sandboxes alive at the end (nsjail, pasta, runners)"
    return "the rest of the machine"


def _descends(proc: Proc, procs: dict[int, Proc], ancestor: int) -> bool:
    seen = 0
    while proc.ppid and seen < 64:
        if proc.ppid == ancestor:
            return True
        parent = procs.get(proc.ppid)
        if parent is None:
            return False
        proc, seen = parent, seen + 1
    return False


def by_role(before: Snapshot, after: Snapshot, *, worker_pid: int | None = None) -> dict[str, float]:
    """CPU seconds per role between two snapshots; what live processes do not account for is
    the jobs' short-lived processes."""
    out: dict[str, float] = {}
    accounted = 0.0
    for pid, proc in after.procs.items():
        old = before.procs.get(pid)
        # The same process only if it started at the same time: a kernel worker renames itself
        # after its work queue, and a pid can be reused.
        used = proc.seconds - (old.seconds if old is not None and old.started == proc.started else 0.0)
        if used <= 0:
            continue
        name = role(proc, after.procs, worker_pid)
        out[name] = out.get(name, 0.0) + used
        accounted += used
    out["processes born and gone in the window (the jobs' sandboxes)"] = max(
        0.0, after.busy_s - before.busy_s - accounted
    )
    return dict(sorted(out.items(), key=lambda item: -item[1]))


def report(roles: dict[str, float], *, per: int, unit: str = "job") -> list[str]:
    total = sum(roles.values())
    lines = [f"CPU per {unit}, by role (both cores; {total / max(per, 1) * 1000:.1f} ms in all):"]
    for name, seconds in roles.items():
        lines.append(f"  {seconds / max(per, 1) * 1000:6.2f} ms  {name}")
    return lines
