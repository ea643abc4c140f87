"""The stateful benchmark's report: medians [min-max] over rounds, paired ratios, targets.

Ratios are paired as in report.py: per round, candidate / peer from the same round, then the
median of those ratios. The flood's ratio compares delivered fractions (UDP delivered / UDP
offered) because the UDP-alone run is paced to the flood's UDP rate and lands near, not on, it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Figure:
    """One number read from a candidate's round record."""

    title: str
    candidate: str
    path: tuple[str, ...]
    scale: float = 1.0
    digits: int = 1

    def read(self, record: dict) -> Optional[float]:
        """The figure in one round, or None when that round does not have it."""
        if not record.get("ok"):
            return None
        value = record
        for key in self.path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)


def _fwd(candidate: str) -> Figure:
    return Figure(f"{candidate}: 64B bridge-bound delivered kfps", candidate, ("bb64", "delivered_fps"), 1e-3)


SECTIONS: list[tuple[str, list[Figure]]] = [
    ("1-2. Stateful and meter forwarding, 64 B bridge-bound at the generator's full rate", [
        *(_fwd(name) for name in ("kbr", "testpmd", "bk-fwd", "bk-state", "bk-meter")),
        Figure("bk-state: offered kfps", "bk-state", ("bb64", "offered_fps"), 1e-3),
        Figure("bk-state: frames hitting \"established\" (k)", "bk-state", ("bb64", "rule_packets", "established"), 1e-3),
        Figure("bk-meter: frames the meter dropped", "bk-meter", ("bb64", "rule_packets", "meter"), 1, 0),
    ]),
    ("3. Rejected-SYN flood (mixed stream at full rate) vs the same UDP alone through forward-all", [
        Figure("bk-reject: offered kfps (SYN + UDP)", "bk-reject", ("flood", "offered_fps"), 1e-3),
        Figure("bk-reject: UDP offered kfps", "bk-reject", ("flood", "udp_offered_fps"), 1e-3),
        Figure("bk-reject: UDP delivered kfps", "bk-reject", ("flood", "udp_delivered_fps"), 1e-3),
        Figure("bk-reject: UDP delivered fraction", "bk-reject", ("flood", "udp_delivered_fraction"), 1, 4),
        Figure("bk-fwd: UDP alone offered kfps", "bk-fwd", ("udp_alone", "offered_fps"), 1e-3),
        Figure("bk-fwd: UDP alone delivered fraction", "bk-fwd", ("udp_alone", "delivered_fraction"), 1, 4),
        Figure("bk-reject: answers seen on gen0", "bk-reject", ("flood", "answers_seen"), 1, 0),
        Figure("bk-reject: answer budget (burst + rate x interval)", "bk-reject", ("flood", "answer_budget"), 1, 0),
        Figure("bk-reject: answers suppressed", "bk-reject", ("flood", "answers_suppressed"), 1, 0),
    ]),
    ("4. Flow churn (cycling source addresses and ports; full rate unless --churn-rate) beside a long-lived flow", [
        Figure("churn offered kfps", "bk-churn", ("churn", "churn_offered_fps"), 1e-3),
        Figure("churn delivered kfps", "bk-churn", ("churn", "churn_delivered_fps"), 1e-3),
        Figure("churn frames lost (k)", "bk-churn", ("churn", "churn_lost"), 1e-3),
        Figure("RX ring drops during the churn (k)", "bk-churn", ("churn", "ring_drops"), 1e-3),
        Figure("probe frames lost on the way to the sink", "bk-churn", ("churn", "probe_lost_to_sink"), 1, 0),
        Figure("probe echoes lost on the way back", "bk-churn", ("churn", "probe_echoes_lost"), 1, 0),
        Figure("probe flow stayed in the table (1 = yes)", "bk-churn", ("churn", "probe_kept_flag"), 1, 0),
        Figure("table in use, before", "bk-churn", ("churn", "table_before", "inUse"), 1, 0),
        Figure("table in use, most during", "bk-churn", ("churn", "table_during_max_in_use"), 1, 0),
        Figure("flows created (k)", "bk-churn", ("churn", "table_after_churn", "created"), 1e-3, 1),
        Figure("evicted (k)", "bk-churn", ("churn", "table_after_churn", "evicted"), 1e-3),
        Figure("refused, table full (k)", "bk-churn", ("churn", "table_after_churn", "refusedFull"), 1e-3),
        Figure("expired after the churn (k)", "bk-churn", ("churn", "table_after_expiry", "expired"), 1e-3),
        Figure("in use after expiry", "bk-churn", ("churn", "table_after_expiry", "inUse"), 1, 0),
        Figure("leaked slots (in use - live flows)", "bk-churn", ("churn", "leaked_slots"), 1, 0),
        Figure("seconds until expired", "bk-churn", ("churn", "expiry_wait_s"), 1, 1),
    ]),
    ("5. Memory", [
        Figure("bytes per flow-table slot (VmRSS difference)", "bk-mem", ("memory", "bytes_per_flow"), 1, 1),
    ]),
]

