"""The stateful benchmark's measurements: established flows, the meter, a rejected-SYN flood, flow
churn beside a long-lived flow, and the flow table's memory per flow.

Counting is the testbed's (see measure.py): offered = gen0 tx_packets + tx_dropped, delivered =
sink0 rx_packets, exact because nothing else crosses those counters. The flood adds gen0's
rx_packets: with generator-bound UDP the sink sends nothing back, so every frame gen0 receives
is an answer of the bridge's. The flow table's figures come from `bridgekeeper status --json`
and `bridgekeeper flows --json`.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from . import statefulgen
from .candidates import Bridgekeeper
from .frames import UDP_SPORT_BASE, FlowSpec, write_trafgen_config
from .measure import Meter, run_dict
from .proc import Background, BenchError, run
from .testbed import GEN_DEV, GEN_IP, GEN_MAC, NS_BR, NS_GEN, NS_SINK, SINK_DEV, SINK_IP, SINK_MAC, UNOWNED_MAC
from .trafgen import GEN_CPU

PROBE_PORT, PROBE_SPORT = 7000, 7001
PROBE_TOS = "0x10"  # the latency class on gen0: never paced, never queued behind trafgen
CHURN_SOURCES = "198.18.0.16-198.18.0.254"  # nobody's addresses; with 64,512 source ports: ~15 M tuples
CHURN_SPORTS = "1024-65535"
UDPPROBE = Path(__file__).resolve().parent / "udpprobe.py"


@dataclass
class StatefulSettings:
    """Durations, rates and sizes; `--quick` and the command-line flags fill this in."""

    rounds: int = 5
    warmup: float = 1.0
    duration: float = 3.0
    flows: int = 16
    syns_per_udp: int = 7
    churn: float = 30.0
    churn_rate: Optional[float] = None
    churn_table: int = 65_536
    probe_rate: float = 1000.0
    udp_timeout: float = 30.0
    expiry_grace: float = 20.0
    memory_flows: int = 1_000_000
    memory_baseline_flows: int = 1024


def bk_json(candidate: Bridgekeeper, request: str) -> dict:
    """`bridgekeeper status|flows --json` of a running candidate, decoded; BenchError if it fails."""
    cmd = [str(candidate.binary), request, "--json", "--control", str(candidate.control)]
    result = run(cmd, ns=NS_BR, check=False, timeout=30)
    try:
        return json.loads(result.stdout)
    except ValueError as exc:
        raise BenchError(f"{candidate.name}: `{request} --json` gave no JSON: {result.stderr.strip()[:200]}") from exc


def rule_counters(status: dict) -> dict[str, dict]:
    """Per-rule counters from a status reply, by rule name."""
    return {rule["name"]: rule for rule in status.get("rules", [])}


def rule_delta(before: dict, after: dict, rule: str, key: str = "packets") -> int:
    """How much one rule's counter grew between two status replies."""
    return int(rule_counters(after).get(rule, {}).get(key, 0)) - int(rule_counters(before).get(rule, {}).get(key, 0))


def ring_drops(status: dict) -> int:
    """Frames the kernel dropped because a port's RX ring was full, both ports."""
    return sum(int(port.get("counters", {}).get("ring_drops", 0)) for port in status.get("ports", []))


def gen_rx_packets() -> int:
    """gen0's rx_packets (read once per run, so a process per reading is fine)."""
    out = run(["ip", "-j", "-s", "link", "show", "dev", GEN_DEV], ns=NS_GEN, timeout=10).stdout
    return int(json.loads(out)[0]["stats64"]["rx"]["packets"])


