#!/usr/bin/env python3
"""Bridgekeeper's stateful benchmark: established flows, a meter, a rejected-SYN flood, flow churn
and memory per flow, on the veth testbed of `make bench-net`, against forward-all, the kernel
bridge and dpdk-testpmd in the same run.

Each round runs the forwarding candidates in turn (order rotated each round), then the churn and
the memory measurements. Prints medians over rounds, paired ratios and the targets, and writes
the same as JSON. Run as root; `make bench-stateful` installs what it needs. See
deploy/bench/README.md ("make bench-stateful").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bkbench import statefulgen, statefulreport  # noqa: E402
from bkbench.cli import preflight, settings_from  # noqa: E402
from bkbench.candidates import Bridgekeeper, Candidate, KernelBridge, TestPmd  # noqa: E402
from bkbench.frames import FlowSpec, flow_frames, write_trafgen_config  # noqa: E402
from bkbench.measure import Meter, Settings, Streams  # noqa: E402
from bkbench.policygen import forward_all_text  # noqa: E402
from bkbench.proc import Background, BenchError  # noqa: E402
from bkbench.stateful import StatefulMeter, StatefulSettings  # noqa: E402
from bkbench.testbed import GEN_IP, GEN_MAC, SINK_IP, SINK_MAC, UNOWNED_MAC, Testbed, cleanup_leftovers  # noqa: E402
from bkbench.trafgen import Trafgen  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_TOOLS = {"ip": "iproute2", "tc": "iproute2", "ethtool": "ethtool", "trafgen": "netsniff-ng",
                  "taskset": "util-linux", "sysctl": "procps"}
CONTROL_SOCKET = Path("/run/bk-bench-stateful.sock")
FORWARDING = ("bk-reject", "kbr", "testpmd", "bk-fwd", "bk-state", "bk-meter")
CANDIDATE_NAMES = (*FORWARDING, "bk-churn", "bk-mem")
QUICK = dict(rounds=1, warmup=0.5, duration=2.0, churn=5.0)


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP: stop, clean up, report what was measured."""


class MemoryProbe(Candidate):
    """A place in the round for the memory measurement, which starts and stops its own bridges."""

    def start(self, workdir: Path) -> None:
        """Nothing to start: StatefulMeter.memory runs the bridges."""

    def stop(self) -> None:
        """Nothing left running."""


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    """The command line; every duration, rate and size has a flag."""
    d = StatefulSettings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bridgekeeper", type=Path, default=REPO_ROOT / ".build/release/bridgekeeper",
                        help="bridgekeeper binary (default: .build/release/bridgekeeper); missing = its candidates are skipped")
    parser.add_argument("--candidates", default="", help=f"comma-separated subset of: {','.join(CANDIDATE_NAMES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 round, short windows, 5 s of churn")
    parser.add_argument("--rounds", type=int, help=f"rounds (default {d.rounds})")
    parser.add_argument("--duration", type=float, help=f"measurement window of a full-rate run, s (default {d.duration})")
    parser.add_argument("--warmup", type=float, help=f"warm-up before each window, s (default {d.warmup})")
    parser.add_argument("--syns-per-udp", type=int, help=f"SYNs per UDP frame in the flood's mixed stream (default {d.syns_per_udp})")
    parser.add_argument("--churn", type=float, help=f"seconds of flow churn (default {d.churn:g})")
    parser.add_argument("--churn-rate", type=float, help="frames/s of the churn (default: pktgen's full rate)")
    parser.add_argument("--churn-table", type=int, help=f"--flows of the churned bridge: small, so churn fills it (default {d.churn_table})")
    parser.add_argument("--probe-rate", type=float, help=f"datagrams/s of the long-lived flow during churn (default {d.probe_rate:g})")
    parser.add_argument("--udp-timeout", type=float, help=f"the policy's UDP timeout, s: how long churned flows live (default {d.udp_timeout:g})")
    parser.add_argument("--expiry-grace", type=float, help=f"seconds past the UDP timeout the table may take to empty (default {d.expiry_grace:g})")
    parser.add_argument("--memory-flows", type=int, help=f"--flows of the memory measurement (default {d.memory_flows})")
    parser.add_argument("--memory-baseline-flows", type=int, help=f"--flows of its baseline (default {d.memory_baseline_flows})")
    parser.add_argument("--policy-dir", type=Path, default=REPO_ROOT / "policies",
                        help="where default.policy and stateful.policy are looked up (default: the repo's policies/)")
    parser.add_argument("--bk-args", default="", help="extra options for every `bridgekeeper run`")
    parser.add_argument("--testpmd-vdev-opts", default="", help="extra net_af_packet options, e.g. 'framecnt=4096'")
    parser.add_argument("--json", type=Path, help="JSON output (default: bench-results/stateful-<timestamp>.json in the repo)")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the temporary folder with configs and logs")
    parser.add_argument("--cleanup", action="store_true", help="remove namespaces left by a crashed run, then exit")
    return parser.parse_args(argv)


