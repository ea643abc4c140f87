"""Where the frames went: Bridgekeeper's own counters and the kernel's, around a run that lost frames.

Before each run of a Bridgekeeper candidate the harness reads `bridgekeeper status --json` and the
drop counters of the four veth ends; after a run that lost frames it reads them again (before the
candidate stops) and accounts for the loss, frames travelling gen0 -> pA -> Bridgekeeper -> pB -> sink0:

    gen0 tx_dropped + pA rx_dropped     the generator's veth could not hand the frame to pA
    a.ring_drops                        the kernel found pA's RX ring full (PACKET_STATISTICS tp_drops)
    a.rx_frames - b.tx_frames           read from pA's ring but not sent out of pB (broken down into
                                        rule drops, truncated, TX ring full, send errors, link down...)
    pB tx_dropped + sink0 rx_dropped    sent by Bridgekeeper, dropped by the veth on the way to sink0

Whatever of offered - delivered these do not add up to is "unexplained" and flagged. Bridgekeeper
publishes ring drops once a second, so an after-reading that does not yet explain the loss is
repeated for up to STATUS_SETTLE_S. Retries, ethtool -S drop counters and the host's softnet
backlog drops are reported alongside (they overlap the above, so they are not added in).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .proc import run
from .testbed import DEVICES, GEN_DEV, PORT_A, PORT_B, SINK_DEV, Testbed

STATUS_SETTLE_S = 2.5  # ring drops reach `status` within a second of traffic, plus the worker's idle sleep
# Port a is where the benchmark's frames arrive, port b where they leave.
READ_NOT_SENT_PARTS = (("a", "dropped"), ("a", "truncated"), ("b", "tx_ring_full"), ("b", "send_errors"),
                       ("b", "link_down_drops"), ("a", "reflected"), ("b", "delayed"), ("b", "delay_overflow"))
WORKER_FIELDS = (("a", "rx_frames"), ("a", "ring_drops"), ("b", "tx_frames"), ("b", "tx_ring_full"),
                 ("b", "send_errors"), ("b", "retries"))
ETHTOOL_DROP = re.compile(r"drop|err|full", re.IGNORECASE)


@dataclass
class Snapshot:
    """Bridgekeeper's status and the kernel's drop counters at one moment."""

    status: Optional[dict]
    devices: dict[str, dict[str, int]]
    ethtool: dict[str, dict[str, int]]
    softnet_dropped: int


def softnet_dropped() -> int:
    """Frames the host dropped because a CPU's input backlog was full (all CPUs, /proc/net/softnet_stat)."""
    try:
        lines = Path("/proc/net/softnet_stat").read_text().split("\n")
    except OSError:
        return 0
    return sum(int(line.split()[1], 16) for line in lines if line.strip())


def ethtool_drops(ns: str, dev: str) -> dict[str, int]:
    """`ethtool -S` counters of `dev` whose names speak of drops, errors or full queues (empty if none)."""
    out = run(["ethtool", "-S", dev], ns=ns, check=False, timeout=10).stdout
    found = {}
    for line in out.splitlines():
        name, sep, value = line.strip().partition(":")
        if sep and ETHTOOL_DROP.search(name) and value.strip().isdigit():
            found[name.strip()] = int(value)
    return found


def _port(status: Optional[dict], side: str) -> dict[str, int]:
    for port in (status or {}).get("ports", []):
        if port.get("name") == side:
            return port.get("counters", {})
    return {}


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {key: value - before.get(key, 0) for key, value in after.items()}


class Accountant:
    """Reads and explains one Bridgekeeper candidate's counters on one testbed."""

    def __init__(self, status_reader, testbed: Testbed) -> None:
        self.status_reader = status_reader  # () -> Optional[dict]: `bridgekeeper status --json`
        self.testbed = testbed

    def snapshot(self) -> Snapshot:
        """Everything the accounting needs, read now."""
        return Snapshot(self.status_reader(), self.testbed.device_stats(),
                        {dev: ethtool_drops(ns, dev) for ns, dev in DEVICES}, softnet_dropped())

    def explain(self, before: Snapshot, offered: int, delivered: int, slack: int) -> dict:
        """The accounting for a run that lost frames; waits for Bridgekeeper's once-a-second ring drops."""
        deadline = time.monotonic() + STATUS_SETTLE_S
        while True:
            after = self.snapshot()
            report = account(before, after, offered, delivered)
            if abs(report["unexplained"]) <= slack or report["status_missing"] or time.monotonic() >= deadline:
                report["explained_ok"] = abs(report["unexplained"]) <= slack and not report["status_missing"]
                return report
            time.sleep(0.5)


