"""Medians over rounds, the tables, ratios to the peers, the performance targets, and the JSON file.

Ratios are paired: for each round in which both candidates have a figure, candidate / peer, then
the median of those per-round ratios (the candidates alternate within a round, so pairing cancels
most of the drift of a shared, noisy machine). Latency is compared as a difference in microseconds.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional


@dataclass(frozen=True)
class Metric:
    """A figure read from one round's record."""

    key: str
    title: str
    scale: float
    digits: int
    read: Callable[[dict], Optional[float]]
    higher_is_better: bool = True
    trusted: Callable[[dict], bool] = lambda record: True


def _get(*path: str) -> Callable[[dict], Optional[float]]:
    def read(record: dict) -> Optional[float]:
        value = record
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    return read


METRICS = [
    Metric("bb64_offered_fps", "offered kfps", 1e-3, 1, _get("bb64", "offered_fps")),
    Metric("bb64_delivered_fps", "delivered kfps", 1e-3, 1, _get("bb64", "delivered_fps")),
    Metric("bb64_loss_pct", "loss %", 1, 2, _get("bb64", "loss_pct"), False),
    Metric("gb64_offered_fps", "offered kfps", 1e-3, 1, _get("gb64", "offered_fps")),
    Metric("gb64_delivered_fps", "delivered kfps", 1e-3, 1, _get("gb64", "delivered_fps")),
    Metric("gb64_loss_pct", "loss %", 1, 2, _get("gb64", "loss_pct"), False),
    Metric("bb1518_delivered_fps", "1518B kfps", 1e-3, 1, _get("bb1518", "delivered_fps")),
    Metric("bb1518_gbps", "1518B Gbit/s", 1, 2, _get("bb1518", "gbps")),
    Metric("zero_loss_fps", "zero-loss kfps", 1e-3, 1, _get("zero_loss", "fps")),
    Metric("rtt_p50_us", "RTT p50 us", 1, 0, _get("latency", "p50_us"), False),
    Metric("rtt_p99_us", "RTT p99 us", 1, 0, _get("latency", "p99_us"), False),
    Metric("cpu_s_per_mframe", "CPU s/Mframe", 1, 2, _get("cpu", "s_per_mframe"), False,
           lambda record: not record.get("cpu", {}).get("noisy")),
    Metric("reload_lost", "reload lost", 1, 0, _get("reload", "lost"), False),
    Metric("reloads_applied", "reloads done", 1, 0, _get("reload", "applied")),
    Metric("idle_cpu_pct", "idle CPU %", 1, 2, _get("idle", "pct_of_cpu"), False),
]
BY_KEY = {metric.key: metric for metric in METRICS}
TABLES = [
    ("64-byte frames at the generator's full rate: bridge-bound (to sink0's MAC) | generator-bound (unowned MAC)",
     ["bb64_offered_fps", "bb64_delivered_fps", "bb64_loss_pct", "gb64_offered_fps", "gb64_delivered_fps", "gb64_loss_pct"]),
    ("1518-byte frames, zero-loss rate (64 B, bridge-bound), RTT at ~10 kfps, CPU at a fixed rate, reloads, "
     "idle CPU (% of one CPU, no traffic)",
     ["bb1518_delivered_fps", "bb1518_gbps", "zero_loss_fps", "rtt_p50_us", "rtt_p99_us", "cpu_s_per_mframe", "reload_lost",
      "reloads_applied", "idle_cpu_pct"]),
]
RATIO_LABELS = {
    "bb64_delivered_fps": "64B bridge-bound",
    "gb64_delivered_fps": "64B generator-bound",
    "bb1518_delivered_fps": "1518B",
    "zero_loss_fps": "zero-loss",
    "cpu_s_per_mframe": "CPU/frame",
}
RATIO_METRICS = list(RATIO_LABELS)


