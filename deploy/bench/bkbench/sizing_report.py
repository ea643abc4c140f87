"""The sizing runs in the report and the JSON: medians [min-max], Bridgekeeper/testpmd paired by
round, the full-rate comparison round by round, and their performance targets."""

from __future__ import annotations

import statistics
from typing import Optional

from .report import Metric, _cell, _get, _grid, paired

SIZING_METRICS = [
    Metric("full_offered_fps", "full offered kfps", 1e-3, 1, _get("full", "offered_fps")),
    Metric("full_delivered_fps", "full delivered kfps", 1e-3, 1, _get("full", "delivered_fps")),
    Metric("full_loss_pct", "full loss %", 1, 2, _get("full", "loss_pct"), False),
    Metric("zero_loss_fps", "zero-loss kfps", 1e-3, 1, _get("zero_loss", "fps")),
    Metric("overload_target_fps", "1.2x target kfps", 1e-3, 1, _get("overload", "target_fps")),
    Metric("overload_offered_fps", "1.2x offered kfps", 1e-3, 1, _get("overload", "offered_fps")),
    Metric("overload_delivered_fps", "1.2x delivered kfps", 1e-3, 1, _get("overload", "delivered_fps")),
    Metric("overload_loss_pct", "1.2x loss %", 1, 2, _get("overload", "loss_pct"), False),
]
BY_KEY = {metric.key: metric for metric in SIZING_METRICS}
RATIO_KEYS = {"zero_loss_fps": "zero-loss", "full_delivered_fps": "full rate delivered",
              "overload_delivered_fps": "delivered at 1.2x"}
SUBJECT, PEER = "bk-fwd", "testpmd"


def summarize(rounds: list[dict]) -> dict[str, dict]:
    """metric -> {median, min, max, n} over the rounds that have it."""
    out = {}
    for metric in SIZING_METRICS:
        values = [value for record in rounds if record.get("ok") and (value := metric.read(record)) is not None]
        if values:
            out[metric.key] = {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}
    return out


def full_rate_rounds(sizing: dict[str, dict]) -> list[dict]:
    """Per round with both figures: frames/s delivered at full rate by Bridgekeeper and by testpmd
    (rates over the same-length window, so they compare like frame counts)."""
    subject = {r["round"]: r for r in sizing.get(SUBJECT, {}).get("rounds", []) if r.get("ok")}
    peer = {r["round"]: r for r in sizing.get(PEER, {}).get("rounds", []) if r.get("ok")}
    return [
        {"round": n, SUBJECT: subject[n]["full"]["delivered_fps"], PEER: peer[n]["full"]["delivered_fps"],
         "subject_at_least_peer": subject[n]["full"]["delivered_fps"] >= peer[n]["full"]["delivered_fps"],
         # Neither lost a frame: the generator, not the bridges, set both figures.
         "both_lossless": subject[n]["full"]["lost"] <= 0 and peer[n]["full"]["lost"] <= 0}
        for n in sorted(subject.keys() & peer.keys())
    ]


def analyse(sizing: dict[str, dict]) -> dict:
    """Summaries into each candidate's entry; returns the ratios and the round-by-round comparison."""
    for entry in sizing.values():
        entry["summary"] = summarize(entry["rounds"])
    ratios = {}
    if SUBJECT in sizing and PEER in sizing:
        for key in RATIO_KEYS:
            value = paired(sizing[SUBJECT]["rounds"], sizing[PEER]["rounds"], BY_KEY[key])
            if value is not None:
                ratios[f"{key}_ratio"] = value
    rounds = full_rate_rounds(sizing)
    return {"ratios": ratios, "full_rate_rounds": rounds,
            "subject_at_least_peer_every_round": all(r["subject_at_least_peer"] for r in rounds) if rounds else None}


def _generator_limited(sizing: dict[str, dict], name: str) -> bool:
    return any(record.get("zero_loss", {}).get("generator_limited")
               for record in sizing.get(name, {}).get("rounds", []) if record.get("ok"))


