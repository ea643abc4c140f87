#!/usr/bin/env python3
"""Bridgekeeper's veth benchmark: Bridgekeeper against the kernel bridge and dpdk-testpmd, one run.

Builds bkb-gen [gen0]<->[pA] bkb-br [pB]<->[sink0] bkb-sink, then for each round starts every
candidate in turn between pA and pB (order rotated each round) and measures it with trafgen on
CPU 0. Then the sizing runs: Bridgekeeper against dpdk-testpmd with generator-bound frames (full
rate, zero-loss search, 1.2x Bridgekeeper's zero-loss rate) in rounds of their own. Prints medians
over rounds, paired ratios, where a Bridgekeeper run's lost frames went, and the performance
targets, and writes the same as JSON. Run as root; `make bench-net` installs what it needs. See
deploy/bench/README.md.
"""

from __future__ import annotations

import shlex
import argparse
import os
import platform
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

from bkbench import accounting, cpustat, policygen, report, sizing_report  # noqa: E402
from bkbench.cli import preflight, settings_from  # noqa: E402
from bkbench.candidates import Bridgekeeper, Candidate, KernelBridge, TestPmd  # noqa: E402
from bkbench.frames import FlowSpec, flow_frames, write_trafgen_config  # noqa: E402
from bkbench.measure import Meter, Settings, Streams, run_dict  # noqa: E402
from bkbench.proc import Background, BenchError  # noqa: E402
from bkbench.sizing import SIZING_CANDIDATES, run_sizing, sizing_candidates  # noqa: E402
from bkbench.testbed import GEN_IP, GEN_MAC, SINK_IP, SINK_MAC, UNOWNED_MAC, Testbed, cleanup_leftovers  # noqa: E402
from bkbench.trafgen import Trafgen  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_TOOLS = {
    "ip": "iproute2", "tc": "iproute2", "ethtool": "ethtool", "trafgen": "netsniff-ng", "taskset": "util-linux",
    "ping": "iputils-ping", "tcpdump": "tcpdump", "nft": "nftables", "sysctl": "procps",
}
CONTROL_SOCKET = Path("/run/bk-bench.sock")
CANDIDATE_NAMES = ("kbr", "kbr-rules", "kbr-edge", "testpmd", "bk-fwd", "bk-edge", "bk-rules", "bk-busy", "bk-base")
# Run when no --candidates is given (bk-busy only on request: it adds ~2 minutes to a run;
# bk-base only with --baseline).
DEFAULT_CANDIDATES = CANDIDATE_NAMES[:-2]
# bk-busy: bk-fwd spinning on its rings this long after traffic before it sleeps (run --busy-poll).
BUSY_POLL_MICROSECONDS = 50
QUICK = dict(rounds=1, warmup=0.5, duration=2.0, trial=1.0, search_steps=3, ping_count=1000, reloads=10, reload_duration=2.0,
             idle=3.0, search_rounds=1, search_trial=2.0)