def build_streams(workdir: Path, flows: int) -> Streams:
    """The base meter's trafgen configs (the same 16 flows as `make bench-net`)."""
    to_sink = FlowSpec(SINK_MAC, GEN_MAC, GEN_IP, SINK_IP)
    bb64 = flow_frames(to_sink, 64, flows)
    return Streams(
        bridge_bound_64=write_trafgen_config(workdir / "bb64.cfg", bb64),
        generator_bound_64=write_trafgen_config(workdir / "gb64.cfg", flow_frames(FlowSpec(UNOWNED_MAC, GEN_MAC, GEN_IP, SINK_IP), 64, flows)),
        bridge_bound_1518=write_trafgen_config(workdir / "bb1518.cfg", flow_frames(to_sink, 1518, flows)),
        bridge_bound_64_frames=bb64,
    )


def build_candidates(args: argparse.Namespace, settings: StatefulSettings, workdir: Path, notes: list[str]):
    """The candidates in the order they run, and a factory for the memory measurement's bridges."""
    binary = args.bridgekeeper.resolve()
    extra = shlex.split(args.bk_args)
    generated = statefulgen.write_policies(workdir)
    default = args.policy_dir / "default.policy"
    if not default.exists():
        default = workdir / "forward-all.policy"
        default.write_text(forward_all_text())
        notes.append("default.policy not found: bk-fwd uses a generated forward-all policy")
    stateful = args.policy_dir / "stateful.policy"

    def bridge(name: str, label: str, policy: Path, more: Optional[list[str]] = None) -> Bridgekeeper:
        return Bridgekeeper(name, label, binary, policy, CONTROL_SOCKET, extra + (more or []))

    candidates: dict[str, Candidate] = {
        "bk-reject": bridge("bk-reject", f"Bridgekeeper, tcp dport {statefulgen.REJECTED_PORT} rejected "
                            f"(answer-rate {statefulgen.ANSWER_RATE}/s burst {statefulgen.ANSWER_BURST})", generated["reject"]),
        "kbr": KernelBridge("kbr", "kernel bridge, bare (STP off, forward delay 0, multicast snooping off)"),
        "testpmd": TestPmd(args.testpmd_vdev_opts),
        "bk-fwd": bridge("bk-fwd", f"Bridgekeeper, {default.name}", default),
        "bk-state": bridge("bk-state", f"Bridgekeeper, {stateful.name}, the 16 flows established", stateful),
        "bk-meter": bridge("bk-meter", f"Bridgekeeper, limit rate over {statefulgen.METER_RATE}/second burst "
                           f"{statefulgen.METER_BURST} packets per ip saddr",
                           generated["meter"]),
        "bk-churn": bridge("bk-churn", f"Bridgekeeper, {stateful.name}, --flows {settings.churn_table}, flow churn",
                           stateful, ["--flows", str(settings.churn_table)]),
        "bk-mem": MemoryProbe("bk-mem", f"Bridgekeeper, {stateful.name}: VmRSS with --flows {settings.memory_flows} "
                              f"minus --flows {settings.memory_baseline_flows}", is_bridgekeeper=True),
    }
    for name, candidate in candidates.items():
        if name in ("bk-state", "bk-churn", "bk-mem") and not stateful.exists():
            candidate.skip_reason = f"{stateful} not found"
        if candidate.is_bridgekeeper and not binary.exists():
            candidate.skip_reason = f"{binary} not found (build it with `make release`)"

    def memory_bridge(flows: int) -> Bridgekeeper:
        return bridge("bk-mem", "memory", stateful, ["--flows", str(flows)])

    wanted = [name.strip() for name in args.candidates.split(",") if name.strip()] or list(CANDIDATE_NAMES)
    unknown = [name for name in wanted if name not in CANDIDATE_NAMES]
    if unknown:
        raise BenchError(f"unknown candidate(s) {', '.join(unknown)}; choose from {', '.join(CANDIDATE_NAMES)}")
    return [candidates[name] for name in CANDIDATE_NAMES if name in wanted], memory_bridge


