"""CPU time spent moving frames, on a shared machine.

This kernel has no CONFIG_IRQ_TIME_ACCOUNTING: softirq work (the kernel bridge's forwarding, the
AF_PACKET copy into a bridge's RX ring, the far host's receive path) is charged to whichever task
was running when it ran, usually the sender (trafgen or the userspace bridge), or to no task at all
when a timer's softirq runs on an idle CPU. So "total CPU minus the generator process's CPU" would
subtract most of the kernel bridge's cost, and "sum of our processes" would miss softirq run from
idle. Instead:

    busy    = wall time x CPUs - idle - iowait - steal, from /proc/stat (idle and iowait are exact
              on this NO_HZ kernel, not tick samples)
    foreign = CPU of every process that is not the benchmark's (other helpers' compilers, this
              harness itself, kernel threads other than ksoftirqd), from /proc/PID/stat
              utime+stime+cutime+cstime, which sum to the exact runtime (children that exit during
              the window are caught through their parent's cutime/cstime)
    ours    = busy - foreign        (generator + candidate + the kernel work they cause)
    cost    = ours(candidate run) - ours(generator alone, per offered frame) x offered

The calibration run sends the same frames at the same pace into an unbridged pA, so it removes
trafgen's own cost (and pA's bare receive); it is taken right before each candidate starts, since
the paced generator's cost (~12 us/frame, several times a bridge's) moves with the load.
Residual error: softirq that happens to interrupt a foreign process is subtracted with it; each
active foreign process adds up to one clock tick (10 ms) of rounding.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PF_KTHREAD = 0x00200000
USER, SOFTIRQ_THREAD, KERNEL_THREAD = "user", "ksoftirqd", "kthread"
_HZ = os.sysconf("SC_CLK_TCK")
METHOD = (
    "CPU: s per million delivered frames at a fixed paced rate of generator-bound frames = busy time of all "
    "CPUs (wall x CPUs - idle - iowait - steal, /proc/stat) minus the CPU of processes that are not the "
    "benchmark's (/proc/PID/stat incl. reaped children; kernel threads except ksoftirqd count as foreign), "
    "minus the generator-alone cost measured the same way into an unbridged pA."
)


@dataclass
class CpuSnapshot:
    """Not-busy ticks of the machine and per-process ticks at one instant."""

    at: float
    cpus: int
    unavailable: int  # idle + iowait + steal, all CPUs, clock ticks
    processes: dict[int, tuple[int, int, str]]  # pid -> (process group, ticks incl. children, kind)


def _unavailable_ticks() -> tuple[float, int, int]:
    lines = Path("/proc/stat").read_text().splitlines()
    at = time.monotonic()
    fields = [int(value) for value in lines[0].split()[1:]]
    cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    # user nice system idle iowait irq softirq steal ...
    return at, cpus, fields[3] + fields[4] + fields[7]


def snapshot() -> CpuSnapshot:
    """Reads /proc/stat and every /proc/PID/stat."""
    processes: dict[int, tuple[int, int, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = raw[raw.find("(") + 1 : raw.rfind(")")]
        rest = raw[raw.rfind(")") + 2 :].split()
        # rest[0] state, [2] pgrp, [6] flags, [11] utime, [12] stime, [13] cutime, [14] cstime
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
        if not int(rest[6]) & PF_KTHREAD:
            kind = USER
        else:
            kind = SOFTIRQ_THREAD if name.startswith("ksoftirqd/") else KERNEL_THREAD
        processes[int(entry.name)] = (int(rest[2]), ticks, kind)
    at, cpus, unavailable = _unavailable_ticks()
    return CpuSnapshot(at, cpus, unavailable, processes)


def split_seconds(before: CpuSnapshot, after: CpuSnapshot, our_groups: set[int]) -> tuple[float, float]:
    """(ours, foreign) CPU seconds between the snapshots."""
    busy = (after.at - before.at) * _HZ * after.cpus - (after.unavailable - before.unavailable)
    foreign = 0
    for pid in before.processes.keys() | after.processes.keys():
        group, ticks_after, kind = after.processes.get(pid) or before.processes[pid]
        ticks_before = before.processes[pid][1] if pid in before.processes else 0
        if pid not in after.processes:
            ticks_after = 0  # exited: its time since `before` reappears in its parent's cutime/cstime
        if kind == SOFTIRQ_THREAD or (kind == USER and group in our_groups):
            continue
        foreign += ticks_after - ticks_before
    return (busy - foreign) / _HZ, foreign / _HZ


def idle_cpu(groups: set[int], seconds: float) -> dict:
    """CPU the processes in `groups` use over `seconds` of no traffic, as % of one CPU.

    A process that exits within the window takes its ticks with it (unless its parent in the group
    reaps it), so the figure is a lower bound only if something in the group exits; `processes`
    says how many were seen at each end.
    """
    before = snapshot()
    time.sleep(seconds)
    after = snapshot()

    def mine(shot: CpuSnapshot) -> dict[int, int]:
        return {pid: ticks for pid, (group, ticks, kind) in shot.processes.items() if kind == USER and group in groups}

    start, end = mine(before), mine(after)
    used = sum(ticks - start.get(pid, 0) for pid, ticks in end.items()) / _HZ
    window = after.at - before.at
    return {
        "window_s": round(window, 3),
        "cpu_s": round(used, 3),
        "pct_of_cpu": round(100.0 * used / window, 3) if window > 0 else None,
        "processes": [len(start), len(end)],
        "resolution_pct": round(100.0 / _HZ / window, 3) if window > 0 else None,
    }