def targets(sizing: Optional[dict[str, dict]], analysis: Optional[dict]) -> list[dict]:
    """The sizing targets, each PASS / FAIL / INCONCLUSIVE / n/a with its figure."""
    analysis = analysis or {}
    ratio = analysis.get("ratios", {}).get("zero_loss_fps_ratio")
    # A generator-limited figure is a lower bound: it can prove a pass for bk-fwd, a fail for
    # testpmd, never the other way round.
    if ratio is None:
        zero_loss = "n/a"
    elif ratio >= 1.1:
        zero_loss = "INCONCLUSIVE (testpmd's figure generator-limited)" if _generator_limited(sizing or {}, PEER) else "PASS"
    else:
        zero_loss = "INCONCLUSIVE (generator-limited)" if _generator_limited(sizing or {}, SUBJECT) else "FAIL"
    every = analysis.get("subject_at_least_peer_every_round")
    rounds = analysis.get("full_rate_rounds", [])
    worst = min((r[SUBJECT] / r[PEER] for r in rounds if r[PEER] > 0), default=None)
    return [
        {"target": "bk-fwd zero-loss rate >= 1.1x dpdk-testpmd (64 B, generator-bound)", "value": ratio,
         "result": zero_loss},
        {"target": "bk-fwd delivers at least as many frames as dpdk-testpmd at the generator's full rate, "
                   f"every round (64 B, generator-bound; value: the worst round's ratio, {len(rounds)} rounds)",
         "value": worst, "result": "n/a" if every is None else ("PASS" if every else "FAIL")},
    ]


def render(sizing: Optional[dict[str, dict]], analysis: Optional[dict], settings: dict) -> list[str]:
    """The report's sizing section (empty when the sizing runs did not run)."""
    if not sizing or not any(entry["rounds"] for entry in sizing.values()):
        return []
    done = max(len(entry["rounds"]) for entry in sizing.values())
    lines = [f"Sizing, 64-byte frames generator-bound (unowned MAC): {done} of {settings['search_rounds']} round(s), zero-loss trials "
             f"of {settings['search_trial']:g} s, then {settings['overload']:g}x {SUBJECT}'s zero-loss rate"]
    keys = list(BY_KEY)
    rows = [["candidate", *[BY_KEY[key].title for key in keys]]]
    for name, entry in sizing.items():
        if entry["rounds"]:
            rows.append([name, *[_cell(entry["summary"].get(key), BY_KEY[key]) for key in keys]])
    lines += _grid(rows)
    for name, entry in sizing.items():
        for record in entry["rounds"]:
            if not record.get("ok"):
                lines.append(f"  {name} round {record['round']}: FAILED: {record.get('error')}")
                continue
            if record.get("zero_loss", {}).get("generator_limited"):
                lines.append(f"  {name} round {record['round']}: zero-loss limited by the generator (true rate >= figure)")
            overload = record.get("overload", {})
            if overload.get("generator_limited"):
                lines.append(f"  {name} round {record['round']}: the generator could not offer the 1.2x target"
                             + (" (ran at full rate)" if overload.get("at_full_rate") else ""))
            elif "error" in overload or "skipped" in overload:
                lines.append(f"  {name} round {record['round']}: 1.2x run not done: {overload.get('error') or overload.get('skipped')}")
    analysis = analysis or {}
    if analysis.get("ratios"):
        parts = [f"{RATIO_KEYS[key.removesuffix('_ratio')]} {value:.2f}x" for key, value in analysis["ratios"].items()]
        lines.append(f"  {SUBJECT} vs {PEER}, paired by round: " + ", ".join(parts))
    rounds = analysis.get("full_rate_rounds", [])
    if rounds:
        cells = [f"r{r['round']} {r[SUBJECT] / 1e3:.1f}/{r[PEER] / 1e3:.1f}{'' if r['subject_at_least_peer'] else ' (less)'}"
                 + (" (both lossless: the generator set both)" if r["both_lossless"] else "") for r in rounds]
        verdict = "yes" if analysis["subject_at_least_peer_every_round"] else "NO"
        lines.append(f"  full rate, delivered kfps {SUBJECT}/{PEER}: " + ", ".join(cells)
                     + f"; {SUBJECT} >= {PEER} in every round: {verdict}")
    lines.append("")
    return lines