def _usable(records: list[dict], metric: Metric) -> tuple[list[dict], bool]:
    """The rounds to use for a metric: the trusted ones if any, else all of them (then flagged)."""
    present = [record for record in records if record.get("ok") and metric.read(record) is not None]
    trusted = [record for record in present if metric.trusted(record)]
    return (trusted, False) if trusted else (present, bool(present))


def summarize(rounds: list[dict]) -> dict[str, dict]:
    """metric -> {median, min, max, n, unreliable} over the rounds that have it (trusted ones first)."""
    out = {}
    for metric in METRICS:
        records, unreliable = _usable(rounds, metric)
        values = [metric.read(record) for record in records]
        if values:
            out[metric.key] = {"median": statistics.median(values), "min": min(values), "max": max(values),
                               "n": len(values), "unreliable": unreliable}
    return out


def paired(rounds_a: list[dict], rounds_b: list[dict], metric: Metric, difference: bool = False) -> Optional[float]:
    """Median over rounds of a/b (or a-b) for one metric, pairing records by round number."""
    usable_a, _ = _usable(rounds_a, metric)
    usable_b, _ = _usable(rounds_b, metric)
    by_round = {record["round"]: record for record in usable_b}
    values = []
    for record in usable_a:
        other = by_round.get(record["round"])
        if other is None:
            continue
        a, b = metric.read(record), metric.read(other)
        if a is None or b is None:
            continue
        if difference:
            values.append(a - b)
        elif b > 0:
            values.append(a / b)
    return statistics.median(values) if values else None


def ratios(results: dict[str, dict]) -> dict[str, dict[str, dict]]:
    """For each Bridgekeeper candidate (and testpmd) against each peer: paired ratios and RTT differences."""
    names = [name for name, entry in results.items() if entry.get("rounds")]
    subjects = [name for name in names if results[name]["is_bridgekeeper"]] or [name for name in names if name == "testpmd"]
    out: dict[str, dict[str, dict]] = {}
    for subject in subjects:
        for other in names:
            if other == subject or (results[other]["is_bridgekeeper"] and other != "bk-fwd"):
                continue
            pair = {}
            for key in RATIO_METRICS:
                value = paired(results[subject]["rounds"], results[other]["rounds"], BY_KEY[key])
                if value is not None:
                    pair[f"{key}_ratio"] = value
            added = paired(results[subject]["rounds"], results[other]["rounds"], BY_KEY["rtt_p99_us"], difference=True)
            if added is not None:
                pair["rtt_p99_added_us"] = added
            if pair:
                out.setdefault(subject, {})[other] = pair
    return out