def account(before: Snapshot, after: Snapshot, offered: int, delivered: int) -> dict:
    """Offered - delivered split over the counters that saw the frames go (deltas between the snapshots)."""
    a = _delta(_port(after.status, "a"), _port(before.status, "a"))
    b = _delta(_port(after.status, "b"), _port(before.status, "b"))
    dev = {name: _delta(after.devices.get(name, {}), before.devices.get(name, {})) for name in after.devices}
    read_not_sent = a.get("rx_frames", 0) - b.get("tx_frames", 0)
    parts = {f"{side}.{name}": (a if side == "a" else b).get(name, 0) for side, name in READ_NOT_SENT_PARTS}
    veth = {
        f"{GEN_DEV}.tx_dropped": dev.get(GEN_DEV, {}).get("tx_dropped", 0),
        f"{PORT_A}.rx_dropped": dev.get(PORT_A, {}).get("rx_dropped", 0),
        f"{PORT_B}.tx_dropped": dev.get(PORT_B, {}).get("tx_dropped", 0),
        f"{SINK_DEV}.rx_dropped": dev.get(SINK_DEV, {}).get("rx_dropped", 0),
    }
    ring_drops = a.get("ring_drops", 0)
    lost = offered - delivered
    explained = ring_drops + read_not_sent + sum(veth.values())
    ethtool = {}
    for name, counters in after.ethtool.items():
        changed = _delta(counters, before.ethtool.get(name, {}))
        ethtool.update({f"{name}.{key}": value for key, value in changed.items() if value})
    return {
        "offered": offered,
        "delivered": delivered,
        "lost": lost,
        "ring_drops": ring_drops,
        "read_not_sent": read_not_sent,
        "read_not_sent_parts": {key: value for key, value in parts.items() if value},
        "tx_ring_full": b.get("tx_ring_full", 0),
        "send_errors": b.get("send_errors", 0),
        "retries": b.get("retries", 0),
        "veth_drops": {key: value for key, value in veth.items() if value},
        "veth_errors": {f"{name}.{key}": value for name, fields in dev.items() for key, value in fields.items()
                        if value and not key.endswith("dropped")},
        "ethtool": ethtool,
        "softnet_dropped": after.softnet_dropped - before.softnet_dropped,
        "per_worker": _per_worker(before.status, after.status),
        "explained": explained,
        "unexplained": lost - explained,
        "status_missing": before.status is None or after.status is None,
    }


def _per_worker(before: Optional[dict], after: Optional[dict]) -> list[dict]:
    old = {worker.get("worker"): worker.get("ports", []) for worker in (before or {}).get("perWorker", [])}
    out = []
    for worker in (after or {}).get("perWorker", []):
        ports, previous = worker.get("ports", []), old.get(worker.get("worker"), [])
        if len(ports) < 2:
            continue
        entry: dict = {"worker": worker.get("worker")}
        for side, name in WORKER_FIELDS:
            index = 0 if side == "a" else 1
            was = previous[index].get(name, 0) if len(previous) > index else 0
            entry[f"{side}.{name}"] = ports[index].get(name, 0) - was
        out.append(entry)
    return out


def summary_line(report: dict) -> str:
    """One line: offered/delivered next to where the lost frames went, flagged when they do not add up."""
    parts = [f"ring drops {report['ring_drops']}", f"read not sent {report['read_not_sent']}"]
    parts += [f"{key} {value}" for key, value in report["read_not_sent_parts"].items()]
    parts.append(f"retries {report['retries']}")
    parts += [f"{key} {value}" for key, value in report["veth_drops"].items()]
    parts += [f"{key} {value}" for key, value in report["ethtool"].items()]
    if report["softnet_dropped"]:
        parts.append(f"softnet backlog drops {report['softnet_dropped']}")
    if len(report["per_worker"]) > 1:
        for worker in report["per_worker"]:
            parts.append(f"worker {worker['worker']}: ring drops {worker['a.ring_drops']}, "
                         f"read {worker['a.rx_frames']} sent {worker['b.tx_frames']}")
    if report["status_missing"]:
        verdict = "UNEXPLAINED: status --json did not answer"
    elif report.get("explained_ok"):
        verdict = "all accounted for"
    else:
        verdict = f"UNEXPLAINED {report['unexplained']:+d}"
    return (f"offered {report['offered']}, delivered {report['delivered']}, lost {report['lost']} = "
            + ", ".join(parts) + f" [{verdict}]")


RUN_TITLES = (("bb64", "64B bridge-bound full rate"), ("gb64", "64B generator-bound full rate"),
              ("bb1518", "1518B bridge-bound full rate"), ("reload", "reload probe"),
              ("full", "64B generator-bound full rate"), ("overload", "64B generator-bound at 1.2x"))


def _lossy_runs(record: dict) -> tuple[list[tuple[str, dict]], list[dict]]:
    """(title, accounting) of the record's fixed runs that lost frames, and its search trials' accountings."""
    runs = [(title, record[key]["accounting"]) for key, title in RUN_TITLES
            if isinstance(record.get(key), dict) and record[key].get("accounting")]
    trials = [trial["accounting"] for trial in record.get("zero_loss", {}).get("trials", []) if trial.get("accounting")]
    return runs, trials


def render_section(candidates: dict[str, dict], sizing: dict[str, dict]) -> list[str]:
    """The report's "where the frames went" lines: every lossy full-rate, overload and reload run of a
    Bridgekeeper candidate, and per candidate and round a count of the lossy search trials."""
    lines = []
    for phase, entries in (("", candidates), ("sizing ", sizing or {})):
        for name, entry in entries.items():
            if not entry.get("is_bridgekeeper"):
                continue
            for record in entry.get("rounds", []):
                runs, trials = _lossy_runs(record)
                prefix = f"  {name} {phase}round {record['round']}"
                lines += [f"{prefix} {title}: {summary_line(report)}" for title, report in runs]
                if trials:
                    odd = [report for report in trials if not report.get("explained_ok")]
                    lines.append(f"{prefix} zero-loss search: {len(trials)} lossy trial(s), "
                                 + (f"{len(odd)} UNEXPLAINED (see the JSON)" if odd else "all accounted for"))
    if not lines:
        return []
    return ["Where the frames went (Bridgekeeper runs that lost frames: its counters from `status --json`, "
            "then the veth's; read before it stopped)", *lines, ""]