def vm_rss_kib(pid: int) -> int:
    """VmRSS of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"process {pid} has no VmRSS")


class StatefulMeter:
    """Runs the stateful measurements on one testbed, through the base Meter's counting."""

    def __init__(self, meter: Meter, settings: StatefulSettings, workdir: Path) -> None:
        self.meter = meter
        self.settings = settings
        self.workdir = workdir
        to_nobody = FlowSpec(UNOWNED_MAC, GEN_MAC, GEN_IP, SINK_IP)
        replies = statefulgen.establishing_replies(FlowSpec(GEN_MAC, SINK_MAC, SINK_IP, GEN_IP), settings.flows)
        self.replies = write_trafgen_config(workdir / "replies.cfg", replies)
        flood = statefulgen.flood_frames(to_nobody, to_nobody, settings.flows, settings.syns_per_udp)
        self.flood_cfg = write_trafgen_config(workdir / "flood.cfg", flood)
        self.last_flood_udp_fps: Optional[float] = None

    # 1. Established flows -------------------------------------------------------------------------

    def establish(self, candidate: Bridgekeeper) -> dict:
        """Makes the benchmark's flows established: the generator has opened them (the smoke run);
        the sink now answers each once from port b. Then checks the flow table says so."""
        argv = ["trafgen", "-i", str(self.replies), "-o", SINK_DEV, "-n", str(self.settings.flows), "-q", "-t", "0",
                "-P1", "-Q", "--no-sock-mem", "-C"]
        run(["taskset", "-c", str(GEN_CPU), *argv], ns=NS_SINK, timeout=30)
        wanted = {UDP_SPORT_BASE + k for k in range(self.settings.flows)}
        deadline = time.monotonic() + 3.0
        while True:
            flows = bk_json(candidate, "flows").get("flows", [])
            ours = [flow for flow in flows if flow.get("proto") == "udp" and flow.get("sourcePort") in wanted
                    and flow.get("destinationPort") == 9]
            replied = [flow for flow in ours if flow.get("framesReply", 0) > 0]
            if len(replied) == len(wanted) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        states = sorted({flow.get("state", "?") for flow in ours})
        if len(replied) < len(wanted):
            raise BenchError(f"only {len(replied)}/{len(wanted)} benchmark flows established (states {states})")
        time.sleep(0.3)  # the generator's ICMP answers to the replies drain before the counters are read
        return {"established": len(replied), "flows": len(wanted), "states": states}

    def forwarding(self, candidate) -> dict:
        """64 B bridge-bound at the generator's full rate; for Bridgekeeper, which rules the frames hit."""
        before = bk_json(candidate, "status") if isinstance(candidate, Bridgekeeper) else None
        result = run_dict(self.meter.fixed_run(self.meter.streams.bridge_bound_64))
        if before is not None:
            after = bk_json(candidate, "status")
            result["rule_packets"] = {name: rule_delta(before, after, name) for name in rule_counters(after)}
            result["default_packets"] = int(after.get("defaultPackets", 0)) - int(before.get("defaultPackets", 0))
            result["ring_drops"] = ring_drops(after) - ring_drops(before)
        return result

    # 3. Rejected-SYN flood ------------------------------------------------------------------------

    def flood(self, candidate: Bridgekeeper) -> dict:
        """The mixed stream at full rate: SYNs to the rejected port plus generator-bound UDP."""
        share = 1 + self.settings.syns_per_udp
        before = bk_json(candidate, "status")
        started = time.monotonic()
        rx_before = gen_rx_packets()
        result = self.meter.fixed_run(self.flood_cfg)
        answers = gen_rx_packets() - rx_before
        interval = time.monotonic() - started
        after = bk_json(candidate, "status")
        udp_offered = result.offered / share
        budget = statefulgen.ANSWER_BURST + statefulgen.ANSWER_RATE * interval
        self.last_flood_udp_fps = result.offered_fps / share
        return {
            "offered_fps": round(result.offered_fps),
            "syn_offered_fps": round(result.offered_fps - result.offered_fps / share),
            "udp_offered_fps": round(result.offered_fps / share),
            "udp_delivered_fps": round(result.delivered_fps),
            "udp_offered": round(udp_offered),
            "udp_delivered": result.delivered,
            # A cycle of the stream is flows x share frames: trafgen may stop anywhere inside one.
            "udp_delivered_fraction": min(1.0, result.delivered / udp_offered) if udp_offered else 0.0,
            "syns_leaked": max(0, result.delivered - round(udp_offered) - self.settings.flows),
            "answers_seen": answers,
            "answer_budget": round(budget, 1),
            "interval_s": round(interval, 2),
            "rejected": rule_delta(before, after, statefulgen.REJECT_RULE),
            "answers_counted": rule_delta(before, after, statefulgen.REJECT_RULE, "answers"),
            "answers_suppressed": rule_delta(before, after, statefulgen.REJECT_RULE, "answersSuppressed"),
            "ring_drops": ring_drops(after) - ring_drops(before),
        }

    def udp_alone(self, forward_all_fps: float) -> dict:
        """The flood's UDP share alone (generator-bound), paced to the rate it had in the flood."""
        pace = self.last_flood_udp_fps or forward_all_fps / (1 + self.settings.syns_per_udp)
        result = self.meter.fixed_run(self.meter.streams.generator_bound_64, pace=pace)
        out = run_dict(result)
        out["pace_fps"] = round(pace)
        out["pace_from"] = "the last flood run" if self.last_flood_udp_fps else "bb64 offered / (1 + syns per UDP frame)"
        out["delivered_fraction"] = result.delivered / result.offered if result.offered else 0.0
        return out

    # 4. Flow churn beside a long-lived flow -------------------------------------------------------

    def _probe(self, mode: str, ns: str, argv: list[str]) -> Background:
        cmd = ["taskset", "-c", str(GEN_CPU), sys.executable, str(UDPPROBE), mode, *argv]
        proc = Background(cmd, self.workdir / f"probe-{mode}.log", ns=ns)
        if not proc.wait_for_output("ready", timeout=10.0):
            proc.stop()
            raise BenchError(f"udpprobe {mode} did not start: {proc.log_tail()}")
        return proc

    @staticmethod
    def _probe_result(proc: Background) -> dict:
        proc.stop(grace=5.0)
        lines = [line for line in proc.log_path.read_text(errors="replace").splitlines() if line.startswith("{")]
        if not lines:
            raise BenchError(f"udpprobe gave no summary: {proc.log_tail()}")
        return json.loads(lines[-1])

    def churn(self, candidate: Bridgekeeper) -> dict:
        """Randomised-port churn at full rate for `churn` s through the stateful policy, a probe flow
        alongside; the flow table before, during and after, and once the churned flows expired."""
        settings = self.settings
        echo = self._probe("echo", NS_SINK, ["--bind", SINK_IP, "--port", str(PROBE_PORT)])
        sender: Optional[Background] = None
        try:
            sender = self._probe("send", NS_GEN, ["--to", SINK_IP, "--port", str(PROBE_PORT), "--sport",
                                                  str(PROBE_SPORT), "--rate", str(settings.probe_rate), "--tos", PROBE_TOS])
            time.sleep(1.5)
            probe_started = time.monotonic()
            record: dict = {"table_before": bk_json(candidate, "status").get("flows")}
            if not self._probe_flow(candidate):
                raise BenchError("the probe flow is not established in the flow table")
            record.update(self._churn_run(candidate))
            record.update(self._expiry(candidate))
            final = bk_json(candidate, "flows")
            probe = self._probe_flow(candidate, final)
            record["probe_flow_age_s"] = probe.get("age") if probe else None
            record["probe_kept"] = bool(probe) and probe.get("age", 0) >= time.monotonic() - probe_started - 2.0
            record["probe_kept_flag"] = int(record["probe_kept"])
            record["flows_left"] = [f"{f.get('proto')} {f.get('source')}:{f.get('sourcePort')} -> "
                                    f"{f.get('destination')}:{f.get('destinationPort')} {f.get('state')}"
                                    for f in final.get("flows", [])][:20]
            sent = self._probe_result(sender)
            sender = None
            time.sleep(0.3)
            seen = self._probe_result(echo)
        finally:
            if sender:
                sender.stop()
            echo.stop()
        record["probe"] = {"rate_fps": settings.probe_rate, **sent, "received": seen["distinct"]}
        record["probe_lost_to_sink"] = sent["sent"] - seen["distinct"]
        record["probe_echoes_lost"] = seen["distinct"] - sent["echoes"]
        return record

    def _probe_flow(self, candidate: Bridgekeeper, flows: Optional[dict] = None) -> Optional[dict]:
        flows = flows or bk_json(candidate, "flows")
        for flow in flows.get("flows", []):
            if flow.get("sourcePort") == PROBE_SPORT and flow.get("destinationPort") == PROBE_PORT:
                return flow if flow.get("framesReply", 0) > 0 else None
        return None

    def _churn_run(self, candidate: Bridgekeeper) -> dict:
        settings = self.settings
        argv = [str(candidate.binary), "pktgen", "--port", GEN_DEV, "--cpu", str(GEN_CPU), "--dst-mac", UNOWNED_MAC,
                "--src", CHURN_SOURCES, "--dst", SINK_IP, "--sport", CHURN_SPORTS, "--dport", "9",
                "--duration", f"{settings.churn:g}", "--json"]
        if settings.churn_rate:
            argv += ["--rate", f"{settings.churn_rate:g}"]
        status_before = bk_json(candidate, "status")
        start = self.meter.testbed.counters()
        gen = Background(["taskset", "-c", str(GEN_CPU), *argv], self.workdir / "pktgen.log", ns=NS_GEN)
        samples: list[dict] = []
        deadline = time.monotonic() + settings.churn + 20.0
        try:
            while gen.alive() and time.monotonic() < deadline:
                time.sleep(1.0)
                table = bk_json(candidate, "status").get("flows") or {}
                samples.append({key: table.get(key) for key in ("inUse", "evicted", "expired", "refusedFull")})
            if gen.alive():
                raise BenchError(f"pktgen did not stop after {settings.churn:g} s")
        finally:
            gen.stop(grace=5.0)
        if gen.returncode() != 0:
            raise BenchError(f"pktgen failed: {gen.log_tail()}")
        time.sleep(0.3)
        end = self.meter.testbed.counters()
        status_after = bk_json(candidate, "status")
        summary = next((json.loads(line) for line in gen.log_path.read_text().splitlines() if line.startswith("{")), {})
        offered = end.offered - start.offered
        delivered = end.sink_rx_packets - start.sink_rx_packets
        return {
            "churn_s": settings.churn,
            "churn_offered_fps": round(offered / settings.churn),
            "churn_delivered_fps": round(delivered / settings.churn),
            "churn_lost": offered - delivered,
            "pktgen": summary,
            "table_during": samples,
            "table_during_max_in_use": max((s["inUse"] or 0 for s in samples), default=None),
            "table_after_churn": status_after.get("flows"),
            "ring_drops": ring_drops(status_after) - ring_drops(status_before),
        }

    def _expiry(self, candidate: Bridgekeeper) -> dict:
        """Waits for the churned flows to time out; the table must come back to the live flows (the probe)."""
        expected = 1
        started = time.monotonic()
        deadline = started + self.settings.udp_timeout + self.settings.expiry_grace
        table: dict = {}
        while time.monotonic() < deadline:
            table = bk_json(candidate, "status").get("flows") or {}
            if table.get("inUse") == expected:
                break
            time.sleep(1.0)
        return {
            "table_after_expiry": table,
            "expected_in_use": expected,
            "expiry_wait_s": round(time.monotonic() - started, 1),
            "leaked_slots": (table.get("inUse") or 0) - expected,
        }

    # 5. Memory per flow ---------------------------------------------------------------------------

    def memory(self, make: Callable[[int], Bridgekeeper]) -> dict:
        """VmRSS with `memory_flows` table slots minus with `memory_baseline_flows`, per slot."""
        rss: dict[int, int] = {}
        capacity: dict[int, int] = {}
        for flows in (self.settings.memory_baseline_flows, self.settings.memory_flows):
            candidate: Bridgekeeper = make(flows)
            try:
                candidate.start(self.workdir)
                time.sleep(1.0)
                status = bk_json(candidate, "status")
                rss[flows] = vm_rss_kib(int(status["pid"]))
                # The table may round its size up: divide by the slots it really has.
                capacity[flows] = int((status.get("flows") or {}).get("capacity") or flows)
            finally:
                candidate.stop()
        low, high = self.settings.memory_baseline_flows, self.settings.memory_flows
        return {
            "rss_kib": {str(flows): kib for flows, kib in rss.items()},
            "capacity": {str(flows): slots for flows, slots in capacity.items()},
            "bytes_per_flow": (rss[high] - rss[low]) * 1024 / (capacity[high] - capacity[low]),
        }