RATIOS: list[tuple[str, Figure, Figure]] = [
    ("bk-state / bk-fwd", _fwd("bk-state"), _fwd("bk-fwd")),
    ("bk-state / kbr", _fwd("bk-state"), _fwd("kbr")),
    ("bk-state / testpmd", _fwd("bk-state"), _fwd("testpmd")),
    ("bk-meter / bk-fwd", _fwd("bk-meter"), _fwd("bk-fwd")),
    ("bk-fwd / kbr", _fwd("bk-fwd"), _fwd("kbr")),
    ("bk-fwd / testpmd", _fwd("bk-fwd"), _fwd("testpmd")),
    ("UDP under the SYN flood / UDP alone (delivered fractions)",
     Figure("", "bk-reject", ("flood", "udp_delivered_fraction")), Figure("", "bk-fwd", ("udp_alone", "delivered_fraction"))),
]


def values(results: dict, figure: Figure) -> list[float]:
    """The figure in every round that has it."""
    rounds = results.get(figure.candidate, {}).get("rounds", [])
    return [value for value in (figure.read(record) for record in rounds) if value is not None]


def paired_ratio(results: dict, top: Figure, bottom: Figure) -> Optional[float]:
    """Median over rounds of top/bottom, each from the same round."""
    below = {record["round"]: bottom.read(record) for record in results.get(bottom.candidate, {}).get("rounds", [])}
    ratios = []
    for record in results.get(top.candidate, {}).get("rounds", []):
        a, b = top.read(record), below.get(record["round"])
        if a is not None and b:
            ratios.append(a / b)
    return statistics.median(ratios) if ratios else None


def ratios(results: dict) -> dict[str, float]:
    """Every paired ratio that has at least one round."""
    out = {}
    for title, top, bottom in RATIOS:
        value = paired_ratio(results, top, bottom)
        if value is not None:
            out[title] = value
    return out


def _every_round(results: dict, candidate: str, read) -> list[float]:
    return [read(record) for record in results.get(candidate, {}).get("rounds", []) if record.get("ok")]