class Interrupted(Exception):
    """SIGINT, SIGTERM or SIGHUP: stop, clean up, report what was measured."""


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    """The command line; every duration, rate and count has a flag."""
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bridgekeeper", type=Path, default=REPO_ROOT / ".build/release/bridgekeeper",
                        help="bridgekeeper binary (default: .build/release/bridgekeeper); missing = its candidates are skipped")
    parser.add_argument("--baseline", type=Path,
                        help="another bridgekeeper binary (an earlier commit's release build): adds the candidate bk-base, "
                             "bk-fwd's policy run by it, so a change is measured before and after in the same run")
    parser.add_argument("--candidates", default="",
                        help=f"comma-separated subset of: {','.join(CANDIDATE_NAMES)} (default: all but bk-busy)")
    parser.add_argument("--quick", action="store_true",
                        help="~3-minute smoke run: 1 round and 1 sizing round, short windows and trials, 3 search steps")
    parser.add_argument("--rounds", type=int, help=f"rounds, candidates alternating within each (default {defaults.rounds})")
    parser.add_argument("--duration", type=float, help=f"measurement window of a full-rate run, s (default {defaults.duration})")
    parser.add_argument("--warmup", type=float, help=f"warm-up before each window, s (default {defaults.warmup})")
    parser.add_argument("--trial", type=float, help=f"zero-loss search trial length, s (default {defaults.trial})")
    parser.add_argument("--search-steps", type=int, help=f"zero-loss binary search steps, both searches (default {defaults.search_steps})")
    parser.add_argument("--search-rounds", type=int,
                        help=f"rounds of the generator-bound sizing runs of {' and '.join(SIZING_CANDIDATES)} "
                             f"(default {defaults.search_rounds}; 0: skip them)")
    parser.add_argument("--search-trial", type=float,
                        help=f"trial length of the generator-bound zero-loss search and the 1.2x run, s (default {defaults.search_trial:g})")
    parser.add_argument("--idle", type=float, help=f"idle CPU window per candidate and round, s (default {defaults.idle:g}; 0: skip)")
    parser.add_argument("--loss-slack", type=int, help="frames a trial may lose and still count as zero loss (default 0: counting is exact)")
    parser.add_argument("--latency-fps", type=float, help=f"frames/s through the bridge while pinging (default {defaults.latency_fps:.0f})")
    parser.add_argument("--ping-rate", type=int, help=f"pings per second (default {defaults.ping_rate})")
    parser.add_argument("--ping-count", type=int, help=f"pings per latency run (default {defaults.ping_count})")
    parser.add_argument("--cpu-fps", type=float, help=f"paced rate of the CPU-cost run (default {defaults.cpu_fps:.0f})")
    parser.add_argument("--reloads", type=int, help=f"SIGHUPs in the reload probe (default {defaults.reloads})")
    parser.add_argument("--reload-duration", type=float, help=f"reload probe length, s (default {defaults.reload_duration})")
    parser.add_argument("--flows", type=int, help=f"UDP flows (source ports) in the stream (default {defaults.flows})")
    parser.add_argument("--rules", type=int, default=10_000, help="rules in the generated policy (default 10000)")
    parser.add_argument("--kernel-rules-cmd", default="nft -f {nft}",
                        help="shell command run in bkb-br to load rules into the kernel bridge; placeholders "
                             "{nft} (generated nft file), {policy} (policy file), {bridgekeeper} (binary). Default: 'nft -f {nft}'")
    parser.add_argument("--policy-dir", type=Path, default=REPO_ROOT / "policies",
                        help="where default.policy and edge.policy are looked up (default: the repo's policies/)")
    parser.add_argument("--bk-args", default="",
                        help="extra options for every `bridgekeeper run`, e.g. '--tx-ring' (to compare settings)")
    parser.add_argument("--testpmd-vdev-opts", default="", help="extra net_af_packet options, e.g. 'framecnt=4096,qdisc_bypass=1'")
    parser.add_argument("--json", type=Path, help="JSON output (default: bench-results/bench-<timestamp>.json in the repo)")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the temporary folder with configs and logs")
    parser.add_argument("--cleanup", action="store_true", help="remove namespaces left by a crashed run, then exit")
    return parser.parse_args(argv)