def targets(results: dict[str, dict], pairs: dict[str, dict[str, dict]]) -> list[dict]:
    """The performance targets, each PASS / FAIL / n/a with the figure behind it."""

    def ratio(subject: str, peer: str, key: str) -> Optional[float]:
        return pairs.get(subject, {}).get(peer, {}).get(key)

    def median(subject: str, key: str) -> Optional[float]:
        return results.get(subject, {}).get("summary", {}).get(key, {}).get("median")

    def limited(subject: str) -> bool:
        rounds = results.get(subject, {}).get("rounds", [])
        return any(record.get("zero_loss", {}).get("generator_limited") for record in rounds if record.get("ok"))

    # A zero-loss figure the paced generator could not push past proves nothing when it falls short.
    checks = [
        ("bk-fwd delivers >= 1.25x dpdk-testpmd (64 B, bridge-bound)", ratio("bk-fwd", "testpmd", "bb64_delivered_fps_ratio"), lambda v: v >= 1.25, False),
        ("bk-fwd delivers >= 1.5x the bare kernel bridge (64 B, bridge-bound)", ratio("bk-fwd", "kbr", "bb64_delivered_fps_ratio"), lambda v: v >= 1.5, False),
        ("bk-fwd delivers >= 1.1x dpdk-testpmd at full rate (64 B, bridge-bound)", ratio("bk-fwd", "testpmd", "bb64_delivered_fps_ratio"), lambda v: v >= 1.1, False),
        ("bk-fwd delivers >= 1.4x the bare kernel bridge at full rate (64 B, bridge-bound)", ratio("bk-fwd", "kbr", "bb64_delivered_fps_ratio"), lambda v: v >= 1.4, False),
        ("bk-rules (10,000 rules by default) delivers >= 0.85x bk-fwd (64 B, bridge-bound)", ratio("bk-rules", "bk-fwd", "bb64_delivered_fps_ratio"), lambda v: v >= 0.85, False),
        ("bk-fwd zero-loss rate above dpdk-testpmd", ratio("bk-fwd", "testpmd", "zero_loss_fps_ratio"), lambda v: v > 1.0, limited("bk-fwd")),
        ("bk-fwd zero-loss rate above the bare kernel bridge", ratio("bk-fwd", "kbr", "zero_loss_fps_ratio"), lambda v: v > 1.0, limited("bk-fwd")),
        ("bk-fwd adds < 50 us p99 RTT over the kernel bridge at ~10 kfps", ratio("bk-fwd", "kbr", "rtt_p99_added_us"), lambda v: v < 50.0, False),
        ("bk-busy (--busy-poll) adds < 50 us p99 RTT over the kernel bridge at ~10 kfps", ratio("bk-busy", "kbr", "rtt_p99_added_us"), lambda v: v < 50.0, False),
        ("bk-fwd (adaptive polling) uses < 1 % of a CPU idle (median over rounds)", median("bk-fwd", "idle_cpu_pct"), lambda v: v < 1.0, False),
        ("bk-busy (--busy-poll) uses < 1 % of a CPU idle (median over rounds)", median("bk-busy", "idle_cpu_pct"), lambda v: v < 1.0, False),
    ]
    out = []
    for title, value, passes, generator_limited in checks:
        if value is None:
            result = "n/a"
        elif passes(value):
            result = "PASS"
        else:
            result = "INCONCLUSIVE (generator-limited)" if generator_limited else "FAIL"
        out.append({"target": title, "value": value, "result": result})
    reload_lost = [
        record["reload"]["lost"]
        for entry in results.values() if entry["is_bridgekeeper"]
        for record in entry.get("rounds", []) if isinstance(record.get("reload"), dict) and "lost" in record["reload"]
    ]
    out.append({
        "target": "reloads at half the zero-loss rate lose no frame (all Bridgekeeper runs)",
        "value": max(reload_lost) if reload_lost else None,
        "result": "n/a" if not reload_lost else ("PASS" if max(reload_lost) == 0 else "FAIL"),
    })
    return out


