"""The veth testbed: three namespaces, two veth pairs, offloads off, counters, generator pacing.

    bkb-gen [gen0] <-veth-> [pA] bkb-br [pB] <-veth-> [sink0] bkb-sink

pA/pB carry no address and have IPv6 off; gen0/sink0 have 198.18.0.1/.2 and static neighbour
entries (no ARP), IPv6 off everywhere, so the only frames on the counters are the benchmark's.

Counters are read from /proc/<pid>/net/dev of a `sleep` anchored in each namespace: no process
is spawned per reading, so readings are cheap and close in time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .proc import Background, BenchError, run

NS_GEN, NS_BR, NS_SINK = "bkb-gen", "bkb-br", "bkb-sink"
NAMESPACES = (NS_GEN, NS_BR, NS_SINK)
GEN_DEV, SINK_DEV, PORT_A, PORT_B = "gen0", "sink0", "pA", "pB"
GEN_MAC, SINK_MAC = "02:b0:00:00:00:01", "02:b0:00:00:00:02"
UNOWNED_MAC = "02:b0:00:00:00:99"  # nobody owns it: sink0 counts such frames, then drops them at once
GEN_IP, SINK_IP, PREFIX_LEN = "198.18.0.1", "198.18.0.2", 24
OFFLOADS = ("gro", "gso", "tso", "lro", "tx", "rx")
DEVICES = ((NS_GEN, GEN_DEV), (NS_BR, PORT_A), (NS_BR, PORT_B), (NS_SINK, SINK_DEV))
# /proc/net/dev columns (rx: bytes packets errs drop fifo frame compressed multicast, then tx: bytes
# packets errs drop fifo colls carrier compressed); "drop" is rx_dropped + rx_missed_errors.
NET_DEV_DROP_FIELDS = {"rx_errors": 2, "rx_dropped": 3, "rx_fifo": 4, "tx_errors": 10, "tx_dropped": 11, "tx_fifo": 12}
PING_TOS = "0x10"  # the latency pings carry this TOS; a u32 filter puts them in their own, unpaced class
PACE_BURST_S = 0.001  # the token bucket lets through at most ~1 ms worth of frames back to back


@dataclass(frozen=True)
class Counters:
    """One reading of the two counting ends."""

    at: float
    gen_tx_packets: int
    gen_tx_dropped: int
    sink_rx_packets: int
    sink_rx_bytes: int

    @property
    def offered(self) -> int:
        """Frames the generator handed to gen0: sent plus dropped at gen0 (a full peer backlog)."""
        return self.gen_tx_packets + self.gen_tx_dropped


def existing_namespaces() -> list[str]:
    """The benchmark's namespaces that exist right now."""
    return [ns for ns in NAMESPACES if Path("/run/netns", ns).exists()]


def _net_dev_stats(pid: int, dev: str) -> list[int]:
    for line in Path(f"/proc/{pid}/net/dev").read_text().splitlines():
        name, sep, rest = line.partition(":")
        if sep and name.strip() == dev:
            return [int(field) for field in rest.split()]
    raise BenchError(f"interface {dev} vanished from its namespace")