def tool_version(argv: list[str]) -> str:
    """First line a version command prints, for the JSON."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def build_streams(workdir: Path, flows: int) -> Streams:
    """The three trafgen configs: 64 B to sink0 and to nobody, 1518 B to sink0."""
    to_sink = FlowSpec(SINK_MAC, GEN_MAC, GEN_IP, SINK_IP)
    to_nobody = FlowSpec(UNOWNED_MAC, GEN_MAC, GEN_IP, SINK_IP)
    bb64 = flow_frames(to_sink, 64, flows)
    return Streams(
        bridge_bound_64=write_trafgen_config(workdir / "bb64.cfg", bb64),
        generator_bound_64=write_trafgen_config(workdir / "gb64.cfg", flow_frames(to_nobody, 64, flows)),
        bridge_bound_1518=write_trafgen_config(workdir / "bb1518.cfg", flow_frames(to_sink, 1518, flows)),
        bridge_bound_64_frames=bb64,
    )


def build_candidates(args: argparse.Namespace, workdir: Path, notes: list[str]) -> list[Candidate]:
    """Every candidate, in the order they run, with a skip reason where one cannot run."""
    policy, nft = policygen.write_rule_files(workdir, args.rules)
    binary = args.bridgekeeper.resolve()
    extra = shlex.split(args.bk_args)
    fill = dict(nft=str(nft), policy=str(policy), bridgekeeper=str(binary))
    edge = args.policy_dir / "edge.policy"
    default = args.policy_dir / "default.policy"
    forward_all = default if default.exists() else workdir / "forward-all.policy"
    if not default.exists():
        forward_all.write_text(policygen.forward_all_text())
        notes.append(f"{default} not found: bk-fwd uses a generated forward-all policy")
    cmd = args.kernel_rules_cmd
    candidates: list[Candidate] = [
        KernelBridge("kbr", "kernel bridge, bare (STP off, forward delay 0, multicast snooping off)"),
        KernelBridge("kbr-rules", f"kernel bridge + the {args.rules} generated rules via `{cmd}`", cmd.format(**fill)),
        KernelBridge("kbr-edge", f"kernel bridge + {edge.name} via `{cmd}`", cmd.format(**{**fill, "policy": str(edge)})),
        TestPmd(args.testpmd_vdev_opts),
        Bridgekeeper("bk-fwd", f"Bridgekeeper, {forward_all.name}", binary, forward_all, CONTROL_SOCKET, extra),
        Bridgekeeper("bk-edge", f"Bridgekeeper, {edge.name}", binary, edge, CONTROL_SOCKET, extra),
        Bridgekeeper("bk-rules", f"Bridgekeeper, {args.rules} generated rules", binary, policy, CONTROL_SOCKET, extra),
        Bridgekeeper("bk-busy", f"Bridgekeeper, {forward_all.name}, --busy-poll {BUSY_POLL_MICROSECONDS}", binary,
                     forward_all, CONTROL_SOCKET, extra + ["--busy-poll", str(BUSY_POLL_MICROSECONDS)]),
        Bridgekeeper("bk-base", f"Bridgekeeper baseline {args.baseline}, {forward_all.name}",
                     (args.baseline or binary).resolve(), forward_all, CONTROL_SOCKET, extra),
    ]
    by_name = {candidate.name: candidate for candidate in candidates}
    if args.baseline is None:
        by_name["bk-base"].skip_reason = "needs --baseline BINARY"
    elif not args.baseline.exists():
        by_name["bk-base"].skip_reason = f"{args.baseline} not found"
    if "{nft}" in cmd or "{policy}" not in cmd:
        by_name["kbr-edge"].skip_reason = "needs a --kernel-rules-cmd that loads {policy} (Bridgekeeper's mirror)"
    if not edge.exists():
        for name in ("kbr-edge", "bk-edge"):
            by_name[name].skip_reason = f"{edge} not found"
    if not binary.exists():
        for candidate in candidates:
            if candidate.is_bridgekeeper and candidate.name != "bk-base":
                candidate.skip_reason = f"{binary} not found (build it with `make release`)"
        print(f"bench: Bridgekeeper candidates skipped: {binary} not found (build it with `make release`)")
        notes.append(f"Bridgekeeper candidates skipped: {binary} not found")
    return [by_name[name] for name in wanted_candidates(args)]


def wanted_candidates(args: argparse.Namespace) -> list[str]:
    """The names given with --candidates (the defaults when empty); raises BenchError on an unknown one."""
    wanted = [name.strip() for name in args.candidates.split(",") if name.strip()] or list(DEFAULT_CANDIDATES)
    if args.baseline is not None and "bk-base" not in wanted:
        wanted.append("bk-base")
    unknown = [name for name in wanted if name not in CANDIDATE_NAMES]
    if unknown:
        raise BenchError(f"unknown candidate(s) {', '.join(unknown)}; choose from {', '.join(CANDIDATE_NAMES)}")
    return wanted


def measure_candidate(meter: Meter, candidate: Candidate, round_no: int, workdir: Path) -> dict:
    """Starts one candidate, runs every measurement on it, stops it; a failure ends only this record."""
    record: dict = {"round": round_no, "ok": False}
    started = time.monotonic()
    try:
        meter.measuring(None)
        baseline = meter.cpu_baseline()  # the generator alone, just before the candidate joins
        record["smoke"] = meter.bring_up(candidate, capture=(round_no == 1))
        record["cpu"] = meter.cpu_cost(candidate, baseline)
        runs = meter.throughput()
        for key, result in runs.items():
            record[key] = run_dict(result)
        record["zero_loss"] = meter.zero_loss(runs["bb64"])
        record["latency"] = meter.latency()
        if isinstance(candidate, Bridgekeeper) and record["zero_loss"]["fps"] > 0:
            record["reload"] = meter.reload_probe(candidate, record["zero_loss"]["fps"] / 2)
        idle = meter.idle_cpu(candidate)  # after all that traffic: does it go back to sleep?
        if idle is not None:
            record["idle"] = idle
        if not candidate.alive():
            raise BenchError("its process died during the measurements")
        record["ok"] = True
    except (BenchError, OSError, subprocess.SubprocessError) as exc:
        record["error"] = str(exc)
    finally:
        meter.measuring(None)
        candidate.stop()
    record["seconds"] = round(time.monotonic() - started, 1)
    return record


def progress_line(name: str, record: dict) -> str:
    """One line per candidate and round while the run goes on."""
    if not record["ok"]:
        return f"{name}: FAILED: {record.get('error')}"
    bb, gb, zl, lat, cpu = record["bb64"], record["gb64"], record["zero_loss"], record["latency"], record["cpu"]
    parts = [
        f"64B bb {bb['delivered_fps'] / 1e3:.1f}/{bb['offered_fps'] / 1e3:.1f} kfps",
        f"gb {gb['delivered_fps'] / 1e3:.1f}/{gb['offered_fps'] / 1e3:.1f}",
        f"1518B {record['bb1518']['gbps']:.2f} Gbit/s",
        f"zero-loss {zl['fps'] / 1e3:.1f}{'+' if zl['generator_limited'] else ''}",
        f"p99 {lat.get('p99_us', float('nan')):.0f} us",
        f"cpu {cpu['s_per_mframe']:.2f} s/Mf" if cpu["s_per_mframe"] is not None else "cpu -",
    ]
    if "idle" in record:
        parts.append(f"idle {record['idle']['pct_of_cpu']:.2f} % CPU")
    if "reload" in record:
        parts.append(f"reload lost {record['reload']['lost']} in {record['reload'].get('applied')} reloads")
    return f"{name}: " + ", ".join(parts) + f" [{record['seconds']:.0f} s]"


def raise_interrupted(signum: int, _frame) -> None:
    """Signal handler: unwind to main's cleanup."""
    raise Interrupted(f"signal {signum}")