def _cell(summary: Optional[dict], metric: Metric) -> str:
    if not summary:
        return "-"
    fmt = f"{{:.{metric.digits}f}}"
    median = fmt.format(summary["median"] * metric.scale)
    mark = " ?" if summary.get("unreliable") else ""
    if summary["n"] < 2:
        return median + mark
    return f"{median} [{fmt.format(summary['min'] * metric.scale)}-{fmt.format(summary['max'] * metric.scale)}]{mark}"


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[col]) if col == 0 else cell.rjust(widths[col]) for col, cell in enumerate(row)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def _candidate_notes(rounds: list[dict]) -> dict[str, list[int]]:
    """Remarks worth a line, with the rounds they apply to."""
    notes: dict[str, list[int]] = {}
    for record in rounds:
        found = []
        if not record.get("ok"):
            found.append(f"FAILED: {record.get('error', 'unknown error')}")
        smoke = record.get("smoke", {})
        if "integrity_ok" in smoke:
            found.append(f"frames arrive unaltered ({smoke['intact']}/{smoke['captured']} captured by tcpdump)"
                         if smoke["integrity_ok"] else f"frames ALTERED ({smoke['intact']}/{smoke['captured']} intact)")
        losses = [record.get(key, {}).get("lost") for key in ("bb64", "gb64", "bb1518", "reload")]
        losses += [trial.get("lost") for trial in record.get("zero_loss", {}).get("trials", [])]
        extra = max([-lost for lost in losses if isinstance(lost, int) and lost < 0], default=0)
        if extra:
            found.append("sink0 received frames nobody offered: something else sends through the bridge, loss counts are off")
        zero_loss = record.get("zero_loss", {})
        if zero_loss.get("how", "").startswith("no loss"):
            found.append("zero-loss = full rate: no loss at the generator's full rate")
        elif zero_loss.get("generator_limited"):
            found.append("zero-loss limited by the paced generator (true rate >= figure)")
        if record.get("cpu", {}).get("saturated"):
            found.append("CPU run saturated: delivered < 98% of the fixed rate")
        if record.get("cpu", {}).get("busy_polls"):
            found.append("busy-polls a core: CPU per frame reflects the rate, not the work")
        latency = record.get("latency") or {}
        if latency.get("saturated"):
            found.append("bridge saturated during the latency run (it carried well under latency_fps)")
        if latency and latency.get("replies", 0) < latency.get("sent", 0):
            found.append("some pings unanswered")
        if record.get("cpu", {}).get("noisy"):
            found.append("CPU figure left out of the medians: other jobs used > 0.2 CPU during its runs ('?': no clean round)")
        if (record.get("idle") or {}).get("frames_seen"):
            found.append("frames crossed the bridge during the idle CPU window: that figure is not an idle one")
        if record.get("reload") and not record["reload"].get("still_serving"):
            found.append("not serving after the reload probe")
        for note in found:
            notes.setdefault(note, []).append(record["round"])
    return notes


def render(document: dict, before_targets: Optional[list[str]] = None) -> str:
    """The human-readable report; `before_targets` lines (the sizing and accounting sections) go
    right before the targets."""
    results = document["candidates"]
    lines = [f"Bridgekeeper veth benchmark, {document['meta']['started']}, {document['meta']['rounds']} round(s); "
             "medians [min-max] over rounds", ""]
    for title, keys in TABLES:
        lines.append(title)
        rows = [["candidate", *[BY_KEY[key].title for key in keys]]]
        for name, entry in results.items():
            if entry.get("rounds"):
                rows.append([name, *[_cell(entry["summary"].get(key), BY_KEY[key]) for key in keys]])
        lines += _grid(rows) if len(rows) > 1 else ["  (no candidate ran)"]
        lines.append("")
    for name, entry in results.items():
        lines.append(f"  {name:10s} {entry['label']}" + (f"  -- skipped: {entry['skipped']}" if entry.get("skipped") else ""))
        for note, rounds in _candidate_notes(entry.get("rounds", [])).items():
            lines.append(f"  {'':10s} {note} (round{'s' if len(rounds) > 1 else ''} {', '.join(map(str, rounds))})")
    lines.append("")
    pairs = document["ratios"]
    if pairs:
        lines.append("Paired ratios (median over rounds of candidate/peer; CPU: lower is better; RTT: added p99 in us)")
        for subject, peers in pairs.items():
            for peer, values in peers.items():
                parts = [f"{RATIO_LABELS[key.removesuffix('_ratio')]} {value:.2f}x" for key, value in values.items() if key.endswith("_ratio")]
                if "rtt_p99_added_us" in values:
                    parts.append(f"p99 RTT {values['rtt_p99_added_us']:+.0f} us")
                lines.append(f"  {subject} vs {peer}: " + ", ".join(parts))
        lines.append("")
    lines += before_targets or []
    lines.append("Targets (performance goals, 64-byte frames, same run)")
    for target in document["targets"]:
        value = "" if target["value"] is None else f" ({target['value']:.2f})"
        lines.append(f"  {target['result']} {target['target']}{value}")
    lines.append("")
    lines.append("Method: " + " ".join(document["meta"]["method"]))
    for note in document["meta"]["notes"]:
        lines.append("Note: " + note)
    return "\n".join(lines)


def write_json(document: dict, path: Path) -> None:
    """Writes the document, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")