def notes_for(name: str, record: dict) -> list[str]:
    """Remarks on one round's record worth a line in the report."""
    notes = []
    bb = record.get("bb64") or {}
    if name == "bk-state" and bb.get("rule_packets"):
        hits = bb["rule_packets"].get("established", 0)
        total = sum(bb["rule_packets"].values()) + bb.get("default_packets", 0)
        if total and hits < 0.99 * total:
            notes.append(f"only {hits}/{total} frames matched \"established\": the flows were not established")
    if name == "bk-meter" and bb.get("rule_packets", {}).get(statefulgen.METER_RULE):
        notes.append("the meter dropped frames (its rate, or its burst, is below what one batch brings): this measured drops, not its cost")
    flood = record.get("flood") or {}
    if flood.get("syns_leaked"):
        notes.append(f"{flood['syns_leaked']} frames more than the UDP offered reached the sink: SYNs were not rejected")
    if flood and flood.get("answers_counted") != flood.get("answers_seen"):
        notes.append(f"gen0 received {flood['answers_seen']} frames, the reject rule counts {flood['answers_counted']} answers")
    if flood and flood.get("answers_seen") == 0:
        notes.append("no answer reached gen0: reject sent nothing")
    churn = record.get("churn") or {}
    after = churn.get("table_after_churn") or {}
    if churn and not after.get("evicted") and not after.get("refusedFull"):
        notes.append("the churn never filled the table (no eviction, no refusal): use a smaller --churn-table")
    if churn.get("probe_lost_to_sink") and churn.get("ring_drops"):
        notes.append(f"the probe's losses came with {churn['ring_drops']} ring drops of the churn: the bridge did not keep "
                     "up with it, and the full RX ring dropped frames of every flow alike (overload, not lost state)")
    if churn and not churn.get("probe_kept"):
        notes.append("the long-lived flow did not stay in the table throughout (evicted and created again, or gone)")
    return notes