def targets(results: dict, pairs: dict[str, float]) -> list[dict]:
    """The stateful targets, each PASS / FAIL / n/a with the figure behind it."""
    checks: list[tuple[str, Optional[float], bool]] = []
    for title, key, passes in (
        ("bk-state (stateful.policy, established flows) >= 0.9x bk-fwd", "bk-state / bk-fwd", lambda v: v >= 0.9),
        ("bk-state still ahead of the bare kernel bridge", "bk-state / kbr", lambda v: v > 1.0),
        ("bk-state still ahead of dpdk-testpmd", "bk-state / testpmd", lambda v: v > 1.0),
        ("bk-meter (limit ... per ip saddr, never exceeded) >= 0.9x bk-fwd", "bk-meter / bk-fwd", lambda v: v >= 0.9),
        ("UDP under a rejected-SYN flood >= 0.9x the same UDP alone",
         "UDP under the SYN flood / UDP alone (delivered fractions)", lambda v: v >= 0.9),
    ):
        value = pairs.get(key)
        checks.append((title, value, value is not None and passes(value)))
    over = _every_round(results, "bk-reject", lambda r: r["flood"]["answers_seen"] - r["flood"]["answer_budget"])
    checks.append(("answers sent never exceed answer-rate x interval + burst (every round; figure: most over budget)",
                   max(over) if over else None, bool(over) and max(over) <= 0))
    kept = _every_round(results, "bk-churn", lambda r: r["churn"]["probe_echoes_lost"] + (0 if r["churn"]["probe_kept"] else 1))
    checks.append(("churn: the established flow keeps its state: in the table throughout, no answer refused "
                   "(every round; figure: most echoes lost)", max(kept) if kept else None, bool(kept) and max(kept) == 0))
    lost = _every_round(results, "bk-churn", lambda r: r["churn"]["probe_lost_to_sink"] + r["churn"]["probe_echoes_lost"])
    checks.append(("churn: the established flow loses no frame (every round; figure: most lost)",
                   max(lost) if lost else None, bool(lost) and max(lost) == 0))
    leaked = _every_round(results, "bk-churn", lambda r: abs(r["churn"]["leaked_slots"]))
    checks.append(("churn: after the timeouts the table holds only the live flows (figure: most slots off)",
                   max(leaked) if leaked else None, bool(leaked) and max(leaked) == 0))
    return [{"target": title, "value": value, "result": "n/a" if value is None else ("PASS" if ok else "FAIL")}
            for title, value, ok in checks]


def _cell(found: list[float], figure: Figure) -> str:
    if not found:
        return "-"
    fmt = f"{{:.{figure.digits}f}}"
    median = fmt.format(statistics.median(found) * figure.scale)
    if len(found) < 2:
        return median
    return f"{median} [{fmt.format(min(found) * figure.scale)}-{fmt.format(max(found) * figure.scale)}]"


def render(document: dict) -> str:
    """The human-readable report."""
    results = document["candidates"]
    meta = document["meta"]
    lines = [f"Bridgekeeper stateful benchmark, {meta['started']}, {meta['rounds']} round(s); medians [min-max] over rounds", ""]
    for title, all_figures in SECTIONS:
        figures = [figure for figure in all_figures if figure.candidate in results]
        if not figures:
            continue
        lines.append(title)
        rows = [(figure.title, _cell(values(results, figure), figure)) for figure in figures]
        width = max(len(name) for name, _ in rows)
        lines += [f"  {name.ljust(width)}  {cell}" for name, cell in rows]
        lines.append("")
    for name, entry in results.items():
        lines.append(f"  {name:10s} {entry['label']}" + (f"  -- skipped: {entry['skipped']}" if entry.get("skipped") else ""))
        for record in entry.get("rounds", []):
            if not record.get("ok"):
                lines.append(f"  {'':10s} FAILED in round {record['round']}: {record.get('error')}")
            for note in record.get("notes", []):
                lines.append(f"  {'':10s} round {record['round']}: {note}")
    lines.append("")
    if document["ratios"]:
        lines.append("Paired ratios (median over rounds)")
        lines += [f"  {title}: {value:.3f}x" for title, value in document["ratios"].items()]
        lines.append("")
    lines.append("Targets")
    for target in document["targets"]:
        value = "" if target["value"] is None else f" ({target['value']:.3f})"
        lines.append(f"  {target['result']} {target['target']}{value}")
    lines.append("")
    lines += ["Method: " + " ".join(meta["method"])] + ["Note: " + note for note in meta["notes"]]
    return "\n".join(lines)