def main(argv: Optional[list[str]] = None) -> int:
    """Runs the benchmark; returns the exit status (0 ok, 1 error, 130 interrupted)."""
    args = parse_args(argv)
    if args.cleanup:
        removed = cleanup_leftovers()
        print(f"bench: removed {', '.join(removed)}" if removed else "bench: nothing to clean up")
        return 0
    settings = settings_from(args, Settings, QUICK)
    started = datetime.now(timezone.utc)
    workdir = Path(tempfile.mkdtemp(prefix="bkb-bench-"))
    testbed = Testbed(workdir)
    candidates: list[Candidate] = []
    results: dict[str, dict] = {}
    sizing: dict[str, dict] = {}
    notes: list[str] = [
        "Other jobs share this 2-CPU machine; absolute figures are noisy, paired ratios less so.",
    ]
    status = 0
    load_before = os.getloadavg()
    # SIGINT too: a shell that starts us in the background ignores it, and Python then would too.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, raise_interrupted)
    try:
        preflight(REQUIRED_TOOLS, "bench-net")
        wanted_candidates(args)
        testbed.create()
        notes += testbed.offload_notes
        streams = build_streams(workdir, settings.flows)
        candidates = build_candidates(args, workdir, notes)
        meter = Meter(testbed, Trafgen(testbed, workdir), streams, settings, workdir)
        for candidate in candidates:
            results[candidate.name] = {
                "label": candidate.label, "is_bridgekeeper": candidate.is_bridgekeeper,
                "skipped": candidate.skip_reason, "rounds": [], "details": candidate.details,
            }
            if candidate.skip_reason and not (candidate.is_bridgekeeper and not args.bridgekeeper.resolve().exists()):
                print(f"bench: {candidate.name} skipped: {candidate.skip_reason}")
        runnable = [candidate for candidate in candidates if not candidate.skip_reason]
        if not runnable:
            raise BenchError("no candidate can run")
        for round_no in range(1, settings.rounds + 1):
            shift = (round_no - 1) % len(runnable)
            for candidate in runnable[shift:] + runnable[:shift]:
                record = measure_candidate(meter, candidate, round_no, workdir)
                results[candidate.name]["rounds"].append(record)
                print(f"round {round_no}/{settings.rounds} {progress_line(candidate.name, record)}", flush=True)
        if settings.search_rounds > 0 and sizing_candidates(runnable):
            run_sizing(meter, runnable, sizing)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        status = 1
    except (KeyboardInterrupt, Interrupted):
        print("bench: interrupted; cleaning up", file=sys.stderr)
        status = 130
    finally:
        for candidate in candidates:
            try:
                candidate.stop()
            except Exception as exc:  # keep cleaning up
                print(f"bench: stopping {candidate.name}: {exc}", file=sys.stderr)
        Background.stop_all()
        testbed.destroy()
        if args.keep_workdir:
            print(f"bench: work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if not any(entry["rounds"] for entry in results.values()):
        return status or 1
    for entry in results.values():
        entry["summary"] = report.summarize(entry["rounds"])
    pairs = report.ratios(results)
    sizing_analysis = sizing_report.analyse(sizing) if sizing else None
    document = {
        "meta": {
            "started": started.isoformat(timespec="seconds"),
            "complete": status == 0,
            "rounds": settings.rounds,
            "host": platform.node(),
            "kernel": platform.release(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "trafgen": tool_version(["trafgen", "-v"]),
            "dpdk": tool_version(["dpkg-query", "-W", "-f", "${Version}", "dpdk-dev"]),
            "settings": settings.__dict__,
            "rules": args.rules,
            "frames": "IPv4/UDP 198.18.0.1 -> 198.18.0.2 dport 9, source ports 10000+; 64 B = 60 B + FCS, 1518 B = 1514 B + FCS",
            "method": [
                "Offered = gen0 tx_packets + tx_dropped, delivered = sink0 rx_packets; rates over the window after warm-up,",
                "loss counted exactly over the whole run after trafgen stops and the path drains.",
                "Zero-loss: binary search on the achieved offered rate of trafgen paced by a token bucket on gen0 (slow path),",
                "between 0 and the full-rate run's offered rate; the figure is the highest lossless rate below every lossy one",
                "('+' in the progress lines: the generator could not offer more, so the true figure is at least that).",
                "RTT: ping -i 0.001 gen->sink (own HTB class, unpaced), paced trafgen background so the bridge carries ~latency_fps.",
                cpustat.METHOD,
                "Idle CPU: utime+stime (+ reaped children) of the candidate's processes from /proc/PID/stat over `idle` s "
                "with no traffic, `idle_settle` s after its last measurement, as % of one CPU.",
                "Sizing: generator-bound 64 B frames, bk-fwd and testpmd alternating over `search_rounds` rounds: full rate, "
                "zero-loss search (trials of `search_trial` s), then `overload` x bk-fwd's zero-loss rate of the round.",
                "Where the frames went: for a Bridgekeeper run that lost frames, the deltas of its `status --json` port "
                "counters (ring drops, read but not sent, TX ring full, send errors, retries, per worker) and of the veth "
                "ends' drop counters; what they do not add up to is flagged as unexplained.",
            ],
            "notes": notes,
        },
        "candidates": results,
        "ratios": pairs,
        "sizing": {"candidates": sizing, **(sizing_analysis or {})},
        "targets": report.targets(results, pairs) + sizing_report.targets(sizing, sizing_analysis),
    }
    extra = sizing_report.render(sizing, sizing_analysis, settings.__dict__) + accounting.render_section(results, sizing)
    print()
    print(report.render(document, extra))
    json_path = args.json or REPO_ROOT / "bench-results" / f"bench-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    report.write_json(document, json_path)
    print(f"\nbench: JSON written to {json_path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