class Testbed:
    """Creates, reads and removes the namespaces and links."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._anchors: dict[str, Background] = {}
        self.created = False
        self.offload_notes: list[str] = []

    def create(self) -> None:
        """Builds the testbed; raises BenchError if a step fails (call destroy() in any case)."""
        leftovers = existing_namespaces()
        if leftovers:
            raise BenchError(
                f"namespaces {', '.join(leftovers)} exist: another bench is running, or a previous one "
                "crashed (remove them with `deploy/bench/bench.py --cleanup`)"
            )
        self.created = True
        for ns in NAMESPACES:
            run(["ip", "netns", "add", ns])
            # New devices (br0, a bridge's host port) start without IPv6: no MLD/RS/DAD on the counters.
            run(["sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1"], ns=ns)
        run(["ip", "link", "add", GEN_DEV, "netns", NS_GEN, "type", "veth", "peer", "name", PORT_A, "netns", NS_BR])
        run(["ip", "link", "add", PORT_B, "netns", NS_BR, "type", "veth", "peer", "name", SINK_DEV, "netns", NS_SINK])
        run(["ip", "-n", NS_GEN, "link", "set", GEN_DEV, "address", GEN_MAC])
        run(["ip", "-n", NS_SINK, "link", "set", SINK_DEV, "address", SINK_MAC])
        for ns, dev in DEVICES:
            run(["sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1"], ns=ns)
            self._offloads_off(ns, dev)
            run(["ip", "-n", ns, "link", "set", dev, "up"])
        run(["ip", "-n", NS_GEN, "addr", "add", f"{GEN_IP}/{PREFIX_LEN}", "dev", GEN_DEV])
        run(["ip", "-n", NS_SINK, "addr", "add", f"{SINK_IP}/{PREFIX_LEN}", "dev", SINK_DEV])
        run(["ip", "-n", NS_GEN, "neigh", "replace", SINK_IP, "lladdr", SINK_MAC, "dev", GEN_DEV, "nud", "permanent"])
        run(["ip", "-n", NS_SINK, "neigh", "replace", GEN_IP, "lladdr", GEN_MAC, "dev", SINK_DEV, "nud", "permanent"])
        self._pacing_qdisc()
        for ns in NAMESPACES:
            self._anchors[ns] = self._anchor(ns)

    def _offloads_off(self, ns: str, dev: str) -> None:
        """All offloads off at once; where that fails, one by one, noting what could not be changed."""
        settings = [word for feature in OFFLOADS for word in (feature, "off")]
        if run(["ethtool", "-K", dev, *settings], ns=ns, check=False).returncode == 0:
            return
        for feature in OFFLOADS:
            if run(["ethtool", "-K", dev, feature, "off"], ns=ns, check=False).returncode != 0:
                self.offload_notes.append(f"{dev}: cannot turn {feature} off")

    def _pacing_qdisc(self) -> None:
        """gen0: HTB with an open class 1:1 for the latency pings and a paced class 1:2 for trafgen.

        Unpaced trafgen bypasses the qdisc (PACKET_QDISC_BYPASS, trafgen's default), so this only
        shapes runs started with `-q` (see trafgen.py). (This kernel has HTB and TBF, no prio.)
        """
        tc = ["tc"]
        run([*tc, "qdisc", "add", "dev", GEN_DEV, "root", "handle", "1:", "htb", "default", "2"], ns=NS_GEN)
        run([*tc, "class", "add", "dev", GEN_DEV, "parent", "1:", "classid", "1:1", "htb",
             "rate", "10gbit", "prio", "0", "quantum", "1514"], ns=NS_GEN)
        run([*tc, "class", "add", "dev", GEN_DEV, "parent", "1:", "classid", "1:2", "htb",
             "rate", "10gbit", "prio", "1", "quantum", "1514"], ns=NS_GEN)
        run([*tc, "filter", "add", "dev", GEN_DEV, "parent", "1:", "protocol", "ip", "prio", "1", "u32",
             "match", "ip", "tos", PING_TOS, "0xff", "flowid", "1:1"], ns=NS_GEN)
        self.set_pace(None, 60)

    def set_pace(self, pps: Optional[float], frame_len: int) -> None:
        """Paces class 1:2 to `pps` frames/s of `frame_len` bytes (None: 10 Gbit/s, i.e. open)."""
        if pps is None:
            rate_bits, burst_frames = 10_000_000_000, 512
        else:
            rate_bits = max(8, int(pps * frame_len * 8))
            burst_frames = min(512, max(4, int(pps * PACE_BURST_S)))
        burst = str(max(burst_frames * frame_len, 2 * frame_len))
        run(
            ["tc", "class", "change", "dev", GEN_DEV, "parent", "1:", "classid", "1:2", "htb",
             "rate", f"{rate_bits}bit", "ceil", f"{rate_bits}bit", "burst", burst, "cburst", burst,
             "prio", "1", "quantum", "1514"],
            ns=NS_GEN,
        )

    def _anchor(self, ns: str) -> Background:
        proc = Background(["sleep", "infinity"], self.workdir / f"anchor-{ns}.log", ns=ns)
        target = os.stat(f"/run/netns/{ns}").st_ino
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                if os.stat(f"/proc/{proc.pid}/ns/net").st_ino == target:
                    return proc
            except FileNotFoundError:
                pass
            time.sleep(0.01)
        raise BenchError(f"could not enter namespace {ns}")

    def counters(self) -> Counters:
        """Reads gen0's transmit and sink0's receive counters."""
        gen = _net_dev_stats(self._anchors[NS_GEN].pid, GEN_DEV)
        sink = _net_dev_stats(self._anchors[NS_SINK].pid, SINK_DEV)
        # /proc/net/dev: rx bytes packets errs drop fifo frame compressed multicast, then tx bytes packets errs drop ...
        return Counters(time.monotonic(), gen[9], gen[11], sink[1], sink[0])

    def device_stats(self) -> dict[str, dict[str, int]]:
        """Drop and error counters of all four veth ends, from /proc/<anchor>/net/dev (no process spawned)."""
        out = {}
        for ns, dev in DEVICES:
            fields = _net_dev_stats(self._anchors[ns].pid, dev)
            out[dev] = {name: fields[index] for name, index in NET_DEV_DROP_FIELDS.items()}
        return out

    def anchor_pids(self) -> set[int]:
        """Process groups of the namespace anchors (they count as the benchmark's own processes)."""
        return {proc.pid for proc in self._anchors.values()}

    def destroy(self) -> None:
        """Removes everything create() made (links go with their namespaces)."""
        for proc in self._anchors.values():
            proc.stop()
        self._anchors.clear()
        if not self.created:
            return
        for ns in NAMESPACES:
            if Path("/run/netns", ns).exists():
                run(["ip", "netns", "del", ns], check=False)
        self.created = False


def cleanup_leftovers() -> list[str]:
    """Removes the benchmark's namespaces left by a crashed run; returns the ones removed."""
    removed = []
    for ns in existing_namespaces():
        run(["ip", "netns", "del", ns], check=False)
        removed.append(ns)
    return removed
