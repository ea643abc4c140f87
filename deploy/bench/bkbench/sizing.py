"""The sizing runs: what an operator sizing a link needs, generator-bound, Bridgekeeper against dpdk-testpmd.

Frames go to an unowned MAC, so the sink costs the bridge nothing and the question is whether the
bridge keeps up with the generator. `search_rounds` rounds (default 5), the candidates alternating
and each round starting with a different one. Each round has two passes:

1. each candidate: the generator at full rate for a warm-up and `search_trial` seconds (the
   per-round "full rate" figure and the search's upper bound: if it lost nothing, that is the
   zero-loss rate), then the zero-loss binary search (Meter.zero_loss) in trials of
   `search_trial` seconds (default 10; 0 frames lost);
2. each candidate again, at `overload` (1.2) x Bridgekeeper's own zero-loss rate of this round:
   offered, delivered, loss. A target above what the generator offers at full rate is run at
   full rate instead, and marked.

A candidate is restarted for each pass, so a run that failed leaves nothing behind for the next.
"""

from __future__ import annotations

import subprocess
import time
from typing import Callable

from .candidates import Candidate
from .measure import Meter, RunResult, run_dict
from .proc import BenchError

SIZING_CANDIDATES = ("bk-fwd", "testpmd")
REFERENCE = "bk-fwd"  # the overload pass runs at a multiple of this candidate's zero-loss rate


def sizing_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """The runnable candidates the sizing runs measure, in a fixed order."""
    by_name = {candidate.name: candidate for candidate in candidates if not candidate.skip_reason}
    return [by_name[name] for name in SIZING_CANDIDATES if name in by_name]


def run_sizing(meter: Meter, candidates: list[Candidate], results: dict[str, dict]) -> None:
    """Runs every round, filling `results` (name -> {label, rounds}) as it goes, so an interrupted
    run still reports the rounds it finished."""
    settings = meter.settings
    present = sizing_candidates(candidates)
    for candidate in present:
        results[candidate.name] = {"label": candidate.label, "is_bridgekeeper": candidate.is_bridgekeeper, "rounds": []}
    for round_no in range(1, settings.search_rounds + 1):
        shift = (round_no - 1) % len(present)
        order = present[shift:] + present[:shift]
        records: dict[str, dict] = {}
        for candidate in order:
            records[candidate.name] = _with_candidate(meter, candidate, round_no, lambda: _search_pass(meter))
            results[candidate.name]["rounds"].append(records[candidate.name])
            print(f"sizing round {round_no}/{settings.search_rounds} {search_line(candidate.name, records[candidate.name])}",
                  flush=True)
        reference = records.get(REFERENCE, {})
        rate = settings.overload * reference.get("zero_loss", {}).get("fps", 0.0) if reference.get("ok") else 0.0
        for candidate in order:
            record = records[candidate.name]
            if rate <= 0:
                record["overload"] = {"skipped": f"no zero-loss rate from {REFERENCE} in this round"}
                continue
            full_fps = record.get("full", {}).get("offered_fps", 0.0)
            outcome = _with_candidate(meter, candidate, round_no, lambda: _overload_pass(meter, rate, full_fps))
            record["overload"] = outcome.get("overload", {"error": outcome.get("error")})
            print(f"sizing round {round_no}/{settings.search_rounds} {overload_line(candidate.name, record['overload'])}",
                  flush=True)


def _with_candidate(meter: Meter, candidate: Candidate, round_no: int, body: Callable[[], dict]) -> dict:
    """Starts the candidate, runs `body`, stops it; a failure ends only this record."""
    record: dict = {"round": round_no, "ok": False}
    started = time.monotonic()
    try:
        meter.bring_up(candidate, capture=False)
        record.update(body())
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


def _search_pass(meter: Meter) -> dict:
    """Full rate (generator-bound) for a trial's length, then the zero-loss search bounded by it (a
    full-rate run that lost nothing over as long as a trial is the answer)."""
    full: RunResult = meter.fixed_run(meter.streams.generator_bound_64, duration=meter.settings.search_trial,
                                      label="64B generator-bound full rate (sizing)")
    zero_loss = meter.zero_loss(full, config=meter.streams.generator_bound_64, trial=meter.settings.search_trial,
                                stream="generator-bound")
    return {"full": run_dict(full), "zero_loss": zero_loss}


def _overload_pass(meter: Meter, target: float, full_fps: float) -> dict:
    """One trial at `target` frames/s, or at full rate if the generator cannot offer that much paced."""
    trial = meter.settings.search_trial
    label = f"64B generator-bound at {meter.settings.overload:g}x {REFERENCE}'s zero-loss rate"
    at_full_rate = full_fps > 0 and target >= 0.98 * full_fps
    if at_full_rate:
        result = meter.fixed_run(meter.streams.generator_bound_64, duration=trial, label=label + " (full rate)")
    else:
        result = meter.fixed_run(meter.streams.generator_bound_64, pace=target, warmup=0.3, duration=trial, label=label)
    overload = run_dict(result)
    overload.update(target_fps=round(target), at_full_rate=at_full_rate,
                    generator_limited=at_full_rate or result.offered_fps < 0.95 * target)
    return {"overload": overload}


def search_line(name: str, record: dict) -> str:
    """Progress line after a candidate's search pass."""
    if not record["ok"]:
        return f"{name}: FAILED: {record.get('error')}"
    full, zero_loss = record["full"], record["zero_loss"]
    return (f"{name}: 64B generator-bound full rate {full['delivered_fps'] / 1e3:.1f}/{full['offered_fps'] / 1e3:.1f} kfps, "
            f"zero-loss {zero_loss['fps'] / 1e3:.1f}{'+' if zero_loss['generator_limited'] else ''} kfps "
            f"[{record['seconds']:.0f} s]")


def overload_line(name: str, overload: dict) -> str:
    """Progress line after a candidate's overload pass."""
    if "offered_fps" not in overload:
        return f"{name}: overload run FAILED: {overload.get('error') or overload.get('skipped')}"
    return (f"{name}: at {overload['target_fps'] / 1e3:.1f} kfps wanted: offered {overload['offered_fps'] / 1e3:.1f}, "
            f"delivered {overload['delivered_fps'] / 1e3:.1f} kfps, loss {overload['loss_pct']:.2f} %"
            + (" (generator-limited)" if overload["generator_limited"] else ""))
