"""The measurements: fixed-duration runs, the zero-loss search, latency, CPU cost, integrity, reloads.

Counting. Offered = frames gen0 took (tx_packets + tx_dropped), delivered = sink0's rx_packets.
Rates come from a window after a warm-up, read while trafgen runs. Loss comes from the whole run,
read before trafgen starts and after it has stopped and the path has drained: with IPv6 off,
static neighbours and no STP, nothing else crosses those two counters, so the count is exact and
"zero loss" means delivered == offered (`--loss-slack` frames allowed, default 0).
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

from . import cpustat
from .accounting import Accountant, summary_line
from .candidates import Bridgekeeper, Candidate
from .frames import read_pcap
from .proc import Background, BenchError, run
from .testbed import NS_GEN, NS_SINK, PING_TOS, SINK_DEV, SINK_IP, Counters, Testbed
from .trafgen import GEN_CPU, Trafgen


NOISY_FOREIGN_CPUS = 0.2  # other jobs using more than this (in CPUs) make the CPU figure unreliable


@dataclass
class Settings:
    """Durations and rates; `--quick` and the command-line flags fill this in."""

    rounds: int = 3
    warmup: float = 1.0
    duration: float = 3.0
    drain: float = 0.3
    trial: float = 1.5
    search_steps: int = 5
    loss_slack: int = 0
    latency_fps: float = 10_000.0
    ping_rate: int = 1000
    ping_count: int = 2000
    cpu_fps: float = 50_000.0
    reloads: int = 20
    reload_duration: float = 4.0
    flows: int = 16
    idle: float = 10.0
    idle_settle: float = 2.0
    search_rounds: int = 5
    search_trial: float = 10.0
    overload: float = 1.2


@dataclass
class Streams:
    """The trafgen configs and the frames they hold."""

    bridge_bound_64: Path
    generator_bound_64: Path
    bridge_bound_1518: Path
    bridge_bound_64_frames: list[bytes]


@dataclass
class RunResult:
    """One fixed-duration run."""

    offered_fps: float
    delivered_fps: float
    offered: int
    delivered: int
    lost: int
    loss_pct: float
    gbps: float
    cpu_s: Optional[float] = None
    cpu_foreign_s: Optional[float] = None
    cpu_window_s: Optional[float] = None
    accounting: Optional[dict] = None  # Bridgekeeper only, when the run lost frames (accounting.py)


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


class Meter:
    """Runs measurements on one testbed."""

    def __init__(self, testbed: Testbed, trafgen: Trafgen, streams: Streams, settings: Settings, workdir: Path):
        self.testbed = testbed
        self.trafgen = trafgen
        self.streams = streams
        self.settings = settings
        self.workdir = workdir
        self.accountant: Optional[Accountant] = None
        self.subject = ""  # the candidate measured now, for the accounting lines

    def measuring(self, candidate: Optional[Candidate]) -> None:
        """Runs from now on are the candidate's: a Bridgekeeper run that loses frames gets accounted for."""
        self.subject = candidate.name if candidate else ""
        self.accountant = Accountant(candidate.status_json, self.testbed) if isinstance(candidate, Bridgekeeper) else None

    def fixed_run(
        self,
        config: Path,
        pace: Optional[float] = None,
        frame_len: int = 60,
        warmup: Optional[float] = None,
        duration: Optional[float] = None,
        cpu_groups: Optional[set[int]] = None,
        during: Optional[Callable[[float], None]] = None,
        label: str = "run",
    ) -> RunResult:
        """Sends `config` for warm-up + duration; rates over the window, loss over the whole run."""
        warmup = self.settings.warmup if warmup is None else warmup
        duration = self.settings.duration if duration is None else duration
        accountant = self.accountant
        before = accountant.snapshot() if accountant else None
        start = self.testbed.counters()
        gen = self.trafgen.start(config, pace, frame_len)
        cpu0 = cpu1 = None
        try:
            time.sleep(warmup)
            if cpu_groups is not None:
                cpu0 = cpustat.snapshot()
            first = self.testbed.counters()
            if during:
                during(duration)
            else:
                time.sleep(duration)
            last = self.testbed.counters()
            if cpu_groups is not None:
                cpu1 = cpustat.snapshot()
        finally:
            self.trafgen.stop(gen)
        time.sleep(self.settings.drain)
        end = self.testbed.counters()
        result = self._result(start, first, last, end, cpu0, cpu1, (cpu_groups or set()) | {gen.pid})
        if accountant and before and result.lost > self.settings.loss_slack:
            result.accounting = accountant.explain(before, result.offered, result.delivered, self.settings.loss_slack)
            print(f"    {self.subject} {label}: {summary_line(result.accounting)}", flush=True)
        return result

    def _result(self, start: Counters, first: Counters, last: Counters, end: Counters, cpu0, cpu1, groups) -> RunResult:
        window = last.at - first.at
        offered = end.offered - start.offered
        delivered = end.sink_rx_packets - start.sink_rx_packets
        lost = offered - delivered
        result = RunResult(
            offered_fps=(last.offered - first.offered) / window,
            delivered_fps=(last.sink_rx_packets - first.sink_rx_packets) / window,
            offered=offered,
            delivered=delivered,
            lost=lost,
            loss_pct=100.0 * lost / offered if offered else 0.0,
            gbps=(last.sink_rx_bytes - first.sink_rx_bytes) * 8 / window / 1e9,
        )
        if cpu0 is not None and cpu1 is not None:
            result.cpu_s, result.cpu_foreign_s = cpustat.split_seconds(cpu0, cpu1, groups | self.testbed.anchor_pids())
            result.cpu_window_s = cpu1.at - cpu0.at
        return result

    def bring_up(self, candidate: Candidate, capture: bool) -> dict:
        """Starts the candidate and checks that it forwards (and, with `capture`, unaltered); returns
        the smoke record. Raises BenchError (the candidate is left for the caller to stop)."""
        candidate.start(self.workdir)
        self.measuring(candidate)
        for _ in range(3):  # a busy-polling peer on a loaded CPU 1 may need a moment
            smoke = self.smoke(capture=capture)
            if smoke["forwards"]:
                break
            time.sleep(1.0)
        else:
            raise BenchError("forwards nothing")
        if smoke.get("integrity_ok") is False:
            raise BenchError(f"frames arrive altered ({smoke['intact']}/{smoke['captured']} intact)")
        return smoke

    def smoke(self, capture: bool) -> dict:
        """A short paced run that must deliver every frame; with `capture`, tcpdump checks the bytes."""
        dump: Optional[Background] = None
        pcap = self.workdir / "integrity.pcap"
        wanted = 32
        if capture:
            argv = ["tcpdump", "-i", SINK_DEV, "-Q", "in", "-n", "-U", "--immediate-mode", "-c", str(wanted), "-w", str(pcap)]
            dump = Background(argv, self.workdir / "tcpdump.log", ns=NS_SINK)
            if not dump.wait_for_output("listening on", timeout=5.0):
                dump.stop()
                raise BenchError(f"tcpdump did not start: {dump.log_tail()}")
        result = self.fixed_run(self.streams.bridge_bound_64, pace=2000, warmup=0.2, duration=0.6, label="smoke run")
        report = {"offered": result.offered, "delivered": result.delivered, "forwards": result.delivered > 0}
        if dump:
            deadline = time.monotonic() + 3.0
            while dump.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            dump.stop()
            frames = read_pcap(pcap) if pcap.exists() else []
            expected = set(self.streams.bridge_bound_64_frames)
            intact = sum(1 for frame in frames if frame in expected)
            report.update(captured=len(frames), intact=intact, integrity_ok=bool(frames) and intact == len(frames))
        return report

    def throughput(self) -> dict[str, RunResult]:
        """Full-rate runs: 64 bytes bridge-bound and generator-bound, 1518 bytes bridge-bound."""
        return {
            "bb64": self.fixed_run(self.streams.bridge_bound_64, label="64B bridge-bound full rate"),
            "gb64": self.fixed_run(self.streams.generator_bound_64, label="64B generator-bound full rate"),
            "bb1518": self.fixed_run(self.streams.bridge_bound_1518, frame_len=1514, label="1518B bridge-bound full rate"),
        }

    def zero_loss(self, full: RunResult, config: Optional[Path] = None, trial: Optional[float] = None,
                  stream: str = "bridge-bound") -> dict:
        """RFC 2544-style binary search for the highest offered rate with zero loss, 64 B frames of
        `config` (default: bridge-bound) in trials of `trial` seconds (default: `--trial`).

        The search runs on *achieved* offered rates: the paced slow path often delivers less than
        asked (a loaded CPU 0), so each target is the wanted rate divided by the last trial's
        achieved/target ratio. Bounds: 0 and the full-rate run's offered rate (if that run lost
        nothing, it is the answer). The result is the highest lossless rate below every lossy one.
        """
        config = config or self.streams.bridge_bound_64
        trial = self.settings.trial if trial is None else trial
        slack = self.settings.loss_slack
        if full.offered and full.lost <= slack:
            return {"fps": full.offered_fps, "how": "no loss at the generator's full rate", "generator_limited": True, "trials": []}
        trials: list[dict] = []
        low, high, gain = 0.0, full.offered_fps, 1.0
        for _ in range(self.settings.search_steps):
            want = (low + high) / 2
            target = want / gain
            result = self.fixed_run(config, pace=target, warmup=0.3, duration=trial,
                                    label=f"64B {stream} zero-loss trial at {want / 1e3:.1f} kfps")
            achieved = result.offered_fps
            passed = result.offered > 0 and result.lost <= slack
            trials.append({"want_fps": round(want), "target_fps": round(target), "offered_fps": round(achieved),
                           "lost": result.lost, "passed": passed})
            if result.accounting:
                trials[-1]["accounting"] = result.accounting
            gain = min(1.2, max(0.1, achieved / target))
            if passed:
                low = max(low, achieved)
            else:
                high = min(high, achieved)
            if high <= low or (high - low) < 0.02 * high:
                break
        lossy = [trial["offered_fps"] for trial in trials if not trial["passed"]] + [full.offered_fps]
        clean = [trial for trial in trials if trial["passed"] and trial["offered_fps"] < min(lossy)]
        if not clean:
            return {"fps": 0.0, "how": "loss at every trial", "generator_limited": False, "trials": trials}
        best = max(clean, key=lambda trial: trial["offered_fps"])
        return {
            "fps": float(best["offered_fps"]),
            "lowest_lossy_fps": float(min(lossy)),
            "how": f"binary search, {len(trials)} trials of {trial:g} s",
            # The paced generator could not offer what was asked: the true zero-loss rate may be higher.
            "generator_limited": best["offered_fps"] < 0.9 * best["want_fps"],
            "trials": trials,
        }

    def latency(self) -> dict:
        """ping RTTs gen->sink at `ping_rate`/s, with trafgen background so the bridge carries ~latency_fps."""
        settings = self.settings
        background = max(0.0, settings.latency_fps - 2 * settings.ping_rate)
        gen = self.trafgen.start(self.streams.generator_bound_64, pace=background) if background else None
        try:
            time.sleep(0.5)
            first = self.testbed.counters()
            argv = ["taskset", "-c", str(GEN_CPU), "ping", "-n", "-Q", PING_TOS, "-i", f"{1 / settings.ping_rate:.6f}",
                    "-c", str(settings.ping_count), "-W", "1", SINK_IP]
            out = run(argv, ns=NS_GEN, check=False, timeout=settings.ping_count / settings.ping_rate + 15).stdout
            last = self.testbed.counters()
        finally:
            if gen:
                self.trafgen.stop(gen)
        rtts = sorted(float(value) * 1000.0 for value in re.findall(r"time=([\d.]+) ms", out))
        window = last.at - first.at
        sink_fps = (last.sink_rx_packets - first.sink_rx_packets) / window
        report = {
            "sent": settings.ping_count,
            "replies": len(rtts),
            "bridge_fps": round(sink_fps + len(rtts) / window),
        }
        # ping's own pacing falls ~10% short of its rate here; well below that, the bridge could not keep up.
        report["saturated"] = report["bridge_fps"] < 0.75 * settings.latency_fps
        if rtts:
            report.update(p50_us=_percentile(rtts, 50), p99_us=_percentile(rtts, 99), max_us=rtts[-1])
        return report

    def cpu_baseline(self) -> dict:
        """Generator-alone CPU seconds per offered frame at `cpu_fps`, into an unbridged pA.

        Taken right before each candidate starts: the generator's own cost (HTB pacing timers,
        one sendto per frame: ~12 us/frame here, ten times a bridge's) shifts with the load on
        CPU 0, so it must be measured close to the run it is subtracted from.
        """
        result = self.fixed_run(self.streams.generator_bound_64, pace=self.settings.cpu_fps, cpu_groups=set())
        window = result.cpu_window_s or 0.0
        frames = result.offered_fps * window
        return {
            "s_per_frame": (result.cpu_s or 0.0) / frames if frames else 0.0,
            "foreign_cpus": (result.cpu_foreign_s or 0.0) / window if window else 0.0,
        }

    def cpu_cost(self, candidate: Candidate, baseline: dict) -> dict:
        """CPU seconds per million delivered frames at the fixed paced rate, generator-bound frames."""
        result = self.fixed_run(self.streams.generator_bound_64, pace=self.settings.cpu_fps, cpu_groups=candidate.process_groups(),
                                label="CPU-cost run")
        window = result.cpu_window_s or 0.0
        delivered = result.delivered_fps * window
        cost = (result.cpu_s or 0.0) - baseline["s_per_frame"] * result.offered_fps * window
        foreign = max(baseline["foreign_cpus"], (result.cpu_foreign_s or 0.0) / window if window else 0.0)
        return {
            "s_per_mframe": cost / delivered * 1e6 if delivered else None,
            "generator_s_per_mframe": baseline["s_per_frame"] * 1e6,
            "offered_fps": round(result.offered_fps),
            "delivered_fps": round(result.delivered_fps),
            "saturated": result.delivered_fps < 0.98 * result.offered_fps,
            "busy_polls": candidate.busy_polls,
            "foreign_cpus": round(foreign, 2),
            "noisy": foreign > NOISY_FOREIGN_CPUS,
        }

    def reload_probe(self, candidate: Bridgekeeper, rate: float) -> dict:
        """`reloads` SIGHUPs spread over a paced run at `rate`; reports the frames lost."""
        count = self.settings.reloads

        def send_reloads(duration: float) -> None:
            # The last request waits for its result: traffic runs until every reload has been
            # applied (a 10,000-rule policy takes seconds to check and commit on a loaded CPU).
            for n in range(count):
                time.sleep(duration / count)
                candidate.reload(wait=n == count - 1)

        before = candidate.policy_generation()
        result = self.fixed_run(self.streams.bridge_bound_64, pace=rate, warmup=0.3, duration=self.settings.reload_duration,
                                during=send_reloads, label="reload probe")
        after = candidate.policy_generation()
        return {
            "rate_fps": round(result.offered_fps),
            "reloads": count,
            # Reloads that swapped in a new policy (signals close together coalesce into one).
            "applied": after - before if before is not None and after is not None else None,
            "offered": result.offered,
            "lost": result.lost,
            "still_serving": candidate.still_serving(),
            **({"accounting": result.accounting} if result.accounting else {}),
        }


    def idle_cpu(self, candidate: Candidate) -> Optional[dict]:
        """CPU the candidate's processes use with no traffic for `idle` seconds, after `idle_settle`
        seconds of quiet (so an adaptive poller has had time to go back to sleep); None for a
        candidate without a process of its own (the kernel bridge)."""
        groups = candidate.process_groups()
        if not groups or self.settings.idle <= 0:
            return None
        time.sleep(self.settings.idle_settle)
        quiet = self.testbed.counters()
        report = cpustat.idle_cpu(groups, self.settings.idle)
        if not all(report["processes"]):
            raise BenchError(f"idle CPU: its processes ({', '.join(map(str, sorted(groups)))}) vanished from /proc")
        report["settle_s"] = self.settings.idle_settle
        # Nothing may cross the bridge meanwhile, or the figure is not an idle one.
        report["frames_seen"] = self.testbed.counters().sink_rx_packets - quiet.sink_rx_packets
        return report


def run_dict(result: RunResult) -> dict:
    """A RunResult as plain JSON-able numbers."""
    return {key: (round(value, 4) if isinstance(value, float) else value)
            for key, value in asdict(result).items() if not (key == "accounting" and value is None)}