def measure(smeter: StatefulMeter, candidate: Candidate, round_no: int, workdir: Path, memory_bridge) -> dict:
    """Starts one candidate, runs its measurements, stops it; a failure ends only this record."""
    record: dict = {"round": round_no, "ok": False}
    started = time.monotonic()
    name = candidate.name
    try:
        if name == "bk-mem":
            record["memory"] = smeter.memory(memory_bridge)
        else:
            candidate.start(workdir)
            if name == "bk-churn":
                record["churn"] = smeter.churn(candidate)
            else:
                for _ in range(3):  # a busy-polling peer on a loaded CPU 1 may need a moment
                    record["smoke"] = smeter.meter.smoke(capture=False)
                    if record["smoke"]["forwards"]:
                        break
                    time.sleep(1.0)
                else:
                    raise BenchError("forwards nothing")
            if name == "bk-state":
                record["established"] = smeter.establish(candidate)
            if name in ("kbr", "testpmd", "bk-fwd", "bk-state", "bk-meter"):
                record["bb64"] = smeter.forwarding(candidate)
            if name == "bk-fwd":
                record["udp_alone"] = smeter.udp_alone(record["bb64"]["offered_fps"])
            if name == "bk-reject":
                record["flood"] = smeter.flood(candidate)
            if not candidate.alive():
                raise BenchError("its process died during the measurements")
        record["ok"] = True
    except (BenchError, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        record["error"] = f"{type(exc).__name__}: {exc}" if not isinstance(exc, BenchError) else str(exc)
    finally:
        candidate.stop()
    record["notes"] = notes_for(name, record)
    record["seconds"] = round(time.monotonic() - started, 1)
    return record


def progress_line(name: str, record: dict) -> str:
    """One line per candidate and round while the run goes on."""
    if not record["ok"]:
        return f"{name}: FAILED: {record.get('error')}"
    parts = []
    if "bb64" in record:
        parts.append(f"64B bb {record['bb64']['delivered_fps'] / 1e3:.1f}/{record['bb64']['offered_fps'] / 1e3:.1f} kfps")
    if "established" in record:
        parts.append(f"{record['established']['established']}/{record['established']['flows']} flows established")
    if "udp_alone" in record:
        alone = record["udp_alone"]
        parts.append(f"UDP alone {alone['delivered_fps'] / 1e3:.1f}/{alone['offered_fps'] / 1e3:.1f} kfps")
    if "flood" in record:
        flood = record["flood"]
        parts.append(f"flood {flood['offered_fps'] / 1e3:.1f} kfps, UDP {flood['udp_delivered_fps'] / 1e3:.1f}/"
                     f"{flood['udp_offered_fps'] / 1e3:.1f} kfps, answers {flood['answers_seen']} (budget {flood['answer_budget']:.0f})")
    if "churn" in record:
        churn = record["churn"]
        after = churn.get("table_after_churn") or {}
        parts.append(f"churn {churn['churn_offered_fps'] / 1e3:.1f} kfps, probe lost {churn['probe_lost_to_sink']}+"
                     f"{churn['probe_echoes_lost']}, evicted {after.get('evicted')}, refused {after.get('refusedFull')}, "
                     f"leaked {churn['leaked_slots']} after {churn['expiry_wait_s']} s")
    if "memory" in record:
        parts.append(f"{record['memory']['bytes_per_flow']:.1f} bytes/flow (VmRSS KiB {record['memory']['rss_kib']})")
    return f"{name}: " + ", ".join(parts) + f" [{record['seconds']:.0f} s]"


def raise_interrupted(signum: int, _frame) -> None:
    """Signal handler: unwind to main's cleanup."""
    raise Interrupted(f"signal {signum}")


METHOD = [
    "Offered = gen0 tx_packets + tx_dropped, delivered = sink0 rx_packets (exact: nothing else crosses them).",
    "bk-state: stateful.policy; the smoke run opens the 16 flows from port a, the sink answers each once from port b,",
    "`flows --json` must show all 16 replied before the full-rate run (whose frames then match \"established\").",
    "bk-meter: forward-all plus `limit rate over N/second burst B packets per ip saddr` that no frame exceeds.",
    "Flood: one trafgen stream at full rate, per UDP frame (generator-bound) K TCP SYNs to the rejected port;",
    "answers = gen0 rx_packets (the sink sends nothing), budget = burst + answer-rate x interval;",
    "UDP alone = the same UDP paced to the flood's UDP rate through bk-fwd; ratio of delivered fractions.",
    "Churn: `bridgekeeper pktgen` at full rate cycling source addresses and ports (~15 M tuples) through",
    "stateful.policy with a small table, beside a 1 kfps UDP echo flow with numbered datagrams;",
    "then the table must shrink to the live flows within the UDP timeout.",
    "Memory: VmRSS of `run --flows N` minus `--flows 1024`, divided by the difference.",
]


def main(argv: Optional[list[str]] = None) -> int:
    """Runs the benchmark; returns the exit status (0 ok, 1 error, 130 interrupted)."""
    args = parse_args(argv)
    if args.cleanup:
        removed = cleanup_leftovers()
        print(f"bench-stateful: removed {', '.join(removed)}" if removed else "bench-stateful: nothing to clean up")
        return 0
    settings = settings_from(args, StatefulSettings, QUICK)
    started = datetime.now(timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="bkb-stateful-"))
    testbed = Testbed(workdir)
    candidates: list[Candidate] = []
    results: dict[str, dict] = {}
    notes = ["Other jobs share this 2-CPU machine; absolute figures are noisy, paired ratios less so."]
    status = 0
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_interrupted)
    try:
        preflight(REQUIRED_TOOLS, "bench-stateful")
        testbed.create()
        notes += testbed.offload_notes
        streams = build_streams(workdir, settings.flows)
        candidates, memory_bridge = build_candidates(args, settings, workdir, notes)
        base = Settings(warmup=settings.warmup, duration=settings.duration, flows=settings.flows)
        smeter = StatefulMeter(Meter(testbed, Trafgen(testbed, workdir), streams, base, workdir), settings, workdir)
        for candidate in candidates:
            results[candidate.name] = {"label": candidate.label, "is_bridgekeeper": candidate.is_bridgekeeper,
                                       "skipped": candidate.skip_reason, "rounds": [], "details": candidate.details}
            if candidate.skip_reason:
                print(f"bench-stateful: {candidate.name} skipped: {candidate.skip_reason}")
        runnable = [candidate for candidate in candidates if not candidate.skip_reason]
        if not runnable:
            raise BenchError("no candidate can run")
        rotating = [candidate for candidate in runnable if candidate.name in FORWARDING]
        fixed = [candidate for candidate in runnable if candidate.name not in FORWARDING]
        for round_no in range(1, settings.rounds + 1):
            shift = (round_no - 1) % max(1, len(rotating))
            for candidate in rotating[shift:] + rotating[:shift] + fixed:
                record = measure(smeter, candidate, round_no, workdir, memory_bridge)
                results[candidate.name]["rounds"].append(record)
                print(f"round {round_no}/{settings.rounds} {progress_line(candidate.name, record)}", flush=True)
    except BenchError as exc:
        print(f"bench-stateful: {exc}", file=sys.stderr)
        status = 1
    except (KeyboardInterrupt, Interrupted):
        print("bench-stateful: interrupted; cleaning up", file=sys.stderr)
        status = 130
    finally:
        for candidate in candidates:
            try:
                candidate.stop()
            except Exception as exc:  # keep cleaning up
                print(f"bench-stateful: stopping {candidate.name}: {exc}", file=sys.stderr)
        Background.stop_all()
        testbed.destroy()
        if args.keep_workdir:
            print(f"bench-stateful: work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if not any(entry["rounds"] for entry in results.values()):
        return status or 1
    pairs = statefulreport.ratios(results)
    document = {
        "meta": {
            "started": started.isoformat(timespec="seconds"), "complete": status == 0, "rounds": settings.rounds,
            "host": platform.node(), "kernel": platform.release(), "cpus": os.cpu_count(),
            "load_average_after": os.getloadavg(), "settings": settings.__dict__, "method": METHOD, "notes": notes,
        },
        "candidates": results,
        "ratios": pairs,
        "targets": statefulreport.targets(results, pairs),
    }
    print()
    print(statefulreport.render(document))
    json_path = args.json or REPO_ROOT / "bench-results" / f"stateful-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nbench-stateful: JSON written to {json_path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
